"""Portal pages: consent settings (one-click grant/withdraw), receipts, policy pages, banner,
deemed acceptance on a signed-in request (P25), testimonials (P05)."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from consent_app import selectors, services
from consent_app.models import ConsentEvent, PolicyAcceptance

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def _url(name, *args, lang="ja"):
    with translation.override(lang):
        return reverse(name, args=args)


def test_consent_settings_requires_sign_in(client):
    response = client.get(_url("consent:settings"))
    assert response.status_code == 302


def test_consent_settings_lists_purposes_with_state(client, alice):
    services.consent_grant(user=alice, purpose="marketing_email", channel="signup")
    client.force_login(alice)
    page = client.get(_url("consent:settings")).content.decode()
    assert "新サービス・リリース・イベントのお知らせメール" in page
    assert 'data-purpose="marketing_email"' in page
    assert "撤回する" in page and "同意する" in page


def test_consent_settings_in_english(client, bob):
    client.force_login(bob)
    page = client.get(_url("consent:settings", lang="en")).content.decode()
    assert "Emails about new services, releases and events" in page
    assert "Grant" in page


def test_one_click_withdraw_and_grant_are_each_one_post(client, alice):
    services.consent_grant(user=alice, purpose="marketing_email", channel="signup")
    client.force_login(alice)
    response = client.post(_url("consent:withdraw"), {"purpose": "marketing_email"})
    assert response.status_code == 302
    assert not selectors.consent_is_granted(user=alice, purpose="marketing_email")
    event = ConsentEvent.objects.filter(user=alice).first()
    assert event.channel == "portal" and event.ip == "127.0.0.1"
    client.post(_url("consent:grant"), {"purpose": "marketing_email"})
    assert selectors.consent_is_granted(user=alice, purpose="marketing_email")


def test_get_does_not_change_consent(client, alice):
    client.force_login(alice)
    assert client.get(_url("consent:grant") + "?purpose=marketing_email").status_code == 405
    assert not ConsentEvent.objects.exists()


def test_p07_withdrawing_cross_border_storage_in_portal_explains_and_changes_nothing(client, alice):
    services.consent_grant(user=alice, purpose="cross_border_storage", channel="signup")
    client.force_login(alice)
    response = client.post(_url("consent:withdraw"), {"purpose": "cross_border_storage"},
                           follow=True)
    assert "アカウントの閉鎖" in response.content.decode()
    assert selectors.consent_is_granted(user=alice, purpose="cross_border_storage")
    assert ConsentEvent.objects.count() == 1


def test_unknown_purpose_in_portal_is_an_error_message(client, alice):
    client.force_login(alice)
    response = client.post(_url("consent:grant", lang="en"), {"purpose": "spam"}, follow=True)
    assert "Unknown purpose" in response.content.decode()
    assert not ConsentEvent.objects.exists()


def test_receipt_download_is_kantara_json_for_the_owner_only(client, alice, bob):
    event = services.consent_grant(user=alice, purpose="third_party_provision:acme",
                                   channel="portal")
    client.force_login(alice)
    response = client.get(_url("consent:receipt", event.receipt_id))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    receipt = json.loads(response.content)
    assert receipt["version"] == "KI-CR-v1.1.0"
    assert receipt["jurisdiction"] == "JP"
    assert receipt["consentReceiptID"] == str(event.receipt_id)
    assert receipt["consentTimestamp"] == int(event.created_at.timestamp())
    assert receipt["piiPrincipalId"] == alice.email
    assert receipt["piiControllers"][0]["piiController"]
    assert receipt["policyUrl"].endswith("/policy/")
    purpose = receipt["services"][0]["purposes"][0]
    assert purpose["purposeCategory"] == ["third_party_provision:acme"]
    assert purpose["thirdPartyDisclosure"] is True and purpose["thirdPartyName"] == "acme"
    assert receipt["action"] == "granted" and receipt["policyVersion"] == "1"
    client.force_login(bob)
    assert client.get(_url("consent:receipt", event.receipt_id)).status_code == 404


def test_p25_current_policy_page_shows_version_1_full_text(client):
    page = client.get(_url("consent:policy_current")).content.decode()
    assert "発行日: 2025年7月30日" in page
    english = client.get(_url("consent:policy_current", lang="en")).content.decode()
    assert "English summary" in english


@time_machine.travel(NOW, tick=False)
def test_p25_history_summarises_differences_and_banner_shows_until_dismissed(client, alice):
    services.policy_version_publish(
        version="2", effective_at=NOW + timedelta(days=40), importance="major",
        summary_ja="第三者提供の記録を開示に含めます", summary_en="Provision records are disclosed",
        full_text_ja="本文 v2", full_text_en="Text v2")
    history = client.get(_url("consent:policy_history")).content.decode()
    assert "第三者提供の記録を開示に含めます" in history and "CCUCaaSプライバシーポリシーの初版" in history
    home = client.get("/").content.decode()
    assert 'id="policy-banner"' in home and "2027-01-10" in home
    version = selectors.policy_version_upcoming()
    response = client.post(_url("consent:policy_banner_dismiss"),
                           {"version": version.pk, "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert 'id="policy-banner"' not in client.get("/").content.decode()


def test_banner_dismiss_refuses_offsite_redirect(client):
    response = client.post(_url("consent:policy_banner_dismiss"),
                           {"version": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_p25_accept_upcoming_version_in_portal(client, alice):
    with time_machine.travel(NOW, tick=False):
        services.policy_version_publish(
            version="2", effective_at=NOW + timedelta(days=3), importance="minor",
            summary_ja="誤字の修正", summary_en="Typo fixes", full_text_ja="本文")
        client.force_login(alice)
        client.post(_url("consent:policy_accept", "2"))
    acceptance = PolicyAcceptance.objects.get(user=alice, version__version="2")
    assert (acceptance.kind, acceptance.channel) == ("accepted", "portal")


def test_p25_signed_in_request_after_effective_date_records_deemed_acceptance_once(client, alice):
    with time_machine.travel(NOW, tick=False):
        services.policy_version_publish(
            version="2", effective_at=NOW + timedelta(days=30), importance="major",
            summary_ja="変更", summary_en="Change", full_text_ja="本文")
        client.force_login(alice)
        client.get("/")
        assert not PolicyAcceptance.objects.filter(version__version="2").exists()
    with time_machine.travel(NOW + timedelta(days=30, minutes=1), tick=False):
        client.get("/")
        client.get("/")
        client.logout()
        client.force_login(alice)
        client.get("/")
    deemed = PolicyAcceptance.objects.filter(user=alice, version__version="2")
    assert [(a.kind, a.ip) for a in deemed] == [("deemed", "127.0.0.1")]


def test_p25_anonymous_request_records_no_acceptance(client):
    client.get("/")
    assert not PolicyAcceptance.objects.exists()


def test_p05_testimonial_public_only_while_consent_granted(client, alice, officer):
    testimonial = services.testimonial_create(user=alice, display_name="A. S.",
                                              body="とても便利です", ready=True,
                                              created_by=officer)
    page = _url("consent:testimonials")
    assert "とても便利です" not in client.get(page).content.decode()  # no prior consent
    services.consent_grant(user=alice, purpose="testimonial_publication", channel="portal")
    assert "とても便利です" in client.get(page).content.decode()
    assert selectors.testimonial_is_published(testimonial=testimonial)
    services.consent_withdraw(user=alice, purpose="testimonial_publication", channel="portal")
    assert "とても便利です" not in client.get(page).content.decode()
    assert not selectors.testimonial_is_published(testimonial=testimonial)


def test_p05_draft_testimonial_is_not_published_even_with_consent(client, alice):
    services.consent_grant(user=alice, purpose="testimonial_publication", channel="portal")
    services.testimonial_create(user=alice, display_name="A", body="draft text")
    assert "draft text" not in client.get(_url("consent:testimonials")).content.decode()


def test_p05_public_testimonials_page_query_count_is_constant(client, make_user,
                                                             django_assert_max_num_queries):
    for i in range(5):
        user = make_user(f"user{i}")
        services.testimonial_create(user=user, display_name=f"U{i}", body=f"text {i}", ready=True)
        services.consent_grant(user=user, purpose="testimonial_publication", channel="portal")
    with django_assert_max_num_queries(6):
        page = client.get(_url("consent:testimonials")).content.decode()
    assert all(f"text {i}" in page for i in range(5))
