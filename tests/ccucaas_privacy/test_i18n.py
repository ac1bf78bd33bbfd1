"""Every user-visible string is translatable; Japanese and English are both complete."""

import polib
import pytest

from tests.conftest import ROOT


@pytest.mark.parametrize("language", ["ja", "en"])
def test_catalogue_is_complete_and_has_no_fuzzy_entries(language):
    catalogue = polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
    if language == "ja":
        assert catalogue.untranslated_entries() == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []
    assert len(catalogue) > 0


@pytest.mark.django_db
def test_portal_home_is_japanese_by_default_and_english_on_request(client):
    japanese = client.get("/").content.decode()
    english = client.get("/en/").content.decode()
    assert 'lang="ja"' in japanese
    assert "30日以内" in japanese
    assert 'lang="en"' in english
    assert "within 30 days" in english
