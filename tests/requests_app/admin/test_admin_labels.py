"""Issue 19 item 7: labels, never codes, wherever staff read in the admin. Walks every admin
changelist and one change page of each model the privacy officer may see, in Japanese and
English, on the demo data, and fails on a raw code (a snake_case choice value such as
`cross_border_storage`, `reply_reminder_7d`, `in_review`) or a rule ID (P01-P26) in the
visible text. Rule IDs belong to the policy matrix only."""

import html
import re

import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = [pytest.mark.django_db]

RULE_ID = re.compile(r"(?<![\w-])P(?:0[1-9]|1\d|2[0-6])(?![\w-])")
CODE = re.compile(r"(?<![\w@./:-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@./-])")
SCRIPT = re.compile(r"<(script|style|textarea|svg)\b.*?</\1>", re.S | re.I)
TAG = re.compile(r"<[^>]+>")
ALLOWED = {"csrfmiddlewaretoken"}
# Every app of ours (the third-party django-axes / django-otp pages are shown to superusers only).
WALKED_APPS = ("requests_app", "accounts_app", "consent_app", "notifications_app", "incidents_app",
               "agents_app", "automation_app", "ccucaas_privacy")


def visible_text(page: str) -> str:
    return html.unescape(TAG.sub(" ", SCRIPT.sub(" ", page)))


def _problems(text: str) -> list[str]:
    found = [m.group(0) for m in RULE_ID.finditer(text)]
    found += [m.group(0) for m in CODE.finditer(text) if m.group(0) not in ALLOWED]
    return sorted(set(found))


@pytest.fixture
def officer_client(privacy_officer, staff_sign_in, file_dirs):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return staff_sign_in(Client(raise_request_exception=False), privacy_officer)


def _open(client, url: str):
    response = client.get(url)
    if response.status_code == 302 and "/staff/access-reason/" in response["Location"]:
        client.post(response["Location"], {"reason": "表示の確認"})
        response = client.get(url)
    return response


def _pages(client) -> list[str]:
    index = client.get("/admin/").content.decode()
    lists = sorted({url for url in re.findall(r'href="(/admin/([a-z_]+)/[a-z_]+/)"', index)
                    if url[1] in WALKED_APPS})
    lists = [url for url, _app in lists]
    pages = ["/admin/", *lists]
    for url in lists:
        body = _open(client, url).content.decode()
        change = re.search(r'href="(' + re.escape(url) + r'[^"/]+/change/)', body)
        if change:
            pages.append(html.unescape(change.group(1)))
    return pages


@pytest.mark.parametrize("language", ["ja", "en"])
def test_admin_pages_show_labels_never_codes_or_rule_ids(officer_client, language):
    officer_client.cookies["django_language"] = language
    officer_client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    bad = {}
    for url in _pages(officer_client):
        response = _open(officer_client, url)
        if response.status_code != 200:
            bad[url] = [f"HTTP {response.status_code}"] if response.status_code >= 500 else []
            if not bad[url]:
                del bad[url]
            continue
        problems = _problems(visible_text(response.content.decode()))
        if problems:
            bad[url] = problems
    assert bad == {}, "\n".join(f"{url}: {found}" for url, found in sorted(bad.items()))
