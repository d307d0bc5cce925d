"""Filters that write the repeated rows of the campaign page and report: the result
panel's dimensions, risk drivers and suggestions, the assessment's sections, the
reviewers, votes and decisions, and the history. Each row is built here with escaping,
in the markup the partial had in its loop: a page showed some sixty rows through two
hundred template variables and tags, which cost more than all of the page's queries.
The partials keep the surrounding markup and the empty states; every value a user or
the questionnaire wrote is escaped.
"""

from datetime import UTC
from html import escape

from django import template
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

register = template.Library()


def _text(value) -> str:
    """A value as a template variable writes it: localized, then escaped."""
    return escape(str(localize(value)))


def _safe(parts: list[str]) -> SafeString:
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped by _text


@register.filter
def dimension_rows(rows) -> SafeString:
    """``<tr>`` of each dimension: title, R / Rmax, M / Mmax, residual % and a meter."""
    out = []
    for row in rows:
        score, pct = row["score"], _text(row["pct_text"])
        out.append(
            "\n            <tr>\n"
            f'              <th scope="row" class="fw-normal">{_text(row["title"])}</th>\n'
            '              <td class="text-end"><span class="ltr-value">'
            f"{_text(score.raw)} / {_text(score.raw_max)}</span></td>\n"
            '              <td class="text-end"><span class="ltr-value">'
            f"{_text(score.mitigation)} / {_text(score.mitigation_max)}</span></td>\n"
            f'              <td class="text-end"><span class="ltr-value">{pct} %</span>\n'
            '                <meter class="ms-2 d-none d-md-inline" min="0" max="100" low="40" '
            f'high="60" optimum="0" value="{pct}" aria-hidden="true"></meter></td>\n'
            "            </tr>\n          "
        )
    return _safe(out)


@register.filter
def driver_items(drivers) -> SafeString:
    """``<li>`` of each answer that drives the risk, with its points."""
    unanswered = _("not answered yet")
    out = []
    for d in drivers:
        display = _text(d["display"]) if d["display"] else escape(unanswered)
        out.append(
            f"\n          <li>{_text(d['text'])} — <em>{display}</em> "
            f'<span class="ltr-value">(+{_text(d["points"])} / {_text(d["max_points"])})'
            "</span></li>\n        "
        )
    return _safe(out)


@register.filter
def suggestion_items(suggestions) -> SafeString:
    """``<li>`` of each safeguard that would lower the risk: the answer, the tier after."""
    out = []
    for s in suggestions:
        tier = _text(s["tier_after"])
        out.append(
            f"\n          <li>{_text(s['text'])} → <strong>{_text(s['best'])}</strong>: "
            f'<span class="badge tier-badge tier-{tier}" data-testid="tier-badge" '
            f'data-tier="{tier}">{_text(s["tier_label"])}</span> '
            f'<span class="ltr-value">({_text(s["pct_after_text"])} %)</span></li>\n        '
        )
    return _safe(out)


@register.filter
def section_items(sections, steps_url: str) -> SafeString:
    """``<li>`` of each assessment section: its step's link, answered of required."""
    complete = escape(_("complete"))
    base = escape(steps_url)
    out = []
    for s in sections:
        done = s.done
        badge = "text-bg-success" if done else "text-bg-light border"
        tick = f' ✓<span class="visually-hidden"> {complete}</span>' if done else ""
        out.append(
            '\n            <li class="list-group-item d-flex justify-content-between '
            'align-items-start">\n'
            f'              <a class="ms-2 me-auto" href="{base}{escape(s.code)}/">'
            f"{_text(s.title)}</a>\n"
            f'              <span class="badge {badge}">{_text(s.answered_required)}/'
            f"{_text(s.required)}{tick}</span>\n"
            "            </li>\n          "
        )
    return _safe(out)


@register.filter
def timeline_items(events) -> SafeString:
    """``<li>`` of each event of the history (``selectors.timeline_rows``)."""
    system = escape(_("system"))
    out = []
    for e in events:
        version = f" · v{_text(e['version'])}" if e["version"] else ""
        who = system if e["system"] else _text(e["actor"])
        reviewer = f" → {_text(e['reviewer'])}" if e["reviewer"] else ""
        detail = f" · {_text(e['detail'])}" if e["detail"] else ""
        out.append(
            f'\n      <li class="border-start border-2 ps-2 mb-1" data-kind="{_text(e["kind"])}">\n'
            f'        <time datetime="{_text(e["at_iso"])}"><span class="ltr-value">'
            f"{_text(e['at_text'])} UTC</span></time> · <strong>{_text(e['label'])}</strong>"
            f"{version}\n        · {who}{reviewer}{detail}\n      </li>\n    "
        )
    return _safe(out)


@register.filter
def assignment_items(assignments) -> SafeString:
    """``<li>`` of each reviewer asked: name, specialist badge, status, recusal or
    declaration."""
    specialist = escape(_("specialist"))
    declared = escape(_("declared"))
    out = []
    for a in assignments:
        badge = (
            f' <span class="badge text-bg-light border">{specialist}</span>'
            if a.reviewer.is_specialist
            else ""
        )
        if a.status == "recused":
            why = f": <em>{_text(a.recusal_reason)}</em>"
        elif a.coi_declaration:
            why = f" · {declared}: <em>{_text(a.coi_declaration)}</em>"
        else:
            why = ""
        out.append(
            f"\n          <li>{_text(a.reviewer)}{badge} — {_text(a.get_status_display())}"
            f"{why}</li>\n        "
        )
    return _safe(out)


@register.filter
def vote_items(votes) -> SafeString:
    """``<li>`` of each signed vote: version, decision, rationale, conditions and the
    signature (who, when in UTC, its meaning, the version's fingerprint)."""
    signed_by = escape(_("Signed by"))
    out = []
    for v in votes:
        conditions = (
            "<ul>" + "".join(f"<li>{_text(c)}</li>" for c in v.conditions) + "</ul>"
            if v.conditions
            else ""
        )
        at = v.signed_at.astimezone(UTC)  # signatures are shown as signed: in UTC
        out.append(
            '\n            <li class="mb-2 border-start border-3 ps-2">\n'
            f"              <strong>v{_text(v.version.number)} · "
            f"{_text(v.get_decision_display())}</strong> — {_text(v.rationale)}\n"
            f"              {conditions}\n"
            f'              <div class="text-body-secondary">{signed_by} {_text(v.signer_name)} · '
            f'<time datetime="{escape(at.isoformat())}">{at:%Y-%m-%d %H:%M} UTC</time> · '
            f"“{_text(v.meaning)}” · <code>{_text(Truncator(v.fingerprint).chars(14))}</code>"
            "</div>\n            </li>\n          "
        )
    return _safe(out)


@register.filter
def decision_items(decisions) -> SafeString:
    """``<li>`` of each decision: version, kind, outcome, who signed it and why."""
    signed_by = escape(_("signed by"))
    out = []
    for d in decisions:
        signer = f" · {signed_by} {_text(d.signer_name)}" if d.signer_name else ""
        rationale = f": <em>{_text(d.rationale)}</em>" if d.rationale else ""
        out.append(
            f"\n            <li>v{_text(d.version.number)} · {_text(d.get_kind_display())} → "
            f"<strong>{_text(d.get_outcome_display())}</strong>{signer}{rationale}</li>\n          "
        )
    return _safe(out)
