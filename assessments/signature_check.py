"""Check the meaning texts kept on signatures (votes and the chair's decisions): the
canonical English is the text of the act signed, and the text the signer read in their
language is the one the signature's audit event pinned (``meaning_sha256``). Signatures
made before the signer's text was kept have no language and signed the English text."""

from .models import AuditEvent, Decision, DecisionKind, EventKind, Vote
from .services.review import CHAIR_MEANINGS, VOTE_MEANINGS, meaning_digest

_CHAIR_EVENTS = {
    EventKind.CONFIRMED: DecisionKind.CONFIRMED,
    EventKind.OVERRULED: DecisionKind.OVERRULED,
}


def _pinned_digests() -> dict[tuple, str]:
    """(kind, campaign, signer, version number, outcome) -> the digest its audit event
    recorded (a chair may overrule one version more than once, to different outcomes)."""
    events = AuditEvent.objects.filter(
        kind__in=[EventKind.VOTED, *_CHAIR_EVENTS], payload__has_key="meaning_sha256"
    ).values_list("kind", "campaign_id", "actor_id", "payload")
    return {
        (
            _CHAIR_EVENTS.get(kind, "vote"),
            campaign,
            actor,
            payload.get("version"),
            payload.get("outcome"),
        ): payload["meaning_sha256"]
        for kind, campaign, actor, payload in events.iterator()
    }


def meaning_problems() -> list[str]:
    """One line per signature whose meaning does not check out (empty when all do)."""
    pinned = _pinned_digests()
    problems = []
    votes = Vote.objects.select_related("version").only(
        "pk", "campaign_id", "reviewer_id", "decision", "version__number", "meaning",
        "meaning_signed", "meaning_language",
    )  # fmt: skip
    for vote in votes.iterator():
        key = ("vote", vote.campaign_id, vote.reviewer_id, vote.version.number, None)
        problems += _problems(
            f"vote {vote.pk}", vote, VOTE_MEANINGS.get(vote.decision), pinned.get(key)
        )
    decisions = Decision.objects.filter(kind__in=list(CHAIR_MEANINGS)).select_related("version")
    for decision in decisions.only(
        "pk", "campaign_id", "decided_by_id", "kind", "outcome", "version__number", "meaning",
        "meaning_signed", "meaning_language",
    ).iterator():  # fmt: skip
        key = (
            decision.kind,
            decision.campaign_id,
            decision.decided_by_id,
            decision.version.number,
            decision.outcome,
        )
        problems += _problems(
            f"decision {decision.pk}", decision, CHAIR_MEANINGS.get(decision.kind), pinned.get(key)
        )
    return problems


def _problems(name: str, record, canonical: str | None, digest: str | None) -> list[str]:
    if record.meaning != canonical:
        return [f"{name}: the English meaning is not the text of the act signed"]
    if not record.meaning_language:
        return [] if not record.meaning_signed else [f"{name}: a signed text without its language"]
    if digest is None:
        return [f"{name}: no audit event pins its signed meaning"]
    if digest != meaning_digest(record):
        return [f"{name}: the signed meaning differs from the one its audit event pinned"]
    return []
