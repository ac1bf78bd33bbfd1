"""Identity verification of help-desk and web-form requests: a single-use link and a 6-digit code.

Only HMAC-SHA256 digests (keyed with SECRET_KEY) of the link token and the code are stored, so
a copy of the database does not reveal a usable link or code. Called from services (inside
their transaction); never directly from views.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _

from ccucaas_privacy.errors import DomainError
from requests_app.models import VerificationChallenge


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
