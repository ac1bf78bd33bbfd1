"""Every user-visible string is translatable; Japanese and English are both complete."""

import polib
import pytest

from tests.conftest import ROOT

CATALOGUES = sorted(
    [*ROOT.glob("locale/*/LC_MESSAGES/django.po"), *ROOT.glob("*_app/locale/*/LC_MESSAGES/django.po")]
)


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_is_complete_and_has_no_fuzzy_entries(path):
    catalogue = polib.pofile(str(path))
    if "/ja/" in str(path):
        assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []


def test_every_app_with_strings_ships_japanese_and_english_catalogues():
    for ja in [p for p in CATALOGUES if "/ja/" in str(p)]:
        assert ja.with_name("django.po").exists()
        assert (ja.parent.parent.parent / "en" / "LC_MESSAGES" / "django.po").exists()


@pytest.mark.django_db
def test_portal_home_is_japanese_by_default_and_english_on_request(client):
    japanese = client.get("/").content.decode()
    english = client.get("/en/").content.decode()
    assert 'lang="ja"' in japanese
    assert "30日以内" in japanese
    assert 'lang="en"' in english
    assert "within 30 days" in english


@pytest.mark.django_db
def test_api_error_titles_follow_the_request_language(client):
    japanese = client.get("/api/v1/requests/", HTTP_ACCEPT_LANGUAGE="ja").json()
    english = client.get("/api/v1/requests/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert japanese["status"] == english["status"] == 401
    assert japanese["title"] == "認証が必要です"
    assert english["title"] == "Authentication required"
