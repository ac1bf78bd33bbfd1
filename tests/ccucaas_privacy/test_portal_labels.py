"""Labels, never codes (issue 19): every portal page, in Japanese and English, signed in with
the demo data and as a visitor, shows no raw choice value of any model choice field, no consent
purpose code, no timeline event code, no data-category code and no rule number (P07, APPI-26)."""

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from ccucaas_privacy.datasources import categories
from consent_app.models import PolicyVersion, Purpose
from requests_app.models import DataSubjectRequest
from requests_app.selectors.progress import EVENT_LABELS

pytestmark = pytest.mark.django_db(transaction=True)

RULE_ID = re.compile(r"\bP\d\d\b|\bAPPI-\d+\b")
LANGUAGES = ("", "/en")
# Portal pages without kwargs (the visitor sees the public ones, the user every one).
PAGES = ["home", "requests:list", "requests:new", "requests:helpdesk", "accounts:settings",
         "accounts:profile", "accounts:contacts", "accounts:files", "accounts:posts",
         "accounts:password-change", "accounts:email-change", "accounts:close",
         "accounts:sign-in", "accounts:sign-up", "accounts:password-reset", "consent:settings",
         "consent:policy_current", "consent:policy_history", "consent:testimonials"]
NEW_TYPES = ("disclosure", "correction", "deletion", "inquiry")


class VisibleText(HTMLParser):
    """The text a person sees: no script or style, attribute values only where read aloud or
    shown (alt, title, aria-label, placeholder, value of buttons)."""

    SHOWN_ATTRS = ("alt", "title", "aria-label", "placeholder")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self.skip += 1
        attrs = dict(attrs)
        self.parts += [attrs[name] for name in self.SHOWN_ATTRS if attrs.get(name)]
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def _choice_codes() -> tuple[set[str], set[str]]:
    """(codes shown in no language: snake_case values; single words: wrong on Japanese pages)."""
    anywhere, japanese = set(), set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or ():
                if not isinstance(value, str) or not value or str(label) == value:
                    continue
                (anywhere if "_" in value else japanese).add(value)
    anywhere |= {code for code in Purpose.objects.values_list("code", flat=True) if "_" in code}
    anywhere |= {code for code in EVENT_LABELS if "_" in code}
    anywhere |= {code for code in categories() if "_" in code}
    japanese |= {code for code in [*categories(), *EVENT_LABELS] if "_" not in code}
    return anywhere, {code for code in japanese if re.fullmatch(r"[a-z]{3,}", code)}


def _problems(text: str, *, japanese: bool, anywhere: set[str], ja_only: set[str],
              allowed: set[str]) -> list[str]:
    found = [m.group(0) for m in RULE_ID.finditer(text)]
    # A file name ("disclosure.zip") or an address is one token, not the code it contains.
    words = set(re.findall(r"[A-Za-z0-9][A-Za-z0-9_.@-]*[A-Za-z0-9_]|[A-Za-z]", text))
    found += sorted((words & anywhere) - allowed)
    if japanese:
        found += sorted((words & ja_only) - allowed)
    return found


@pytest.fixture
def demo(django_capture_on_commit_callbacks, settings, tmp_path):
    settings.PRIVATE_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                "OPTIONS": {"location": str(tmp_path / "private")}}
    settings.ACCOUNT_CONTENT_DIR = tmp_path / "content"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return apps.get_model("accounts_app", "User").objects.get(username="alice")


def _urls(user) -> list[str]:
    urls = [reverse(name) for name in PAGES]
    urls += [reverse("requests:new_of_type", kwargs={"type": t}) for t in NEW_TYPES]
    urls += [reverse("requests:detail", kwargs={"pk": r.pk})
             for r in DataSubjectRequest.objects.filter(subject=user)]
    urls += [reverse("requests:withdraw", kwargs={"pk": r.pk})
             for r in DataSubjectRequest.objects.filter(subject=user, status__in=["received", "in_review"])]
    urls += [reverse("consent:policy_detail", kwargs={"version": v.version})
             for v in PolicyVersion.objects.all()]
    urls.append("/no-such-page/")
    return urls


def test_portal_pages_show_labels_never_codes_or_rule_numbers(demo):
    anywhere, ja_only = _choice_codes()
    assert {"cross_border_storage", "persistent_login", "in_review"} <= anywhere  # the test bites
    # The user's own data (username, email) may contain anything.
    allowed = {"alice", "example", "jp", "JST", "SHA", "ZIP", "CSV", "JSON", "CCUCaaS", "API"}
    visitor, user = Client(), Client()
    user.force_login(demo)
    failures = {}
    with translation.override("ja"):
        urls = _urls(demo)
    for prefix in LANGUAGES:
        for client, who in ((visitor, "visitor"), (user, "alice")):
            for url in urls:
                path = prefix + url
                response = client.get(path, follow=True)
                assert response.status_code in (200, 404), (path, response.status_code)
                text = visible_text(response.content.decode())
                found = _problems(text, japanese=not prefix, anywhere=anywhere, ja_only=ja_only,
                                  allowed=allowed)
                if found:
                    failures[f"{who} {path}"] = found
    assert failures == {}


def test_the_check_finds_a_raw_code_and_a_rule_number():
    anywhere, ja_only = {"cross_border_storage"}, {"received"}
    text = visible_text("<p>同意: cross_border_storage</p><p>状態 received (P07)</p><script>P23</script>")
    assert _problems(text, japanese=True, anywhere=anywhere, ja_only=ja_only, allowed=set()) == [
        "P07", "cross_border_storage", "received"]
