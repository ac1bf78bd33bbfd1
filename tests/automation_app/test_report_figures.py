"""The compliance report's automation figures (issue 25, P23): per type, the share handled
automatically and median / 95th percentile time to the first reply, automatic and manual apart."""

from datetime import timedelta

import pytest
from django.utils import translation

from automation_app.selectors import automation_figures, percentile
from requests_app.selectors.report import report_extra_lines
from requests_app.services import transitions
from tests.automation_app.conftest import T0

pytestmark = [pytest.mark.django_db, pytest.mark.rule("P23")]


def test_percentile_is_the_nearest_rank():
    assert percentile([], 95) is None
    assert percentile([5.0], 95) == 5.0
    assert percentile([float(i) for i in range(1, 101)], 95) == 95.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.0


def test_p23_figures_split_automatic_and_manual_first_replies(frozen, make_user, officer, file,
                                                              run, settings):
    users = [make_user(f"u{i}") for i in range(3)]
    for user in users[:2]:
        file(user, "disclosure")  # replied at once (frozen time): 0 s
    settings.AUTOMATION_ENABLED = False
    manual = file(users[2], "disclosure")
    frozen.shift(timedelta(days=2))
    run(transitions.request_reply, request=manual, actor=officer, text="回答します")
    [disclosure] = [f for f in automation_figures() if f.type == "disclosure"]
    assert (disclosure.received, disclosure.automatic, disclosure.automatic_share) == (3, 2, 66.7)
    assert disclosure.median(True) == 0 and disclosure.p95(True) == 0
    assert disclosure.median(False) == timedelta(days=2).total_seconds()


def test_p23_the_report_line_is_readable_in_both_languages(frozen, alice, file):
    file(alice, "disclosure")
    with translation.override("ja"):
        [line] = [x for x in report_extra_lines(now=T0) if x["label"].startswith("自動処理")]
        assert "開示" in line["value"] and "自動 100.0%" in line["value"]
    with translation.override("en"):
        [line] = [x for x in report_extra_lines(now=T0) if x["label"].startswith("Automatic")]
        assert "Disclosure: 100.0% automatic (1 of 1)" in line["value"]
        assert line["url"].endswith("/automation_app/automationrun/")
