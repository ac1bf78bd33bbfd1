"""The Japanese catalogues follow docs/glossary.md: one word for one thing (issue 19)."""

import re

import polib
import pytest

from tests.conftest import ROOT

JA_CATALOGUES = sorted([*ROOT.glob("locale/ja/LC_MESSAGES/django.po"),
                        *ROOT.glob("*_app/locale/ja/LC_MESSAGES/django.po")])
# word ruled out -> the glossary's word
RULED_OUT = {
    r"申請": "請求 (a data-subject request, APPI 開示等の請求)",
    r"ユーザ(?!ー)": "ユーザー (the policy's spelling)",
    r"ヘルプデスク": "相談窓口 (the policy's word)",
}


def _translations(path):
    for entry in polib.pofile(str(path)):
        texts = [entry.msgstr, *entry.msgstr_plural.values()]
        yield entry, [text for text in texts if text]


@pytest.mark.parametrize("path", JA_CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_japanese_catalogue_uses_the_glossary_words(path):
    wrong = [(entry.msgid, pattern, use)
             for entry, texts in _translations(path) for text in texts
             for pattern, use in RULED_OUT.items() if re.search(pattern, text)]
    assert wrong == []


@pytest.mark.parametrize("path", JA_CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_consent_is_withdrawn_with_撤回_and_a_request_with_取り下げ(path):
    wrong = []
    for entry, texts in _translations(path):
        for text in texts:
            if "同意" in text and "取り下げ" in text:
                wrong.append((entry.msgid, "consent: 撤回"))
            if "請求" in text and "撤回" in text and "同意" not in text:
                wrong.append((entry.msgid, "request: 取り下げ"))
    assert wrong == []


def test_the_glossary_names_the_words_it_rules_out():
    glossary = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    for word in ("申請", "ユーザ名", "ヘルプデスク", "撤回する", "取り下げる"):
        assert word in glossary
