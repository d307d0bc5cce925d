"""Incidents: opened by anyone who may see the campaign, a timeline of updates and
corrective actions, closed by the chair. A severe incident suspends the clearance (the
launch gate answers false) until the chair lifts the suspension or closes the incident."""

import unicodedata
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit, permissions, webhooks
from ..cleaning import unstorable
from ..errors import ServiceError
from ..models import (
    Campaign,
    EntryKind,
    EventKind,
    Feedback,
    HarmType,
    Incident,
    IncidentEntry,
    IncidentSeverity,
    IncidentStatus,
    NotificationKind,
    User,
    WebhookEvent,
)
from ..notifications import notify
from ..roles import Role
from .read_models import cached_lists_refresh

TEXT_MAX = 4000
MAX_PEOPLE = 1_000_000_000
REMIND_BEFORE = timedelta(hours=24)  # the breach deadline reminder goes out a day before


def _chairs():
    return User.objects.filter(is_active=True, roles__role=Role.CHAIR).distinct()


def _text(value: str, field: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if unstorable(value):
        raise ServiceError(_("The text holds characters that cannot be stored."), field=field)
    # Only control, format or space characters (e.g. a lone bidi override) is no text.
    if required and not any(unicodedata.category(ch)[0] not in "CZ" for ch in value):
        raise ServiceError(_("This field is required."), field=field)
    if len(value) > TEXT_MAX:
        raise ServiceError(_("At most 4,000 characters."), field=field)
    return value


def _sync_suspension(campaign: Campaign) -> None:
    """Point the (locked) campaign at its oldest open suspending incident, or at none."""
    suspending = (
        campaign.incidents.filter(
            status=IncidentStatus.OPEN, suspends_clearance=True, suspension_lifted_at__isnull=True
        )
        .order_by("opened_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    if campaign.clearance_suspended_by_id != suspending:
        campaign.clearance_suspended_by_id = suspending
        campaign.save(update_fields=["clearance_suspended_by"])


def incident_open(
    *,
    actor: User,
    campaign: Campaign,
    what_happened: str,
    harm_type: str,
    severity: str,
    people_affected: int | None = None,
    regulator_involved: bool = False,
    platform_involved: bool = False,
    personal_data_breach: bool = False,
    feedback: Feedback | None = None,
) -> Incident:
    what_happened = _text(what_happened, "what_happened")
    if harm_type not in HarmType.values:
        raise ServiceError(_("Choose the type of harm."), field="harm_type")
    if severity not in IncidentSeverity.values:
        raise ServiceError(_("Choose the severity."), field="severity")
    if people_affected is not None and not 0 <= people_affected <= MAX_PEOPLE:
        raise ServiceError(
            _("The estimate is a whole number from 0 to 1,000,000,000."), field="people_affected"
        )
    with transaction.atomic():
        cached_lists_refresh()
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if not permissions.can_open_campaign(actor, campaign):
            raise ServiceError(_("You cannot open an incident on this campaign."))
        if feedback is not None and (
            feedback.campaign_id != campaign.pk or not permissions.is_chair(actor)
        ):
            raise ServiceError(_("Only the chair opens an incident from feedback."))
        now = timezone.now()
        incident = Incident.objects.create(
            campaign=campaign,
            opened_by=actor,
            opened_at=now,
            what_happened=what_happened,
            harm_type=harm_type,
            severity=severity,
            people_affected=people_affected,
            regulator_involved=regulator_involved,
            platform_involved=platform_involved,
            personal_data_breach=personal_data_breach,
            suspends_clearance=severity == IncidentSeverity.SEVERE,
        )
        payload = {
            "incident": incident.pk,
            "harm_type": harm_type,
            "severity": severity,
            "personal_data_breach": personal_data_breach,
        }
        if feedback is not None:
            payload["feedback"] = feedback.pk
        audit.record(
            kind=EventKind.INCIDENT_OPENED, campaign=campaign, actor=actor, payload=payload
        )
        _sync_suspension(campaign)
        notify(
            recipients=[campaign.owner, *_chairs()],
            kind=NotificationKind.INCIDENT,
            campaign=campaign,
            params={"incident": incident.pk, "severity": severity},
        )
        webhooks.emit(
            WebhookEvent.INCIDENT_OPENED,
            campaign,
            {
                "incident_id": incident.pk,
                "harm_type": harm_type,
                "severity": severity,
                "suspends_clearance": incident.suspends_clearance,
                "personal_data_breach": personal_data_breach,
            },
        )
    return incident


def _locked_incident(incident: Incident) -> tuple[Campaign, Incident]:
    campaign = Campaign.objects.select_for_update().get(pk=incident.campaign_id)
    return campaign, Incident.objects.select_for_update().get(pk=incident.pk)


def incident_add_entry(
    *,
    actor: User,
    incident: Incident,
    kind: str,
    text: str,
    owner: User | None = None,
    due_on: date | None = None,
) -> IncidentEntry:
    """An update, or a corrective action with an owner and a due date, on an open incident."""
    text = _text(text, "text")
    if kind not in EntryKind.values:
        raise ServiceError(_("Choose an update or a corrective action."), field="kind")
    if kind == EntryKind.ACTION and (owner is None or due_on is None):
        raise ServiceError(_("A corrective action needs an owner and a due date."), field="owner")
    if kind == EntryKind.UPDATE:
        owner, due_on = None, None
    with transaction.atomic():
        cached_lists_refresh()
        campaign, incident = _locked_incident(incident)
        if not permissions.can_open_campaign(actor, campaign):
            raise ServiceError(_("You cannot update this incident."))
        if incident.status != IncidentStatus.OPEN:
            raise ServiceError(_("This incident is closed."))
        if owner is not None and not permissions.can_open_campaign(owner, campaign):
            raise ServiceError(
                _("The owner must be someone who can see the campaign."), field="owner"
            )
        entry = IncidentEntry.objects.create(
            incident=incident,
            kind=kind,
            text=text,
            owner=owner,
            due_on=due_on,
            author=actor,
            created_at=timezone.now(),
        )
        audit.record(
            kind=EventKind.INCIDENT_UPDATED,
            campaign=campaign,
            actor=actor,
            payload={"incident": incident.pk, "entry": entry.pk, "entry_kind": kind},
        )
    return entry


def _check_chair(actor: User) -> None:
    if not permissions.is_chair(actor):
        raise ServiceError(_("Only the board chair does this."))
    permissions.check_mfa(actor)


def incident_lift_suspension(*, actor: User, incident: Incident) -> Incident:
    _check_chair(actor)
    with transaction.atomic():
        cached_lists_refresh()
        campaign, incident = _locked_incident(incident)
        if not incident.suspending:
            raise ServiceError(_("This incident does not suspend the clearance."))
        incident.suspension_lifted_at = timezone.now()
        incident.suspension_lifted_by = actor
        incident.save(update_fields=["suspension_lifted_at", "suspension_lifted_by"])
        audit.record(
            kind=EventKind.SUSPENSION_LIFTED,
            campaign=campaign,
            actor=actor,
            payload={"incident": incident.pk},
        )
        _sync_suspension(campaign)
    return incident


def incident_close(*, actor: User, incident: Incident, resolution: str) -> Incident:
    """The chair closes the incident with a resolution; its suspension ends with it."""
    _check_chair(actor)
    resolution = _text(resolution, "resolution")
    with transaction.atomic():
        cached_lists_refresh()
        campaign, incident = _locked_incident(incident)
        if incident.status != IncidentStatus.OPEN:
            raise ServiceError(_("This incident is closed."))
        incident.status = IncidentStatus.CLOSED
        incident.closed_at = timezone.now()
        incident.closed_by = actor
        incident.resolution = resolution
        incident.save(update_fields=["status", "closed_at", "closed_by", "resolution"])
        audit.record(
            kind=EventKind.INCIDENT_CLOSED,
            campaign=campaign,
            actor=actor,
            payload={"incident": incident.pk},
        )
        _sync_suspension(campaign)
        webhooks.emit(
            WebhookEvent.INCIDENT_CLOSED,
            campaign,
            {
                "incident_id": incident.pk,
                "days_open": (incident.closed_at - incident.opened_at).days,
            },
        )
    return incident


def breach_deadlines_remind(*, now=None) -> int:
    """Open personal-data-breach incidents whose 72-hour notification deadline (GDPR
    Art. 33(1)) is less than a day away or passed: the chair and the opener are told once
    for each."""
    now = now or timezone.now()
    sent = 0
    window_start = now + REMIND_BEFORE
    due = Incident.objects.filter(
        status=IncidentStatus.OPEN, personal_data_breach=True
    ).select_related("campaign", "opened_by")
    for incident in due:
        deadline = incident.notification_deadline
        if deadline > window_start:
            continue
        passed = deadline <= now
        with transaction.atomic():
            sent += len(
                notify(
                    recipients=[incident.opened_by, *_chairs()],
                    kind=NotificationKind.BREACH_DEADLINE,
                    campaign=incident.campaign,
                    params={
                        "incident": incident.pk,
                        "deadline": deadline.isoformat(),
                        "passed": passed,
                    },
                    dedupe_key=f"breach:{incident.pk}:{'passed' if passed else 'soon'}",
                )
            )
    return sent
