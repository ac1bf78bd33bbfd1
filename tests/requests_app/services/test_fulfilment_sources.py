"""The data-source registry (DESIGN section 6): every category exports, corrects where it can and
erases; no model holding a user foreign key is left out (RULES P21, P04-P11, P15, P18)."""

import json

import pytest
from django.apps import apps
from django.conf import settings

from ccucaas_privacy.datasources import DataSource, all_sources, register, source_get
from tests.requests_app.fulfilment_data import EMAIL, IP, LAST_NAME, rich_user

pytestmark = pytest.mark.django_db

CATEGORIES = {
    "profile", "contacts", "account_content", "usage_records", "usage_daily", "visitor_logs",
    "sessions", "consent_events", "policy_acceptances", "testimonials", "forum_posts",
    "payment_references", "outbound_emails", "provisions", "profile_changes",
    "request_history", "staff_activity", "staff_access",
}


@pytest.fixture(autouse=True)
def _content_dir(settings, tmp_path):
    settings.ACCOUNT_CONTENT_DIR = tmp_path / "content"
    settings.PRIVATE_STORAGE_DIR = tmp_path / "private"


@pytest.fixture
def hanako(make_user, officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return rich_user(make_user, staff=officer)


def test_p21_every_category_of_the_policy_has_a_source():
    assert {s.category for s in all_sources()} >= CATEGORIES
    for source in all_sources():
        assert source.rule.startswith("P") and str(source.title) and source.columns


def test_p21_every_model_with_a_user_foreign_key_belongs_to_a_source():
    covered = {label.lower() for s in all_sources() for label in s.models}
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    missing = []
    for model in apps.get_models():
        points_at_user = any(
            f.is_relation and f.many_to_one and f.related_model is user_model
            for f in model._meta.get_fields())
        if (model is user_model or points_at_user) and model._meta.label_lower not in covered:
            missing.append(model._meta.label)
    assert missing == []


def test_a_new_model_with_a_user_foreign_key_is_caught(monkeypatch):
    """The check above can fail: without the contacts source, Contact is uncovered."""
    from ccucaas_privacy import datasources as sources

    monkeypatch.delitem(sources._REGISTRY, "contacts")
    covered = {label.lower() for s in all_sources() for label in s.models}
    assert "accounts_app.contact" not in covered


def test_registering_two_sources_for_one_category_is_refused():
    class Duplicate(DataSource):
        category = "contacts"
        rule = "P04"

    with pytest.raises(ValueError, match="already registered"):
        register(Duplicate)


def test_p21_every_source_exports_the_users_rows_as_json_serialisable_dicts(hanako, bob):
    for source in all_sources():
        rows = list(source.export(hanako))
        assert rows, f"{source.category} exported nothing"
        for row in rows:
            json.dumps(row)
            assert set(row) <= set(source.columns), (source.category, set(row) - set(source.columns))
        assert list(source.export(bob)) == [] or source.category == "profile"


def test_p10_p11_exports_hold_the_ip_and_the_email(hanako):
    assert any(r["ip"] == IP for r in source_get("visitor_logs").export(hanako))
    assert any(r.get("email") == EMAIL for r in source_get("sessions").export(hanako))
    assert next(source_get("profile").export(hanako))["last_name"] == LAST_NAME


def test_p21_profile_and_session_sources_apply_a_correction(hanako):
    changes = {"email": "hanako.new@example.jp", "last_name": "Suzuki"}
    for source in all_sources():
        if set(source.correctable) & set(changes):
            assert source.correct(hanako, changes) >= 1
    hanako.refresh_from_db()
    assert (hanako.email, hanako.last_name) == ("hanako.new@example.jp", "Suzuki")
    assert {r["email"] for r in source_get("sessions").export(hanako)
            if r["kind"] == "persistent_login"} == {"hanako.new@example.jp"}
    assert {c["field"] for c in source_get("profile_changes").export(hanako)} >= {"email", "last_name"}


def test_p21_every_source_erases_and_reports_what_it_kept(hanako, bob, django_capture_on_commit_callbacks):
    bob_rows = {s.category: len(list(s.export(bob))) for s in all_sources()}
    results = {}
    for source in sorted(all_sources(), key=lambda s: s.category == "profile"):
        results[source.category] = source.erase(hanako)
    for category, result in results.items():
        source = source_get(category)
        if source.retained_on_erasure:
            assert result.retained and result.retained_reason, category
        else:
            assert result.erased + result.anonymised >= 1, category
            if category not in ("profile", "outbound_emails"):
                assert list(source.export(hanako)) == [], category
    assert {s.category: len(list(s.export(bob))) for s in all_sources()} == bob_rows
