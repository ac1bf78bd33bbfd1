"""Services for the personal data an account holds: contacts (P04), content files (P07),
usage (P06), the visitor log (P10), payment references (P09) and forum posts (P21)."""

import csv
import io
from datetime import date, timedelta
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Count, Max, Sum
from django.utils.translation import gettext_lazy as _

from accounts_app.models import (
    Contact,
    ContentFile,
    ForumPost,
    PaymentReference,
    UsageDaily,
    UsageRecord,
    User,
    VisitorLog,
)
from ccucaas_privacy import clock
from ccucaas_privacy.errors import DomainError
from ccucaas_privacy.rules import enforces

CONTACT_FIELDS = ("name", "email", "postal_address", "phone")
CONTACT_IMPORT_MAX_ROWS = 1000
CONTACT_IMPORT_MAX_BYTES = 1024 * 1024


# --- Contacts (P04) ---------------------------------------------------------------------------

def _contact_clean_save(contact: Contact) -> Contact:
    contact.full_clean()
    contact.save()
    return contact


@enforces("P04")
@transaction.atomic
def contact_create(*, user: User, name: str, email: str = "", postal_address: str = "",
                   phone: str = "") -> Contact:
    return _contact_clean_save(Contact(user=user, name=name, email=email,
                                       postal_address=postal_address, phone=phone))


@enforces("P04")
@transaction.atomic
def contact_update(*, contact: Contact, **changes: str) -> Contact:
    for name, value in changes.items():
        if name not in CONTACT_FIELDS:
            raise DomainError(str(_("These fields cannot be changed here.")))
        setattr(contact, name, value)
    return _contact_clean_save(contact)


@transaction.atomic
def contact_delete(*, contact: Contact) -> None:
    contact.delete()


class ContactImportError(DomainError):
    """The CSV had errors; `row_errors` lists them per row and nothing was saved."""

    code = "import_rejected"

    def __init__(self, message: str, row_errors: list[tuple[int, str]]) -> None:
        super().__init__(message, details={"rows": [f"{row}: {msg}" for row, msg in row_errors]})
        self.row_errors = row_errors


def _decode_csv(data: bytes) -> str:
    # UTF-8 (with or without BOM) first; then Shift_JIS as saved by Japanese Excel.
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ContactImportError(str(_("The file is not UTF-8 or Shift_JIS text.")), [])


@enforces("P04")
@transaction.atomic
def contacts_import_csv(*, user: User, data: bytes) -> list[Contact]:
    """P04: import contacts from CSV (header: name,email,postal_address,phone).

    All or nothing: every row is validated first; when any row is wrong nothing is saved and
    each error is reported with its line number.
    """
    if len(data) > CONTACT_IMPORT_MAX_BYTES:
        raise ContactImportError(str(_("The file is larger than 1 MB.")), [])
    reader = csv.DictReader(io.StringIO(_decode_csv(data), newline=""))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if "name" not in header or set(header) - set(CONTACT_FIELDS):
        raise ContactImportError(
            str(_("The first line must name the columns: name, email, postal_address, phone.")), []
        )
    reader.fieldnames = header
    contacts, errors = [], []
    for row in reader:
        line = reader.line_num
        if len(contacts) + len(errors) >= CONTACT_IMPORT_MAX_ROWS:
            raise ContactImportError(str(_("The file has more than 1000 rows.")), [])
        if None in row:
            errors.append((line, str(_("This row has more columns than the header."))))
            continue
        values = {k: (row.get(k) or "").strip() for k in CONTACT_FIELDS}
        contact = Contact(user=user, **values)
        try:
            contact.full_clean()
        except ValidationError as exc:
            errors.extend((line, f"{field}: {' '.join(msgs)}")
                          for field, msgs in exc.message_dict.items())
            continue
        contacts.append(contact)
    if errors:
        raise ContactImportError(str(_("Nothing was imported: correct these rows and try again.")),
                                 errors)
    if not contacts:
        raise ContactImportError(str(_("The file has no contacts.")), [])
    return Contact.objects.bulk_create(contacts)


# --- Account content (P07) --------------------------------------------------------------------

@enforces("P07")
@transaction.atomic
def content_file_create(*, user: User, upload: UploadedFile, storage_region: str) -> ContentFile:
    if upload.size > settings.ACCOUNT_CONTENT_MAX_BYTES:
        raise DomainError(
            str(_("The file is too large (limit: %(limit)d KB).")
                % {"limit": settings.ACCOUNT_CONTENT_MAX_BYTES // 1024}),
            code="too_large", details={"file": [_("The file is too large.")]},
        )
    content = ContentFile(user=user, name=(upload.name or "file")[:255], size_bytes=upload.size,
                          content_type=(upload.content_type or "")[:100],
                          storage_region=storage_region)
    content.full_clean(exclude=["file"])
    content.file.save(content.name, upload, save=False)
    try:
        content.save()
    except Exception:
        content.file.storage.delete(content.file.name)  # no orphan bytes without a row
        raise
    usage_record(user=user, feature="content_upload")
    return content


@enforces("P07")
def content_file_open(*, content: ContentFile) -> IO[bytes]:
    """The stored bytes of the owner's file, from its storage (a local folder or the bucket; the
    caller closes it); each download is a usage record, so the account shows it was fetched."""
    usage_record(user=content.user, feature="content_download")
    return content.file.storage.open(content.file.name, "rb")


@transaction.atomic
def content_file_delete(*, content: ContentFile) -> None:
    name, storage = content.file.name, content.file.storage
    content.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


# --- Usage (P06) ------------------------------------------------------------------------------

@enforces("P06")
@transaction.atomic
def usage_record(*, user: User, feature: str, storage_used_bytes: int | None = None) -> UsageRecord:
    """P06: one use of a feature, with the storage the account uses at that moment."""
    if storage_used_bytes is None:
        storage_used_bytes = ContentFile.objects.filter(user=user).aggregate(
            total=Sum("size_bytes"))["total"] or 0
    return UsageRecord.objects.create(user=user, feature=feature[:64], occurred_at=clock.now(),
                                      storage_used_bytes=storage_used_bytes)


@enforces("P06")
@transaction.atomic
def usage_rollup(*, day: date) -> int:
    """P06: recompute the per-day counts per user and feature for one JST day (idempotent)."""
    start, end = clock.start_of_jst_day(day), clock.start_of_jst_day(day + timedelta(days=1))
    groups = (UsageRecord.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
              .values("user_id", "feature")
              .annotate(n=Count("id"), storage=Max("storage_used_bytes")))
    rows = [UsageDaily(user_id=g["user_id"], day=day, feature=g["feature"], count=g["n"],
                       storage_used_bytes=g["storage"] or 0) for g in groups]
    UsageDaily.objects.filter(day=day).delete()
    UsageDaily.objects.bulk_create(rows)
    return len(rows)


# --- Visitor log (P10) ------------------------------------------------------------------------

@enforces("P10")
@transaction.atomic
def visitor_logs_write(*, entries: list[dict[str, Any]]) -> int:
    """P10: write visitor-log entries with one INSERT.

    Called before each response leaves (VisitorLogMiddleware). Outside a transaction, on
    PostgreSQL, its own transaction commits without waiting for the WAL flush
    (`synchronous_commit` off for that transaction only): a crash may lose the last visitor-log
    rows, but no request waits for the disk."""
    rows = [VisitorLog(**entry) for entry in entries]
    if not transaction.get_autocommit() or connection.vendor != "postgresql":
        return len(VisitorLog.objects.bulk_create(rows))
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        return len(VisitorLog.objects.bulk_create(rows))


@enforces("P10")
def visitor_logs_purge() -> int:
    """P10: delete entries older than VISITOR_LOG_RETENTION_DAYS, in short batches: the
    visitor-log category of the retention sweep (APPI Art. 22, ccucaas_privacy/retention.py)."""
    from ccucaas_privacy.retention import retention_sweep

    run = retention_sweep(categories=["visitor_logs"])
    return run.counts.get("visitor_logs", {}).get("erased", 0)


# --- Payment references (P09) -----------------------------------------------------------------

@enforces("P09")
@transaction.atomic
def payment_reference_create(*, user: User, processor: str, processor_token: str, brand: str,
                             last4: str, exp_month: int, exp_year: int) -> PaymentReference:
    """P09: store the processor's reference; a card number in any field is refused."""
    reference = PaymentReference(user=user, processor=processor, processor_token=processor_token,
                                 brand=brand, last4=last4, exp_month=exp_month, exp_year=exp_year)
    reference.full_clean()
    reference.save()
    return reference


# --- Forum posts (P21) ------------------------------------------------------------------------

@transaction.atomic
def forum_post_create(*, user: User, title: str, body: str, published: bool = False) -> ForumPost:
    post = ForumPost(user=user, title=title, body=body, published=published)
    post.full_clean()
    post.save()
    usage_record(user=user, feature="forum_post")
    return post


@transaction.atomic
def forum_post_update(*, post: ForumPost, title: str, body: str, published: bool) -> ForumPost:
    post.title, post.body, post.published = title, body, published
    post.full_clean()
    post.save()
    return post


@transaction.atomic
def forum_post_delete(*, post: ForumPost) -> None:
    post.delete()
