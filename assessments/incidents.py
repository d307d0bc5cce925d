"""Reads about incidents: the dashboard's figures (open, by harm type, time to close)."""

from dataclasses import dataclass, field
from statistics import median

from .models import HarmType, Incident, IncidentStatus


@dataclass
class IncidentFigures:
    open: int = 0
    closed: int = 0
    suspending: int = 0
    by_harm: list[tuple[str, str, int, int]] = field(default_factory=list)  # code, label, open, all
    median_days_to_close: float | None = None


def figures() -> IncidentFigures:
    """One query; incidents are rare, so their few rows are summed here rather than in
    grouped SQL (the time to close would need a database-specific duration average)."""
    rows = Incident.objects.values_list(
        "harm_type",
        "status",
        "opened_at",
        "closed_at",
        "suspends_clearance",
        "suspension_lifted_at",
    )
    result = IncidentFigures()
    counts = {code: [0, 0] for code in HarmType.values}
    durations = []
    for harm, status, opened, closed, suspends, lifted in rows:
        counts.setdefault(harm, [0, 0])[1] += 1
        if status == IncidentStatus.OPEN:
            result.open += 1
            counts[harm][0] += 1
            result.suspending += bool(suspends and lifted is None)
        elif closed is not None:
            result.closed += 1
            durations.append((closed - opened).total_seconds() / 86400)
    labels = dict(HarmType.choices)
    result.by_harm = [
        (code, labels.get(code, code), n_open, n_all) for code, (n_open, n_all) in counts.items()
    ]
    result.median_days_to_close = round(median(durations), 1) if durations else None
    return result
