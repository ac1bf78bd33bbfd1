"""Every state change of consent_app (noun_verb, keyword-only, one transaction each)."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ccucaas_privacy import clock
from ccucaas_privacy.errors import ConflictError, DomainError
from ccucaas_privacy.rules import enforces
from consent_app import purposes as codes
from consent_app import selectors
from consent_app.hooks import consent_withdrawn, policy_version_published
from consent_app.models import (
    AcceptanceKind,
    Channel,
    ConsentAction,
    ConsentEvent,
    Importance,
    LegalBasis,
    PolicyAcceptance,
    PolicyVersion,
    ProcessingRestriction,
    ProvisionRecord,
    RecipientType,
    RestrictionKind,
    RestrictionScope,
    Testimonial,
)


def _check_channel(channel: str) -> None:
    if channel not in Channel.values:
        raise DomainError(_("Unknown channel “%(channel)s”.") % {"channel": channel},
                          code="unknown_channel")


def _lock_user(user) -> None:
    """Serialise ledger writes per user so two clicks cannot both append a grant."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()


def _append(*, user, purpose: str, action: str, channel: str, ip, user_agent: str,
            policy_version) -> ConsentEvent:
    return ConsentEvent.objects.create(
        user=user, purpose=purpose, action=action, channel=channel, ip=ip or None,
        user_agent=(user_agent or "")[:1000],
        policy_version=policy_version or selectors.policy_version_current(),
    )


def consent_grant(*, user, purpose: str, channel: str, ip: str | None = None,
                  user_agent: str = "", policy_version=None) -> ConsentEvent:
    """Record a grant. Idempotent: when already granted, returns the event that granted it."""
    parsed, _row = codes.purpose_parse(purpose)
    _check_channel(channel)
    with transaction.atomic():
        _lock_user(user)
        latest = selectors.consent_latest_event(user=user, purpose=parsed.code)
        if latest is not None and latest.action in selectors.GRANTED_ACTIONS:
            return latest
        return _append(user=user, purpose=parsed.code, action=ConsentAction.GRANTED,
                       channel=channel, ip=ip, user_agent=user_agent,
                       policy_version=policy_version)


@enforces("P02", "P07")
def consent_withdraw(*, user, purpose: str, channel: str, ip: str | None = None,
                     user_agent: str = "") -> ConsentEvent:
    """Record a withdrawal, as easy as granting. A required purpose (P07) cannot be withdrawn
    on its own: that means closing the account, so nothing is written and the error says so.
    Idempotent: when already withdrawn, returns the event that withdrew it."""
    parsed, row = codes.purpose_parse(purpose)
    _check_channel(channel)
    if row.required or not row.withdrawable:
        raise ConflictError(
            _("“%(name)s” is required to use the service. Withdrawing it means closing your "
              "account; close the account in account settings instead. Nothing was changed.")
            % {"name": row.name},
            code="purpose_required",
        )
    with transaction.atomic():
        _lock_user(user)
        latest = selectors.consent_latest_event(user=user, purpose=parsed.code)
        if latest is not None and latest.action == ConsentAction.WITHDRAWN:
            return latest
        event = _append(user=user, purpose=parsed.code, action=ConsentAction.WITHDRAWN,
                        channel=channel, ip=ip, user_agent=user_agent, policy_version=None)
        consent_withdrawn.call(user=user, purpose=parsed.code, event=event)
        return event


@enforces("P12")
def consent_gpc_apply(*, user, ip: str | None = None, user_agent: str = "") -> ConsentEvent | None:
    """A `Sec-GPC: 1` request withdraws analytics tracking once (P12). Later explicit grants
    by the user are respected: once a GPC withdrawal is on the ledger, GPC adds nothing."""
    with transaction.atomic():
        _lock_user(user)
        events = ConsentEvent.objects.filter(user=user, purpose=codes.ANALYTICS_TRACKING)
        if events.filter(channel=Channel.GPC).exists():
            return None
        latest = events.order_by("-created_at", "-id").first()
        if latest is not None and latest.action == ConsentAction.WITHDRAWN:
            return None
        return _append(user=user, purpose=codes.ANALYTICS_TRACKING,
                       action=ConsentAction.WITHDRAWN, channel=Channel.GPC, ip=ip,
                       user_agent=user_agent, policy_version=None)


# --- policy versions (P25) ---------------------------------------------------------------

def policy_accept(*, user, version: PolicyVersion, channel: str, ip: str | None = None,
                  user_agent: str = "") -> PolicyAcceptance:
    """Record the user's explicit acceptance of `version` (idempotent)."""
    _check_channel(channel)
    with transaction.atomic():
        _lock_user(user)
        existing = PolicyAcceptance.objects.filter(
            user=user, version=version, kind=AcceptanceKind.ACCEPTED).first()
        if existing is not None:
            return existing
        return PolicyAcceptance.objects.create(
            user=user, version=version, kind=AcceptanceKind.ACCEPTED, channel=channel,
            ip=ip or None, user_agent=(user_agent or "")[:1000])


@enforces("P25")
def policy_deemed_accept(*, user, ip: str | None = None,
                         user_agent: str = "") -> PolicyAcceptance | None:
    """P25: using the service after the effective date counts as agreement. Records a
    `deemed` acceptance of the current version once, when the user has no acceptance of it."""
    version = selectors.policy_version_current()
    if version is None:
        return None
    with transaction.atomic():
        _lock_user(user)
        if selectors.policy_acceptance_exists(user=user, version=version):
            return None
        return PolicyAcceptance.objects.create(
            user=user, version=version, kind=AcceptanceKind.DEEMED, channel=Channel.PORTAL,
            ip=ip or None, user_agent=(user_agent or "")[:1000])


@enforces("P25")
def policy_version_validate(*, version: str, effective_at: datetime, importance: str,
                            published_at: datetime | None = None) -> dict[str, list[str]]:
    """The publication rules (P25), as field errors; empty when publishable. No writes."""
    published_at = published_at or clock.now()
    errors: dict[str, list[str]] = {}
    if not (version or "").strip():
        errors["version"] = [str(_("Give the version a label."))]
    elif PolicyVersion.objects.filter(version=version.strip()).exists():
        errors["version"] = [str(_("A policy version with this label already exists."))]
    if importance not in Importance.values:
        errors["importance"] = [str(_("Choose major or minor."))]
    if effective_at is None:
        errors["effective_at"] = [str(_("Give the effective date."))]
        return errors
    effective_at = clock.to_jst(effective_at)  # refuses naive datetimes
    if effective_at <= published_at:
        errors["effective_at"] = [str(_("The effective date must be in the future."))]
    elif importance == Importance.MAJOR and published_at > clock.latest_notice_at(effective_at):
        errors["effective_at"] = [str(
            _("A major change must be published at least 30 days (30 x 24 hours) before it "
              "takes effect: publish by %(latest)s or choose an effective date on or after "
              "%(earliest)s.")
            % {"latest": f"{clock.to_jst(clock.latest_notice_at(effective_at)):%Y-%m-%d %H:%M} JST",
               "earliest": f"{clock.to_jst(published_at + clock.POLICY_NOTICE_PERIOD):%Y-%m-%d %H:%M} JST"}
        )]
    else:
        later = _version_effective_on_or_after(effective_at)
        if later is not None:
            errors["effective_at"] = [str(_later_version_message(later))]
    return errors


def _version_effective_on_or_after(effective_at: datetime, *, other_than: PolicyVersion | None = None
                                   ) -> PolicyVersion | None:
    """P25: versions take effect in order; a version dated on or after `effective_at` blocks it."""
    versions = PolicyVersion.objects.filter(effective_at__gte=effective_at)
    if other_than is not None:
        versions = versions.exclude(pk=other_than.pk)
    return versions.first()


def _later_version_message(later: PolicyVersion) -> str:
    return _("Version %(version)s already takes effect on or after this date.") % {
        "version": later.version}


@enforces("P25")
def policy_version_publish(*, version: str, effective_at: datetime, importance: str,
                           summary_ja: str, summary_en: str, full_text_ja: str,
                           full_text_en: str = "", actor=None) -> PolicyVersion:
    """Publish a new policy version (P25). A major version needs 30 days' notice.

    Calls the `policy_version_published` hook in its transaction: notifications_app starts the
    notice campaign of a major version there (every user is emailed); nothing else is emitted.
    """
    errors = policy_version_validate(version=version, effective_at=effective_at,
                                     importance=importance)
    if not (summary_ja or "").strip() or not (summary_en or "").strip():
        errors["summary"] = [str(_("Summarise the changes in Japanese and English."))]
    if not (full_text_ja or "").strip():
        errors["full_text_ja"] = [str(_("Give the full Japanese text."))]
    if errors:
        first = next(iter(errors.values()))[0]
        raise DomainError(first, code="policy_version_invalid", details=errors)
    with transaction.atomic():
        created = PolicyVersion.objects.create(
            version=version.strip(), effective_at=effective_at, importance=importance,
            summary_ja=summary_ja.strip(), summary_en=summary_en.strip(),
            full_text_ja=full_text_ja, full_text_en=full_text_en, published_at=clock.now())
        # P25: a major version starts its notice campaign in the same transaction (issue 10).
        policy_version_published.call(version=created, actor=actor)
        return created


@enforces("P25")
def policy_version_postpone(*, version: PolicyVersion, effective_at: datetime,
                            now: datetime | None = None) -> PolicyVersion:
    """Move a published version's effective date later (P25). A major version's 30 days' notice
    starts again from `now`: the new date must leave 30 x 24 hours; no other version may take
    effect on or after it. Nothing changes when a rule refuses."""
    now = clock.now() if now is None else now
    new = clock.to_jst(effective_at)  # refuses naive datetimes
    with transaction.atomic():
        version = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        if version.importance == Importance.MAJOR and clock.latest_notice_at(new) < now:
            raise DomainError(
                _("The new effective date must leave 30 days (30 x 24 hours) from now: choose "
                  "%(earliest)s or later.")
                % {"earliest": f"{clock.to_jst(now + clock.POLICY_NOTICE_PERIOD):%Y-%m-%d %H:%M} JST"},
                code="effective_at_too_soon")
        if new <= version.effective_at or new <= now:
            raise DomainError(_("Postponing moves the date later."), code="effective_at_earlier")
        later = _version_effective_on_or_after(new, other_than=version)
        if later is not None:
            raise DomainError(_later_version_message(later), code="effective_at_conflict")
        version.effective_at = new
        version.save(update_fields=["effective_at"])
        return version


# --- testimonials (P05) ------------------------------------------------------------------

@enforces("P05")
def testimonial_create(*, user, display_name: str, body: str, language: str = "ja",
                       ready: bool = False, created_by=None) -> Testimonial:
    """Staff draft a testimonial. It appears publicly only while the user's consent holds."""
    if not (body or "").strip() or not (display_name or "").strip():
        raise DomainError(_("A testimonial needs a name and a text."), code="invalid")
    with transaction.atomic():
        return Testimonial.objects.create(user=user, display_name=display_name.strip(),
                                          body=body.strip(), language=language, ready=ready,
                                          created_by=created_by)


def testimonial_update(*, testimonial: Testimonial, display_name: str, body: str,
                       language: str, ready: bool) -> Testimonial:
    if not (body or "").strip() or not (display_name or "").strip():
        raise DomainError(_("A testimonial needs a name and a text."), code="invalid")
    with transaction.atomic():
        testimonial.display_name = display_name.strip()
        testimonial.body = body.strip()
        testimonial.language = language
        testimonial.ready = ready
        testimonial.save()
        return testimonial


# --- provision records (P14-P16, P22) ------------------------------------------------------

@enforces("P14", "P15", "P16", "P22", "APPI-35")
def provision_record_validate(*, user, recipient: str, recipient_type: str, purpose: str,
                              legal_basis: str, data_categories: list[str],
                              provided_at: datetime | None,
                              consent_event: ConsentEvent | None = None) -> dict[str, list[str]]:
    """The rules of a provision record, as field errors; empty when valid. No writes."""
    errors: dict[str, list[str]] = {}
    if not (recipient or "").strip():
        errors["recipient"] = [str(_("Name the recipient."))]
    if recipient_type not in RecipientType.values:
        errors["recipient_type"] = [str(_("Choose a recipient type."))]
    if legal_basis not in LegalBasis.values:
        errors["legal_basis"] = [str(_("Choose a legal basis."))]
    if not (purpose or "").strip():
        errors["purpose"] = [str(_("State the purpose of the provision."))]
    if not _categories(data_categories):
        errors["data_categories"] = [str(_("List the categories of data provided."))]
    if provided_at is None:
        errors["provided_at"] = [str(_("Give the time of the provision."))]
        return errors
    clock.to_jst(provided_at)  # refuses naive datetimes
    if provided_at > clock.now():
        errors["provided_at"] = [str(_("A provision cannot be recorded in the future."))]
    if legal_basis == LegalBasis.CONSENT:
        problem = _consent_event_problem(user=user, consent_event=consent_event,
                                         provided_at=provided_at)
        if problem:
            errors["consent_event"] = [problem]
    elif consent_event is not None and consent_event.user_id != user.pk:
        errors["consent_event"] = [str(_("This consent event belongs to another user."))]
    if (recipient or "").strip() and selectors.provision_is_restricted(user=user, recipient=recipient):
        errors["recipient"] = [str(_("The person has stopped provision of their data to this "
                                     "recipient (APPI Art. 35): it cannot be provided."))]
    return errors


def _categories(data_categories) -> list[str]:
    return [str(c).strip() for c in (data_categories or []) if str(c).strip()]


@enforces("P14", "P15", "P16", "P22")
def provision_record(*, user, recipient: str, recipient_type: str, purpose: str,
                     legal_basis: str, data_categories: list[str], provided_at: datetime,
                     consent_event: ConsentEvent | None = None,
                     recorded_by=None) -> ProvisionRecord:
    """Record one provision of the user's data to someone else (P14-P16, P22). On the basis
    of consent (P15) the user's granting consent event is required."""
    errors = provision_record_validate(
        user=user, recipient=recipient, recipient_type=recipient_type, purpose=purpose,
        legal_basis=legal_basis, data_categories=data_categories, provided_at=provided_at,
        consent_event=consent_event)
    if errors:
        first = next(iter(errors.values()))[0]
        raise DomainError(first, code="provision_invalid", details=errors)
    with transaction.atomic():
        return ProvisionRecord.objects.create(
            user=user, recipient=recipient.strip(), recipient_type=recipient_type,
            purpose=purpose.strip(), legal_basis=legal_basis,
            data_categories=_categories(data_categories), provided_at=provided_at,
            consent_event=consent_event, recorded_by=recorded_by)


def _consent_event_problem(*, user, consent_event, provided_at) -> str:
    if consent_event is None:
        return str(_("A provision on the basis of consent needs the user's consent event."))
    if consent_event.user_id != user.pk:
        return str(_("This consent event belongs to another user."))
    if consent_event.action != ConsentAction.GRANTED:
        return str(_("The consent event must be a grant."))
    base = consent_event.purpose.partition(":")[0]
    if base not in (codes.THIRD_PARTY_PROVISION, codes.NEW_PURPOSE):
        return str(_("The consent must be for provision to a third party or a new purpose."))
    if consent_event.created_at > provided_at:
        return str(_("The consent was given after the provision."))
    latest = (ConsentEvent.objects.filter(user=user, purpose=consent_event.purpose,
                                          created_at__lte=provided_at)
              .order_by("-created_at", "-id").first())
    if latest is None or latest.action not in selectors.GRANTED_ACTIONS:
        return str(_("The consent had been withdrawn at the time of the provision."))
    return ""


def testimonials_erase(*, user) -> int:
    """Deletion request (P21 covers published testimonials): remove the user's testimonials.
    The consent ledger is kept as evidence of what was agreed and when."""
    with transaction.atomic():
        deleted, _rows = Testimonial.objects.filter(user=user).delete()
        return deleted


# --- restrictions (APPI Art. 35) ------------------------------------------------------------

@enforces("APPI-35")
def restriction_record(*, user, kind: str, request_reference: str, effective_from: datetime,
                       purposes: list[str] = (), recipients: list[str] = (), erase: bool = False,
                       scope: str = RestrictionScope.FULL, scope_note: str = "",
                       substitute_measure: str = "", substitute_reason: str = ""
                       ) -> list[ProcessingRestriction]:
    """Record an accepted stop of use (one row per purpose) or of provision (one row per
    recipient). Idempotent per request: recording the same request again returns its rows."""
    if kind not in RestrictionKind.values:
        raise DomainError(_("Unknown kind of restriction."), code="unknown_restriction",
                          details={"kind": [str(_("Unknown kind of restriction."))]})
    if scope not in RestrictionScope.values:
        raise DomainError(_("Choose the scope of the restriction."), code="invalid_scope",
                          details={"scope": [str(_("Choose the scope of the restriction."))]})
    targets = list(purposes) if kind == RestrictionKind.STOP_USE else list(recipients)
    if not targets:
        field = "purposes" if kind == RestrictionKind.STOP_USE else "recipients"
        raise DomainError(_("Name at least one purpose or recipient."), code="no_target",
                          details={field: [str(_("Name at least one purpose or recipient."))]})
    if bool(substitute_measure.strip()) != bool(substitute_reason.strip()):
        raise DomainError(_("A substitute measure needs its reason (and a reason its measure)."),
                          code="substitute_incomplete",
                          details={"substitute_reason": [str(_("A substitute measure needs its "
                                                               "reason (and a reason its measure)."))]})
    if kind == RestrictionKind.STOP_USE:
        registry = set(selectors.restrictable_purpose_codes())
        for code in targets:
            if code not in registry:  # a base code stops every parameter of it
                codes.purpose_parse(code)
    with transaction.atomic():
        existing = list(ProcessingRestriction.objects.filter(
            user=user, request_reference=request_reference))
        if existing:
            return existing
        rows = [ProcessingRestriction(
            user=user, kind=kind, purpose=t if kind == RestrictionKind.STOP_USE else "",
            recipient=t if kind == RestrictionKind.STOP_PROVISION else "",
            erase=erase and kind == RestrictionKind.STOP_USE, scope=scope,
            scope_note=scope_note, substitute_measure=substitute_measure,
            substitute_reason=substitute_reason, request_reference=request_reference,
            effective_from=effective_from, created_at=clock.now()) for t in targets]
        return ProcessingRestriction.objects.bulk_create(rows)
