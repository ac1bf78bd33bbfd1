"""Requests filed by a representative (代理人, APPI Art. 37(3); issue 21).

A legal representative (法定代理人: a parent of a minor, an adult guardian) or an appointed agent
(任意代理人, with a letter of authority 委任状) files for the person through the help-desk form
or the help desk. Contract of the request's fields: `representative_kind` ("" none, "legal",
"appointed"), `representative_name`, `representative_email`, `representative_relation`,
`representative_status` ("pending", "verified", "objected"), `representative_verified_at`,
`representative_verified_by`; the proofs are `RepresentativeProof` rows.

- Filing needs the representative's identity and at least one proof of authority (PDF, PNG or
  JPEG, at most REPRESENTATIVE_PROOF_MAX_BYTES each, recognised by content, stored privately
  under a name of ours); without them nothing is written.
- Every email about the request goes to the representative (notify.py); the person is told
  separately that a request was made in their name, with a signed link to object.
- Staff verify the representative's identity and authority (admin action, on the timeline)
  before anything is disclosed: a reply or a package is refused until then (a domain error),
  and again after the person objected, until staff verify anew.
"""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ccucaas_privacy import clock
from ccucaas_privacy.errors import ConflictError, DomainError
from ccucaas_privacy.rules import enforces
from ccucaas_privacy.staff import privacy_officers
from notifications_app.kinds import Category, register_kind
from notifications_app.services.outbox import notification_queue
from requests_app.models import (
    DataSubjectRequest,
    RepresentativeKind,
    RepresentativeProof,
    RepresentativeStatus,
    RequestEvent,
)

PROOF_STORAGE = "representative_proofs"  # a named storage, when configured (STORAGES)
PROOF_DIR = "representatives"
OBJECTION_SALT = "requests_app.representative_objection"
# What a proof may be, recognised by its first bytes (never by the name or the browser's claim).
PROOF_TYPES = {"application/pdf": (b"%PDF-", "pdf"), "image/png": (b"\x89PNG\r\n\x1a\n", "png"),
               "image/jpeg": (b"\xff\xd8\xff", "jpg")}
KINDS = {
    "request_principal_notice": "The person is told a representative filed a request in their "
                                "name, with a link to object",
    "staff_principal_objection": "Staff notice: the person objected to a representative's request",
}


def kinds_register() -> None:
    for kind, description in KINDS.items():
        register_kind(kind, category=Category.MANDATORY, description=description)


@dataclass(frozen=True)
class Representative:
    kind: str
    name: str
    email: str
    relation: str = ""


class RepresentativeNotVerified(ConflictError):
    code = "representative_not_verified"


def proof_storage() -> Storage:
    """The private store of proofs: STORAGES["representative_proofs"] when configured, else the
    private store the disclosure packages use (never web-served)."""
    if PROOF_STORAGE in settings.STORAGES:
        return storages[PROOF_STORAGE]
    from requests_app.services.packages import private_storage

    return private_storage()


def _error(field: str, message: str, code: str = "invalid") -> DomainError:
    return DomainError(message, code=code, details={field: [message]})


def representative_clean(*, kind: str, name: str, email: str, relation: str = "",
                         proofs: list | None = None) -> Representative | None:
    """The representative of a filing, checked (DomainError with field errors otherwise);
    None when the person files themselves (kind "")."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    kind = kind or ""
    if kind not in RepresentativeKind.values:
        raise _error("representative_kind", _("Unknown kind of representative."))
    if not kind:
        return None
    name, email, relation = (name or "").strip(), (email or "").strip(), (relation or "").strip()
    if not name or len(name) > 200:
        raise _error("representative_name", _("Give the representative's name (at most 200 "
                                              "characters)."))
    try:
        validate_email(email)
    except ValidationError:
        raise _error("representative_email", _("Give the representative's email address: "
                                               "the replies go there.")) from None
    if len(relation) > 200:
        raise _error("representative_relation", _("At most 200 characters."))
    if not proofs:
        raise _error("representative_proof", _("A representative's request needs proof of "
                                                "authority (a letter of authority, or for "
                                                "a legal representative e.g. a family register "
                                                "extract or the guardianship registration)."),
                     code="representative_proof_required")
    if len(proofs) > settings.REPRESENTATIVE_PROOF_MAX_FILES:
        raise _error("representative_proof", _("At most %(count)d files.")
                     % {"count": settings.REPRESENTATIVE_PROOF_MAX_FILES})
    for upload in proofs:
        proof_type(upload)
    return Representative(kind=kind, name=name, email=email, relation=relation)


def proof_type(upload) -> str:
    """The content type of an uploaded proof, from its first bytes; refuses anything else and
    anything larger than REPRESENTATIVE_PROOF_MAX_BYTES."""
    limit = settings.REPRESENTATIVE_PROOF_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise _error("representative_proof", _("A proof file may be at most %(mb)d MB.")
                     % {"mb": limit // (1024 * 1024)}, code="representative_proof_too_large")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for content_type, (magic, _ext) in PROOF_TYPES.items():
        if head.startswith(magic):
            return content_type
    raise _error("representative_proof", _("A proof must be a PDF, PNG or JPEG file."),
                 code="representative_proof_type")


def _display_name(name: str) -> str:
    """The uploader's file name for display only: no directories, no control characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip() or "proof"
    return base[-150:]


def proof_store(*, request: DataSubjectRequest, upload, now: datetime) -> RepresentativeProof:
    """Store one checked proof privately under a name of ours (never the uploader's)."""
    content_type = proof_type(upload)
    data = upload.read(settings.REPRESENTATIVE_PROOF_MAX_BYTES + 1)
    if len(data) > settings.REPRESENTATIVE_PROOF_MAX_BYTES:
        raise _error("representative_proof", _("A proof file is too large."),
                     code="representative_proof_too_large")
    extension = PROOF_TYPES[content_type][1]
    stored = proof_storage().save(f"{PROOF_DIR}/{request.pk}/{uuid.uuid4().hex}.{extension}",
                                  ContentFile(data))
    return RepresentativeProof.objects.create(
        request=request, file_name=stored, original_name=_display_name(upload.name),
        content_type=content_type, size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(), uploaded_at=now)


@enforces("APPI-37")
def representative_record(*, request: DataSubjectRequest, representative: Representative,
                          proofs: list, actor=None, now: datetime | None = None
                          ) -> DataSubjectRequest:
    """Attach the (checked) representative and their proofs to a request being filed, inside
    the filing's transaction, and tell the person a request was made in their name."""
    now = clock.now() if now is None else now
    stored: list[str] = []
    try:
        with transaction.atomic():
            DataSubjectRequest.objects.filter(pk=request.pk).update(**_fields(representative))
            request.refresh_from_db()
            for upload in proofs:
                proof = proof_store(request=request, upload=upload, now=now)
                stored.append(proof.file_name)
            RequestEvent.objects.create(
                request=request, actor=actor if getattr(actor, "pk", None) else None,
                action="representative_recorded", from_status=request.status,
                to_status=request.status, created_at=now,
                data={"kind": representative.kind, "proofs": len(stored)})
            _notify_principal(request)
    except BaseException:
        for name in stored:  # nothing of a refused filing stays behind
            proof_storage().delete(name)
        raise
    return request


def representative_request_file(*, representative: Representative | None, proofs: list,
                                actor=None, **filing_kwargs) -> tuple:
    """`filing.request_file(...)` for a help-desk or web-form filing, with its representative
    (if any) in the same transaction: a refused proof leaves no request behind."""
    from requests_app.services.filing import request_file

    with transaction.atomic():
        request, sent = request_file(actor=actor, representative_fields=_fields(representative),
                                     **filing_kwargs)
        if representative is not None:
            request = representative_record(request=request, representative=representative,
                                            proofs=proofs, actor=actor,
                                            now=filing_kwargs.get("now"))
    return request, sent


def _fields(representative: Representative | None) -> dict[str, str] | None:
    if representative is None:
        return None
    return {"representative_kind": representative.kind,
            "representative_name": representative.name,
            "representative_email": representative.email,
            "representative_relation": representative.relation,
            "representative_status": RepresentativeStatus.PENDING}


def objection_token(request: DataSubjectRequest) -> str:
    return signing.dumps(str(request.pk), salt=OBJECTION_SALT)


def objection_path(request: DataSubjectRequest) -> str:
    with translation.override(request.language):
        return reverse("requests:representative_objection",
                       kwargs={"token": objection_token(request)})


def _principal_target(request: DataSubjectRequest) -> dict:
    if request.subject_id:
        return {"user": request.subject}
    return {"email": request.subject_email, "language": request.language}


def _notify_principal(request: DataSubjectRequest) -> None:
    from requests_app.services.notify import _context

    context = _context(request, request.language) | {
        "representative_name": request.representative_name,
        "representative_kind_label": _kind_label(request),
        "objection_path": objection_path(request),
    }
    notification_queue(kind="request_principal_notice", cause=f"request:{request.pk}:principal",
                       context=context, **_principal_target(request))


def _kind_label(request: DataSubjectRequest) -> str:
    with translation.override(request.language):
        return str(RepresentativeKind(request.representative_kind).label)


def request_for_objection(*, token: str) -> DataSubjectRequest:
    """The request behind a principal's objection link (404-style DomainError otherwise)."""
    try:
        pk = signing.loads(token, salt=OBJECTION_SALT,
                           max_age=settings.REPRESENTATIVE_OBJECTION_DAYS * 86400)
    except signing.BadSignature:
        raise DomainError(_("This link is not valid or has expired."), code="not_found",
                          status=404) from None
    request = DataSubjectRequest.objects.filter(pk=pk).exclude(representative_kind="").first()
    if request is None:
        raise DomainError(_("This link is not valid or has expired."), code="not_found", status=404)
    return request


@enforces("APPI-37")
def representative_objection_record(*, token: str, note: str = "",
                                    now: datetime | None = None) -> DataSubjectRequest:
    """The person objects to a request made in their name: on the timeline, staff alerted, and
    nothing is disclosed until staff verify the representative again."""
    now = clock.now() if now is None else now
    note = (note or "").strip()[: settings.REQUESTS["TEXT_MAX_CHARS"]]
    with transaction.atomic():
        request = (DataSubjectRequest.objects.select_for_update()
                   .get(pk=request_for_objection(token=token).pk))
        DataSubjectRequest.objects.filter(pk=request.pk).update(
            representative_status=RepresentativeStatus.OBJECTED)
        event = RequestEvent.objects.create(
            request=request, action="principal_objection", from_status=request.status,
            to_status=request.status, note=note, created_at=now)
        for officer in privacy_officers():
            notification_queue(
                kind="staff_principal_objection", cause=f"request:{request.pk}:objection:{event.pk}",
                user=officer, context={
                    "reference": request.reference, "request_id": str(request.pk),
                    "admin_path": reverse("admin:requests_app_datasubjectrequest_change",
                                          args=[request.pk])})
        request.refresh_from_db()
        return request


@enforces("APPI-37")
def representative_verify(*, request: DataSubjectRequest, actor, note: str = "",
                          now: datetime | None = None) -> DataSubjectRequest:
    """Staff checked the representative's identity and the proof of authority (logged on the
    timeline with who and when). Needs at least one proof."""
    now = clock.now() if now is None else now
    with transaction.atomic():
        request = DataSubjectRequest.objects.select_for_update().get(pk=request.pk)
        if not request.representative_kind:
            raise ConflictError(_("This request was not made by a representative."),
                                code="no_representative")
        if not request.representative_proofs.exists():
            raise ConflictError(_("There is no proof of authority to verify."),
                                code="representative_proof_required")
        DataSubjectRequest.objects.filter(pk=request.pk).update(
            representative_status=RepresentativeStatus.VERIFIED,
            representative_verified_at=now, representative_verified_by=actor)
        RequestEvent.objects.create(
            request=request, actor=actor, action="verify_representative",
            from_status=request.status, to_status=request.status, note=note, created_at=now,
            data={"proofs": list(request.representative_proofs.values_list("sha256", flat=True))})
        request.refresh_from_db()
        return request


@enforces("APPI-37")
def representative_disclosure_check(request: DataSubjectRequest) -> None:
    """Nothing is disclosed to a representative staff have not verified (or after the person
    objected): raises RepresentativeNotVerified."""
    if request.representative_kind and request.representative_status != RepresentativeStatus.VERIFIED:
        raise RepresentativeNotVerified(
            _("The representative's identity and authority must be verified by staff before "
              "anything is disclosed."))


def representative_proofs_listing(request: DataSubjectRequest) -> list[dict]:
    """The proofs of a request, for its disclosure package and the admin."""
    return [{"name": p.original_name, "type": p.content_type, "bytes": p.size_bytes,
             "sha256": p.sha256, "uploaded_at": p.uploaded_at.isoformat()}
            for p in request.representative_proofs.all()]
