"""When an incident next needs the sweep (APPI-26): pure planning over its fields.

A reportable incident gets, for each report not yet submitted, a reminder to the privacy
officers one day before its deadline and an escalation when it is overdue. The deadlines
themselves come from `ccucaas_privacy.clock` (leak_preliminary_due_at, leak_final_due_at).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

REMINDER_BEFORE = timedelta(days=1)
STAGES = ("preliminary", "final")


@dataclass(frozen=True)
class PlannedAlert:
    kind: str  # "preliminary_reminder_1d", "preliminary_overdue", "final_reminder_1d", ...
    due_at: datetime
    series: str  # the stage: a catch-up sweep sends only the latest alert of a series
    stage: str


def due_of(incident, stage: str) -> datetime:
    return incident.preliminary_due_at if stage == "preliminary" else incident.final_due_at


def submitted_at_of(incident, stage: str) -> datetime | None:
    return (incident.preliminary_submitted_at if stage == "preliminary"
            else incident.final_submitted_at)


def alert_schedule(incident) -> list[PlannedAlert]:
    if not incident.reportable:
        return []
    plan = []
    for stage in STAGES:
        if submitted_at_of(incident, stage) is not None:
            continue
        due = due_of(incident, stage)
        plan.append(PlannedAlert(f"{stage}_reminder_1d", due - REMINDER_BEFORE, stage, stage))
        plan.append(PlannedAlert(f"{stage}_overdue", due, stage, stage))
    return sorted(plan, key=lambda alert: alert.due_at)


def next_check_at(incident, *, handled_kinds: frozenset[str]) -> datetime | None:
    pending = [a.due_at for a in alert_schedule(incident) if a.kind not in handled_kinds]
    return min(pending) if pending else None


def is_overdue(incident, stage: str, *, now: datetime) -> bool:
    return (incident.reportable and submitted_at_of(incident, stage) is None
            and due_of(incident, stage) <= now)
