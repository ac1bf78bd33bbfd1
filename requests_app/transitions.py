"""The state machine of a data-subject request (DESIGN section 4): which action may leave which
status, and where it goes. Services consult this table; anything not in it is a ConflictError.
"""

from requests_app.models import Status

S = Status

# action -> (statuses it may start from, status it leads to; None = unchanged)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "send_verification": (frozenset({S.AWAITING_VERIFICATION}), None),
    "verify_identity": (frozenset({S.AWAITING_VERIFICATION}), S.RECEIVED),
    "expire": (frozenset({S.AWAITING_VERIFICATION}), S.EXPIRED),
    "assign": (frozenset({S.AWAITING_VERIFICATION, S.RECEIVED, S.IN_REVIEW, S.REPLIED}), None),
    "start_review": (frozenset({S.RECEIVED}), S.IN_REVIEW),
    "reply": (frozenset({S.RECEIVED, S.IN_REVIEW}), S.REPLIED),
    "reject": (frozenset({S.AWAITING_VERIFICATION, S.RECEIVED, S.IN_REVIEW}), S.REJECTED),
    # Before the reply only (DESIGN section 4): after it the change is already under way.
    "withdraw": (frozenset({S.AWAITING_VERIFICATION, S.RECEIVED, S.IN_REVIEW}), S.WITHDRAWN),
    "complete": (frozenset({S.REPLIED}), S.COMPLETED),
}

ACTIONS = tuple(TRANSITIONS)


def allowed_from(action: str) -> frozenset[str]:
    return TRANSITIONS[action][0]


def target(action: str, current: str) -> str:
    to = TRANSITIONS[action][1]
    return current if to is None else to


def can(action: str, status: str) -> bool:
    return status in TRANSITIONS[action][0]
