"""Identity verification of help-desk and web-form requests: a single-use link and a 6-digit code.

Only HMAC-SHA256 digests (keyed with SECRET_KEY) of the link token and the code are stored, so
a copy of the database does not reveal a usable link or code. The challenge functions are called
from the services below (inside their transaction); never directly from views.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _

from ccucaas_privacy.errors import ConflictError, DomainError
from ccucaas_privacy.rules import enforces
from requests_app.hooks import request_received
from requests_app.models import (
    DataSubjectRequest,
    RequestEvent,
    VerificationChallenge,
)
from requests_app.selectors import requests as selectors
from requests_app.services.notify import notify_subject
from requests_app.services.transitions import (
    _check,
    _lock,
    _locked_for,
    _now,
    _set_reply_due,
    _transition,
)


@dataclass(frozen=True)
class VerificationSent:
    challenge_id: int
    token: str
    code: str
    expires_at: datetime

    @property
    def path(self) -> str:
        return reverse("requests:verify", kwargs={"token": self.token})



@dataclass(frozen=True)
class Attempt:
    ok: bool
    challenge: VerificationChallenge | None = None
    error: DomainError | None = None



class VerificationError(DomainError):
    status = 400
    code = "verification_failed"



def _digest(*parts: str) -> str:
    message = "\x1f".join(parts).encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()



def token_hash(token: str) -> str:
    return _digest("token", token)



def challenge_issue(*, request, now: datetime) -> VerificationSent:
    """A new link + code for `request`; earlier unused challenges stop working."""
    request.challenges.filter(used_at=None, invalidated_at=None).update(invalidated_at=now)
    token = secrets.token_urlsafe(32)
    code = f"{secrets.randbelow(1_000_000):06d}"
    ttl = timedelta(hours=settings.DEADLINES["VERIFICATION_CODE_TTL_HOURS"])
    thash = token_hash(token)
    challenge = VerificationChallenge.objects.create(
        request=request, token_hash=thash, code_hash=_digest("code", thash, code),
        created_at=now, expires_at=now + ttl,
    )
    return VerificationSent(challenge_id=challenge.pk, token=token, code=code,
                            expires_at=challenge.expires_at)



def challenge_for_token(token: str) -> VerificationChallenge | None:
    return (VerificationChallenge.objects.select_related("request")
            .filter(token_hash=token_hash(token or "")).first())



def challenge_problem(challenge: VerificationChallenge | None, *, now: datetime) -> DomainError | None:
    """Why this link can no longer be used, or None when it can."""
    if challenge is None:
        return VerificationError(_("This verification link is not valid."), code="verification_invalid",
                                 status=404)
    if challenge.used_at is not None:
        return VerificationError(_("This verification link has already been used."),
                                 code="verification_used", status=409)
    if challenge.invalidated_at is not None:
        return VerificationError(
            _("This verification link is no longer valid (too many wrong codes, or a newer "
              "email was sent). Please ask for a new one."), code="verification_invalidated",
            status=409)
    if now >= challenge.expires_at:
        return VerificationError(_("This verification link has expired. Please ask for a new one."),
                                 code="verification_expired", status=410)
    return None



def challenge_attempt(*, token: str, code: str, now: datetime) -> Attempt:
    """Check a code against the link's challenge; counts wrong codes (caller commits them)."""
    challenge = challenge_for_token(token)
    if challenge is not None:
        challenge = VerificationChallenge.objects.select_for_update().get(pk=challenge.pk)
    problem = challenge_problem(challenge, now=now)
    if problem is not None:
        return Attempt(ok=False, challenge=challenge, error=problem)
    code = (code or "").strip()
    if hmac.compare_digest(_digest("code", challenge.token_hash, code), challenge.code_hash):
        VerificationChallenge.objects.filter(pk=challenge.pk).update(used_at=now)
        return Attempt(ok=True, challenge=challenge)
    limit = settings.REQUESTS["VERIFICATION_MAX_WRONG_CODES"]
    failed = challenge.failed_attempts + 1
    VerificationChallenge.objects.filter(pk=challenge.pk).update(
        failed_attempts=F("failed_attempts") + 1,
        invalidated_at=now if failed >= limit else None,
    )
    if failed >= limit:
        return Attempt(ok=False, challenge=challenge, error=VerificationError(
            _("Too many wrong codes. This link no longer works; please ask for a new one."),
            code="verification_invalidated", status=409))
    remaining = limit - failed
    return Attempt(ok=False, challenge=challenge, error=VerificationError(
        _("The code is not correct. %(remaining)d attempts left.") % {"remaining": remaining},
        code="verification_wrong_code", details={"code": [_("The code is not correct.")]}))



def _record_send(request: DataSubjectRequest, *, sent: VerificationSent, actor, now: datetime) -> None:
    RequestEvent.objects.create(
        request=request, actor=actor if getattr(actor, "pk", None) else None,
        action="send_verification", from_status=request.status, to_status=request.status,
        data={"challenge": sent.challenge_id, "expires_at": sent.expires_at.isoformat()},
        created_at=now,
    )
    notify_subject(request, kind="request_verification",
                   cause_suffix=f"verification:{sent.challenge_id}",
                   extra={"code": sent.code, "verify_path": sent.path,
                          "expires_at": selectors.format_jst(sent.expires_at)})



def request_send_verification(*, request: DataSubjectRequest, actor=None,
                              now: datetime | None = None) -> VerificationSent:
    """Resend the verification email: a new link and code; the old ones stop working."""
    now = _now(now)
    with _locked_for(request, "send_verification") as request:
        sends = request.challenges.count()
        cfg = settings.REQUESTS
        if sends >= cfg["VERIFICATION_MAX_SENDS"]:
            raise DomainError(_("Too many verification emails were sent for this request. "
                                "Please contact the help desk."),
                              code="verification_send_limit", status=429)
        last = request.challenges.order_by("-created_at").first()
        interval = timedelta(seconds=cfg["VERIFICATION_RESEND_INTERVAL_SECONDS"])
        if last is not None and now < last.created_at + interval:
            raise DomainError(_("A verification email was sent moments ago. "
                                "Please wait a minute before asking again."),
                              code="verification_resend_too_soon", status=429)
        sent = challenge_issue(request=request, now=now)
        _record_send(request, sent=sent, actor=actor, now=now)
        return sent



def _verified(request: DataSubjectRequest, *, actor, now: datetime, note: str, how: str) -> None:
    request.identity_verified_at = now
    _set_reply_due(request)
    _transition(request, action="verify_identity", actor=actor, now=now, note=note,
                data={"method": how})
    notify_subject(request, kind="request_received", cause_suffix="received")
    request_received.call(request=request, now=now)  # issue 25: automation



@enforces("P21", "P26")
def request_verify_identity(*, request: DataSubjectRequest, actor, note: str = "",
                            method: str = "staff", now: datetime | None = None
                            ) -> DataSubjectRequest:
    """Staff confirmed the requester's identity by other means (e.g. a documented call-back);
    `method` names another way (an authorized agent's user verification: "agent_sign_in")."""
    now = _now(now)
    with _locked_for(request, "verify_identity") as request:
        request.challenges.filter(used_at=None, invalidated_at=None).update(invalidated_at=now)
        _verified(request, actor=actor, now=now, note=note, how=method)
        return request



def request_verify_by_code(*, token: str, code: str, now: datetime | None = None
                           ) -> DataSubjectRequest:
    """The subject opened the emailed link and typed the 6-digit code.

    A wrong code is counted even though the call fails (so the count is committed first);
    the 5th wrong code kills the challenge.
    """
    now = _now(now)
    with transaction.atomic():
        outcome = challenge_attempt(token=token, code=code, now=now)
        if outcome.ok:
            request = _lock(outcome.challenge.request)
            _check(request, "verify_identity")
            _verified(request, actor=None, now=now, note="", how="email_code")
            return request
    raise outcome.error



def start_again_paths(request: DataSubjectRequest) -> dict[str, str]:
    """Where a requester whose request expired starts again, in the request's language: the
    help-desk form (anyone) and, for an account holder, the portal's new-request page."""
    from django.utils import translation

    with translation.override(request.language):
        paths = {"helpdesk_path": reverse("requests:helpdesk")}
        if request.subject_id:
            paths["new_request_path"] = reverse("requests:new")
        return paths



@enforces("P21", "P26")
def request_verification_remind(*, request: DataSubjectRequest, now: datetime | None = None
                                ) -> VerificationSent:
    """The one reminder to verify (called by the deadline sweep, which records it once per
    request): a new link and code, since only digests of the first ones are kept. It does not
    count against VERIFICATION_MAX_SENDS (the requester did not ask for it); the email's cause
    is the same for every call, so the outbox never sends it twice either."""
    now = _now(now)
    with _locked_for(request, "send_verification") as request:
        sent = challenge_issue(request=request, now=now)
        RequestEvent.objects.create(
            request=request, action="verification_reminder", from_status=request.status,
            to_status=request.status, created_at=now,
            data={"challenge": sent.challenge_id, "expires_at": sent.expires_at.isoformat()})
        expires = request.received_at + timedelta(days=settings.DEADLINES["VERIFICATION_EXPIRY_DAYS"])
        notify_subject(request, kind="request_verification_reminder",
                       cause_suffix="verification_reminder",
                       extra={"code": sent.code, "verify_path": sent.path,
                              "expires_at": selectors.format_jst(sent.expires_at),
                              "request_expires_at": selectors.format_jst(expires)})
        return sent



def request_expire(*, request: DataSubjectRequest, now: datetime | None = None) -> DataSubjectRequest:
    """Identity never verified within VERIFICATION_EXPIRY_DAYS (called by the deadline sweep)."""
    now = _now(now)
    with _locked_for(request, "expire") as request:
        expires = request.received_at + timedelta(days=settings.DEADLINES["VERIFICATION_EXPIRY_DAYS"])
        if now < expires:
            raise ConflictError(_("This request has not reached its verification deadline yet."),
                                code="not_yet_expired")
        request.closed_at = now
        request.challenges.filter(used_at=None, invalidated_at=None).update(invalidated_at=now)
        _transition(request, action="expire", actor=None, now=now)
        notify_subject(request, kind="request_expired", cause_suffix="expired",
                       extra=start_again_paths(request))
        return request
