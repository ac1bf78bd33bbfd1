"""Disclosure packages (DESIGN section 6; RULES.md P21, P15 record of provisions).

A ZIP with `data.json` (every category), one CSV per category, `provisions.csv`, `index.html`
(the user's language: each category, what it is and the rule behind it) and `manifest.json`
(SHA-256 of every file, generation time, request reference). Rows are streamed from each source
into the archive (one database pass per category: the CSV goes straight into the ZIP while the
category's JSON is spooled to a temporary file on disk), so memory stays flat whatever the
volume. The archive is stored through Django's storage API in the private "packages" storage
(a local folder under `make run`, an S3 bucket in production: a worker on one host builds it,
the web process on another serves it) and downloaded through a signed, owner-only link that
expires after 7 days. Nothing opens it by path: `package_file_open` is the one way to read it.
"""

import csv
import hashlib
import io
import json
import tempfile
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.core import signing
from django.core.files import File
from django.core.files.storage import Storage
from django.db import connection, models, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import translation

from ccucaas_privacy import clock
from ccucaas_privacy.csv_safe import csv_cell, csv_cell_sql
from ccucaas_privacy.datasources import all_sources, retention_label
from ccucaas_privacy.errors import ConflictError, DomainError
from ccucaas_privacy.rules import enforces
from ccucaas_privacy.storage import named_storage
from requests_app.models import DataSubjectRequest, DisclosurePackage, RequestEvent, RequestType

SIGNING_SALT = "requests_app.package"
PACKAGE_DIR = "packages"
# The provisions source's CSV is `provisions.csv`: the record of provision to third parties.


PACKAGES_STORAGE = "packages"


def private_storage() -> Storage:
    """The private storage of disclosure packages (STORAGES["packages"])."""
    return named_storage(PACKAGES_STORAGE)


def package_file_open(*, package: DisclosurePackage) -> IO[bytes]:
    """The package's ZIP opened for reading from its storage (the caller closes it): the
    download view streams it; a printed ("paper") disclosure reads it too."""
    return private_storage().open(package.file_name, "rb")


class _HashingWriter(io.RawIOBase):
    """Wraps a ZIP member opened for writing: counts and hashes what goes through."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target = target
        self.sha = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.sha.update(data)
        self.size += len(data)
        self.target.write(data)
        return len(data)


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _csv_value(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=_json_default)
    return "" if value is None else csv_cell(value)


class _Member:
    """One file in the archive, written as UTF-8 text and hashed on the way."""

    def __init__(self, archive: zipfile.ZipFile, name: str) -> None:
        self.name = name
        self._raw = archive.open(name, "w", force_zip64=True)
        self._hash = _HashingWriter(self._raw)
        self.binary = io.BufferedWriter(self._hash, 1 << 16)
        self.text = io.TextIOWrapper(self.binary, encoding="utf-8", newline="")

    def close(self) -> dict[str, Any]:
        self.text.flush()
        self.text.detach().flush()
        self._raw.close()
        return {"name": self.name, "sha256": self._hash.sha.hexdigest(), "bytes": self._hash.size}


def _pg_bulk_sql(source, user) -> tuple[str, str] | None:
    """(CSV COPY, JSON COPY) statements for a bulk source on PostgreSQL, else None.

    Both read the rows of the queryset `export()` streams, capped at its highest id when the
    build starts, so the CSV and data.json hold the same rows while new ones are appended. The
    JSON rows are `json_build_array` (ISO 8601 times) copied in CSV mode with quote and
    delimiter bytes that JSON never contains, so each line is one JSON array, verbatim."""
    queryset = source.bulk_queryset(user)
    if queryset is None or connection.vendor != "postgresql":
        return None
    top = queryset.aggregate(top=Max("pk"))["top"] or 0
    queryset = queryset.filter(pk__lte=top)
    inner_sql, params = queryset.values_list(*source.columns).query.sql_with_params()
    with connection.cursor() as cursor:
        inner = cursor.cursor.mogrify(inner_sql, params).decode()
    quote = connection.ops.quote_name
    fields = [queryset.model._meta.get_field(c) for c in source.columns]
    columns = ", ".join(f"t.{quote(f.column)}" for f in fields)
    # Text cells neutralised against CSV injection, the same rule as the Python path.
    cells = ", ".join(
        f"{csv_cell_sql('t.' + quote(f.column))} AS {quote(f.column)}"
        if isinstance(f, models.CharField | models.TextField) else f"t.{quote(f.column)}"
        for f in fields)
    return (f"COPY (SELECT {cells} FROM ({inner}) t) TO STDOUT WITH (FORMAT csv, HEADER)",  # noqa: S608
            f"COPY (SELECT json_build_array({columns}) FROM ({inner}) t) TO STDOUT "  # noqa: S608
            "WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')")


class _JsonLines(io.RawIOBase):
    """Turns COPY's one-array-per-line output into the elements of a JSON array (the layout
    the Python path writes: a newline before the first element, comma and newline between)."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target = target
        self.rows = 0
        self._first = True
        self._pending = False  # a row ended; its separator goes out when the next row comes

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        data = bytes(data)
        if not data:
            return 0
        self.rows += data.count(b"\n")
        ends = data.endswith(b"\n")
        body = data[:-1] if ends else data
        prefix = b",\n" if self._pending else b"\n" if self._first else b""
        self.target.write(prefix + body.replace(b"\n", b",\n"))
        self._first, self._pending = False, ends
        return len(data)


def _json_copy(sql: str, part: IO[bytes], *, own_connection: bool) -> int:
    """COPY the JSON rows into `part`. In a worker thread (own connection) the archive's CSVs
    are written meanwhile; the thread's connection is closed when done."""
    from django.db import connection as thread_connection

    lines = _JsonLines(part)
    buffered = io.BufferedWriter(lines, 1 << 20)  # COPY writes row by row; batch them in C
    try:
        with thread_connection.cursor() as cursor:
            cursor.cursor.copy_expert(sql, buffered)
        buffered.flush()
    finally:
        if own_connection:
            thread_connection.close()
    return lines.rows


def _csv_name(source) -> str:
    return f"{source.category}.csv"


class _Part:
    """One category's rows for data.json, spooled to disk (a JSON array's elements)."""

    def __init__(self, source) -> None:
        self.source = source
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by package_write
        self.rows: int | Future = 0

    def count(self) -> int:
        return self.rows.result() if isinstance(self.rows, Future) else self.rows


def _write_category(archive: zipfile.ZipFile, source, user, part: _Part,
                    pool: ThreadPoolExecutor | None) -> dict[str, Any]:
    """The category's CSV into the archive, its JSON rows into `part` (one database pass on
    the Python path; on PostgreSQL two COPYs, the JSON one in a worker thread when possible)."""
    member = _Member(archive, _csv_name(source))
    sql = _pg_bulk_sql(source, user)
    if sql is not None:
        copy_csv, copy_json = sql
        if pool is not None:
            part.rows = pool.submit(_json_copy, copy_json, part.file, own_connection=True)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(copy_csv, member.binary)
        if pool is None:
            part.rows = _json_copy(copy_json, part.file, own_connection=False)
        return member.close()
    writer = csv.DictWriter(member.text, fieldnames=list(source.columns), extrasaction="ignore")
    writer.writeheader()
    count = 0
    for row in source.export(user):
        writer.writerow({k: _csv_value(v) for k, v in row.items()})
        values = [row.get(c) for c in source.columns]
        part.file.write((("\n" if count == 0 else ",\n")
                         + json.dumps(values, ensure_ascii=False, default=_json_default)).encode())
        count += 1
    part.rows = count
    return member.close()


def _write_data_json(archive: zipfile.ZipFile, header: dict[str, Any], parts: list[_Part]
                     ) -> dict[str, Any]:
    """data.json: {"reference", "generated_at", "categories": {category: {"title", "rule",
    "columns": [...], "rows": [[...], ...]}}} assembled from the spooled parts."""
    member = _Member(archive, "data.json")
    member.text.write(json.dumps(header, ensure_ascii=False)[:-1] + ', "categories": {')
    for index, part in enumerate(parts):
        source = part.source
        meta = {"title": str(source.title), "rule": source.rule, "columns": list(source.columns)}
        member.text.write(("\n" if index == 0 else ",\n") + json.dumps(source.category) + ": "
                          + json.dumps(meta, ensure_ascii=False)[:-1] + ', "rows": [')
        member.text.flush()
        part.file.seek(0)
        while chunk := part.file.read(1 << 20):
            member.binary.write(chunk)
        member.text.write("\n]}")
    member.text.write("\n}}\n")
    return member.close()


def _write_text(archive: zipfile.ZipFile, name: str, text: str) -> dict[str, Any]:
    member = _Member(archive, name)
    member.text.write(text)
    return member.close()


def package_write(*, request: DataSubjectRequest, user, out: IO[bytes], now: datetime
                  ) -> list[dict[str, Any]]:
    """Write the whole archive for `user` to the binary file `out`; returns the manifest files.

    Inside a transaction (tests) everything runs on this connection; otherwise the JSON COPYs
    of the bulk categories run on a second connection in a worker thread."""
    sources = sorted(all_sources(), key=lambda s: s.category)
    parts = [_Part(source) for source in sources]
    files: list[dict[str, Any]] = []
    parallel = connection.vendor == "postgresql" and not connection.in_atomic_block
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="package") if parallel else None
    try:
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for part in parts:
                files.append(_write_category(archive, part.source, user, part, pool))
            counts = {part.source.category: part.count() for part in parts}
            for entry, part in zip(files, parts, strict=True):
                entry["rows"] = counts[part.source.category]
            files.append(_write_data_json(
                archive, {"reference": request.reference, "generated_at": now.isoformat()}, parts))
            summary = [{"source": p.source, "rows": counts[p.source.category],
                        "file": _csv_name(p.source)} for p in parts]
            files.append(_write_text(archive, "index.html",
                                     _index_html(request=request, now=now, summary=summary)))
            if request.withheld:  # APPI Art. 33(2): what a partial disclosure withholds, and why
                files.append(_write_text(archive, "withheld.json", json.dumps(
                    _withheld_section(request), ensure_ascii=False, indent=2)))
            if request.representative_kind:
                files.append(_write_text(archive, "representative.json", json.dumps(
                    _representative_section(request), ensure_ascii=False, indent=2)))
            manifest = {"reference": request.reference, "request_id": str(request.pk),
                        "generated_at": now.isoformat(), "algorithm": "sha256",
                        "files": sorted(files, key=lambda f: f["name"])}
            _write_text(archive, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
        for part in parts:
            part.file.close()
    return files


def _index_html(*, request: DataSubjectRequest, now: datetime, summary: list[dict]) -> str:
    from requests_app.selectors.requests import format_jst

    with translation.override(request.language):
        rows = [{"category": s["source"].category, "title": str(s["source"].title),
                 "description": str(s["source"].description), "rule": s["source"].rule,
                 "rows": s["rows"], "file": s["file"],
                 "retention": retention_label(s["source"])} for s in summary]
        return render_to_string("requests_app/package_index.html", {
            "reference": request.reference, "generated_at": format_jst(now), "rows": rows,
            "language": request.language,
            "representative": _representative_section(request) if request.representative_kind
            else None,
            "withheld": _withheld_section(request),
        })


def _withheld_section(request: DataSubjectRequest) -> list[dict[str, str]]:
    from requests_app.services.refusals import ground_label

    with translation.override(request.language):
        return [{**w, "ground_label": ground_label(w["ground"])} for w in request.withheld or []]


def _representative_section(request: DataSubjectRequest) -> dict[str, Any]:
    """APPI Art. 37(3): who asked for the person and the proofs of authority staff verified."""
    from requests_app.models import RepresentativeKind
    from requests_app.services.representatives import representative_proofs_listing

    return {"kind": request.representative_kind,
            "kind_label": str(RepresentativeKind(request.representative_kind).label),
            "name": request.representative_name, "relation": request.representative_relation,
            "verified_at": request.representative_verified_at.isoformat()
            if request.representative_verified_at else None,
            "proofs": representative_proofs_listing(request)}


def _package_name(request: DataSubjectRequest) -> str:
    return f"{PACKAGE_DIR}/{request.pk}/{request.reference}.zip"


@enforces("P21")
def disclosure_package_build(*, request: DataSubjectRequest, now: datetime | None = None
                             ) -> DisclosurePackage:
    """Build and store the package of a replied disclosure request (idempotent)."""
    from requests_app.services.notify import notify_subject

    now = clock.now() if now is None else now
    existing = DisclosurePackage.objects.filter(request=request).first()
    if existing is not None:
        return existing
    if request.type != RequestType.DISCLOSURE or request.replied_at is None:
        raise ConflictError("Only a replied disclosure request gets a package.",
                            code="package_not_allowed")
    if request.subject is None:
        raise DomainError("The request has no account to disclose.", code="package_no_subject")
    from requests_app.services.representatives import representative_disclosure_check

    representative_disclosure_check(request)  # APPI Art. 37(3): verified representative only
    storage = private_storage()
    with tempfile.TemporaryFile() as out:
        package_write(request=request, user=request.subject, out=out, now=now)
        size = out.tell()
        out.seek(0)
        digest = hashlib.sha256()
        while chunk := out.read(1 << 20):
            digest.update(chunk)
        out.seek(0)
        name = storage.save(_package_name(request), File(out))
    try:
        with transaction.atomic():
            DataSubjectRequest.objects.select_for_update().get(pk=request.pk)
            if DisclosurePackage.objects.filter(request=request).exists():
                raise ConflictError("already built", code="package_exists")
            package = DisclosurePackage.objects.create(
                request=request, file_name=name, sha256=digest.hexdigest(), size_bytes=size,
                created_at=now, expires_at=now + timedelta(days=settings.PACKAGE_TTL_DAYS))
            RequestEvent.objects.create(request=request, action="package_built",
                                        from_status=request.status, to_status=request.status,
                                        data={"sha256": package.sha256, "bytes": size},
                                        created_at=now)
            notify_subject(request, kind="request_package_ready", cause_suffix="package",
                           extra={"download_path": package_download_path(package=package),
                                  "expires_at": package.expires_at.isoformat()})
            _complete_when_ready(request, now=now)
            return package
    except ConflictError:
        storage.delete(name)  # a concurrent build won; keep its file only
        return DisclosurePackage.objects.get(request=request)


def _complete_when_ready(request: DataSubjectRequest, *, now: datetime) -> None:
    """The disclosure is completed once its package is ready, not at the reply (issue 19
    item 9): the timeline then reads reply, package ready, completed."""
    from requests_app.services import transitions

    status = DataSubjectRequest.objects.filter(pk=request.pk).values_list("status", flat=True)[0]
    if transitions.can("complete", status):
        transitions.request_complete(request=request, now=now, notify=False)


def package_token(*, package: DisclosurePackage) -> str:
    return signing.TimestampSigner(salt=SIGNING_SALT).sign(str(package.public_id))


def package_download_path(*, package: DisclosurePackage) -> str:
    from django.urls import reverse

    with translation.override(package.request.language):
        return reverse("requests:package_download",
                       kwargs={"pk": package.request_id, "token": package_token(package=package)})


def package_link(*, request: DataSubjectRequest) -> dict[str, Any] | None:
    """The download link of the request's package while it can be downloaded (portal page)."""
    package = DisclosurePackage.objects.filter(request=request, purged_at=None,
                                               expires_at__gt=clock.now()).first()
    if package is None:
        return None
    return {"path": package_download_path(package=package), "expires_at": package.expires_at,
            "sha256": package.sha256, "size_bytes": package.size_bytes}


class PackageGone(DomainError):
    status = 410
    code = "package_expired"


class PackageNotFound(DomainError):
    status = 404
    code = "not_found"


def package_for_download(*, user, request_id, token: str, now: datetime | None = None
                         ) -> DisclosurePackage:
    """The package behind a signed link, for its signed-in owner only (404 otherwise; 410 once
    the link or the package has expired)."""
    now = clock.now() if now is None else now
    signer = signing.TimestampSigner(salt=SIGNING_SALT)
    try:
        public_id = signer.unsign(token, max_age=timedelta(days=settings.PACKAGE_TTL_DAYS))
    except signing.SignatureExpired as exc:
        raise PackageGone("This download link has expired.") from exc
    except signing.BadSignature as exc:
        raise PackageNotFound("No such package.") from exc
    package = (DisclosurePackage.objects.select_related("request")
               .filter(public_id=public_id, request_id=request_id,
                       request__subject=user).first() if user.is_authenticated else None)
    if package is None:
        raise PackageNotFound("No such package.")
    if package.purged_at is not None or package.expires_at <= now:
        raise PackageGone("This package has expired.")
    return package


def package_download_record(*, package: DisclosurePackage, user) -> RequestEvent:
    """Every download is an event on the request's timeline."""
    with transaction.atomic():
        return RequestEvent.objects.create(
            request=package.request, actor=user, action="package_download",
            from_status=package.request.status, to_status=package.request.status,
            data={"package": str(package.public_id)}, created_at=clock.now())


def package_file_delete(*, package: DisclosurePackage) -> None:
    storage = private_storage()
    if package.file_name and storage.exists(package.file_name):
        storage.delete(package.file_name)


def packages_purge(*, now: datetime | None = None) -> int:
    """Delete the files of expired packages (beat); the row stays as a record, marked purged."""
    now = clock.now() if now is None else now
    purged = 0
    for package in DisclosurePackage.objects.filter(expires_at__lte=now, purged_at=None):
        package_file_delete(package=package)
        DisclosurePackage.objects.filter(pk=package.pk).update(purged_at=now)
        purged += 1
    return purged
