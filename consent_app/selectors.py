"""Reads over the consent ledger, policy versions, testimonials and provision records."""

from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery

from ccucaas_privacy import clock
from ccucaas_privacy.rules import enforces
from consent_app import purposes as codes
from consent_app.models import (
    ConsentAction,
    ConsentEvent,
    PolicyAcceptance,
    PolicyVersion,
    ProvisionRecord,
    Purpose,
    Testimonial,
)

GRANTED_ACTIONS = (ConsentAction.GRANTED, ConsentAction.DEEMED)


def consent_latest_event(*, user, purpose: str) -> ConsentEvent | None:
    return (ConsentEvent.objects.filter(user=user, purpose=purpose)
            .order_by("-created_at", "-id").first())


def consent_is_granted(*, user, purpose: str) -> bool:
    """Current state = the latest ledger event for (user, purpose); no event = not granted."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    latest = consent_latest_event(user=user, purpose=purpose)
    return latest is not None and latest.action in GRANTED_ACTIONS


def users_with_consent(*, user_ids: list[int], purpose: str) -> set[int]:
    """The ids among `user_ids` whose current state for `purpose` is granted: the same rule as
    `consent_is_granted`, for many users in one query (a batch of marketing emails)."""
    from django.contrib.auth import get_user_model
    from django.db.models import OuterRef, Subquery

    latest = (ConsentEvent.objects.filter(user=OuterRef("pk"), purpose=purpose)
              .order_by("-created_at", "-id").values("action")[:1])
    return set(get_user_model().objects.filter(pk__in=user_ids)
               .annotate(latest_action=Subquery(latest))
               .filter(latest_action__in=GRANTED_ACTIONS).values_list("pk", flat=True))


def consent_events_for_user(*, user) -> QuerySet[ConsentEvent]:
    return ConsentEvent.objects.filter(user=user).select_related("policy_version")


def consent_event_get(*, user, receipt_id) -> ConsentEvent:
    """The user's own event (another user's receipt is a 404)."""
    return ConsentEvent.objects.select_related("policy_version", "user").get(
        user=user, receipt_id=receipt_id)


@dataclass(frozen=True)
class ConsentState:
    code: str
    purpose: Purpose
    parameter: str
    granted: bool
    latest: ConsentEvent | None

    @property
    def name(self) -> str:
        return f"{self.purpose.name}: {self.parameter}" if self.parameter else self.purpose.name


def consent_states(*, user) -> list[ConsentState]:
    """Every fixed purpose, plus each parameterised purpose the user has events for."""
    latest_by_code: dict[str, ConsentEvent] = {}
    for event in consent_events_for_user(user=user).order_by("created_at", "id"):
        latest_by_code[event.purpose] = event
    states = []
    for purpose in Purpose.objects.all():
        if purpose.parameterised:
            prefix = purpose.code + ":"
            for code in sorted(c for c in latest_by_code if c.startswith(prefix)):
                event = latest_by_code[code]
                states.append(ConsentState(code, purpose, code[len(prefix):],
                                           event.action in GRANTED_ACTIONS, event))
            continue
        event = latest_by_code.get(purpose.code)
        granted = event is not None and event.action in GRANTED_ACTIONS
        states.append(ConsentState(purpose.code, purpose, "", granted, event))
    return states


# --- policy versions (P25) ---------------------------------------------------------------

def policy_versions_published() -> QuerySet[PolicyVersion]:
    return PolicyVersion.objects.order_by("-effective_at")


def policy_version_current() -> PolicyVersion | None:
    """The version in effect now: the latest whose effective_at has passed."""
    return (PolicyVersion.objects.filter(effective_at__lte=clock.now())
            .order_by("-effective_at").first())


def policy_version_upcoming() -> PolicyVersion | None:
    """The next announced version not yet in effect."""
    return (PolicyVersion.objects.filter(effective_at__gt=clock.now())
            .order_by("effective_at").first())


def policy_version_get(*, version: str) -> PolicyVersion:
    return PolicyVersion.objects.get(version=version)


def policy_acceptance_exists(*, user, version: PolicyVersion) -> bool:
    return PolicyAcceptance.objects.filter(user=user, version=version).exists()


def policy_acceptances_for_user(*, user) -> QuerySet[PolicyAcceptance]:
    return PolicyAcceptance.objects.filter(user=user).select_related("version")


# --- testimonials (P05) ------------------------------------------------------------------

def _latest_testimonial_action():
    return Subquery(
        ConsentEvent.objects.filter(user=OuterRef("user"),
                                    purpose=codes.TESTIMONIAL_PUBLICATION)
        .order_by("-created_at", "-id").values("action")[:1]
    )


@enforces("P05")
def testimonials_published() -> QuerySet[Testimonial]:
    """Ready testimonials whose author's consent is granted right now (one query)."""
    return (Testimonial.objects.filter(ready=True)
            .annotate(consent_action=_latest_testimonial_action())
            .filter(consent_action__in=GRANTED_ACTIONS)
            .order_by("-created_at"))


@enforces("P05")
def testimonial_is_published(*, testimonial: Testimonial) -> bool:
    return testimonials_published().filter(pk=testimonial.pk).exists()


def testimonials_for_user(*, user) -> QuerySet[Testimonial]:
    return Testimonial.objects.filter(user=user)


# --- provision records (P14-P16, P22) ------------------------------------------------------

def provision_records_for_user(*, user) -> QuerySet[ProvisionRecord]:
    """The record of provisions to others, for the disclosure package (APPI Art. 33(5))."""
    return ProvisionRecord.objects.filter(user=user).select_related("consent_event")
