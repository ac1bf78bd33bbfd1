"""Merger notices (P17) and marketing campaigns (P02, P19); the staff API and admin."""

from datetime import timedelta

import pytest
from django.core import mail
from rest_framework.test import APIClient

from ccucaas_privacy import clock
from ccucaas_privacy.errors import ConflictError, DomainError
from consent_app.services import consent_withdraw
from notifications_app.models import Campaign, CampaignKind, Delivery, OutboundEmail, Status
from notifications_app.selectors.campaigns import campaign_coverage
from notifications_app.services import campaigns
from tests.notifications_app.campaign_helpers import sent_per_recipient, users
from tests.notifications_app.conftest import committed

pytestmark = pytest.mark.django_db

MERGER = {"title_ja": "A社との合併について", "title_en": "Our merger with A Corp.",
          "body_ja": "2027年4月1日にA社と合併し、個人情報はA社が管理します。",
          "body_en": "On 1 April 2027 we merge with A Corp., which then controls your data."}
NEWS = {"title_ja": "新機能のお知らせ", "title_en": "New feature",
        "body_ja": "録画の検索が速くなりました。", "body_en": "Recording search is faster."}


def merger(**extra) -> Campaign:
    return campaigns.campaign_create(kind=CampaignKind.MERGER_NOTICE,
                                     effective_at=clock.now() + timedelta(days=60),
                                     **{**MERGER, **extra})


def test_p17_merger_notice_is_mandatory_mail_to_every_user_in_their_language(outbox, alice, bob):
    campaign = merger()
    with committed():
        campaigns.campaign_start(campaign=campaign)
    by_to = {m.to[0]: m for m in outbox}
    assert set(by_to) == {alice.email, bob.email}
    assert "A社との合併について" in by_to[alice.email].subject
    assert "Our merger with A Corp." in by_to[bob.email].subject
    assert f"/en/notices/{campaign.public_id}/" in by_to[bob.email].body
    assert "/en/account/close/" in by_to[bob.email].body
    assert all("List-Unsubscribe" not in m.extra_headers for m in outbox)  # P19


def test_p17_merger_notice_survives_a_marketing_unsubscribe(outbox, alice, grant_marketing):
    from notifications_app.services.outbox import marketing_unsubscribe
    from notifications_app.tokens import unsubscribe_token_make

    grant_marketing(alice)
    marketing_unsubscribe(token=unsubscribe_token_make(user_id=alice.pk))
    with committed():
        campaigns.campaign_start(campaign=merger())
    assert sent_per_recipient()[alice.email] == 1


def test_p17_merger_notice_page_is_public_in_japanese_and_english(client, alice):
    draft = merger()
    assert client.get(f"/notices/{draft.public_id}/").status_code == 404  # not yet published
    campaigns.campaign_start(campaign=draft)
    ja = client.get(f"/notices/{draft.public_id}/")
    en = client.get(f"/en/notices/{draft.public_id}/")
    assert ja.status_code == en.status_code == 200
    assert "A社との合併について" in ja.content.decode()
    assert "Our merger with A Corp." in en.content.decode()
    listing = client.get("/en/notices/").content.decode()
    assert "Our merger with A Corp." in listing


@pytest.mark.parametrize("field", ["title_en", "body_ja"])
def test_p17_merger_notice_with_a_missing_translation_is_refused(field):
    with pytest.raises(DomainError) as exc:
        merger(**{field: " "})
    assert exc.value.code == "translation_missing" and field in exc.value.details
    assert not Campaign.objects.exists()


def test_p17_merger_notice_dated_in_the_past_is_refused():
    with pytest.raises(DomainError):
        campaigns.campaign_create(kind=CampaignKind.MERGER_NOTICE,
                                  effective_at=clock.now() - timedelta(days=1), **MERGER)


def test_campaign_started_twice_is_refused():
    campaign = merger()
    campaigns.campaign_start(campaign=campaign)
    with pytest.raises(ConflictError):
        campaigns.campaign_start(campaign=campaign)


def test_p02_marketing_goes_only_to_users_who_consent_at_send_time(outbox, grant_marketing):
    keen, changes_mind, never = users(3, prefix="mkt")
    grant_marketing(keen)
    grant_marketing(changes_mind)
    campaign = campaigns.campaign_create(kind=CampaignKind.MARKETING, **NEWS)
    campaigns.campaign_start(campaign=campaign)  # fan-out not committed: run the batch by hand
    ids = campaigns.campaign_batch_queue(campaign_id=campaign.pk, after_pk=0,
                                         upto_pk=never.pk)
    assert len(ids) == 2  # the user without consent is not even a recipient
    consent_withdraw(user=changes_mind, purpose="marketing_email", channel="portal")
    campaigns.campaign_batch_send(outbound_email_ids=ids)
    assert [m.to for m in outbox] == [[keen.email]]
    assert outbox[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/unsubscribe/" in outbox[0].extra_headers["List-Unsubscribe"]
    withdrawn = Delivery.objects.get(campaign=campaign, user=changes_mind)
    assert withdrawn.status == Status.SUPPRESSED
    assert not Delivery.objects.filter(campaign=campaign, user=never).exists()
    coverage = campaign_coverage(campaign=campaign)
    assert (coverage.sent, coverage.suppressed, coverage.recipients) == (1, 1, 2)


def test_p02_a_user_who_unsubscribes_mid_campaign_gets_nothing_more(outbox, grant_marketing):
    from notifications_app.services.outbox import marketing_unsubscribe
    from notifications_app.tokens import unsubscribe_token_make

    crowd = [grant_marketing(u) for u in users(4, prefix="mkt")]
    campaign = campaigns.campaign_create(kind=CampaignKind.MARKETING, **NEWS)
    campaigns.campaign_start(campaign=campaign)
    first = campaigns.campaign_batch_queue(campaign_id=campaign.pk, after_pk=0,
                                           upto_pk=crowd[1].pk)
    second = campaigns.campaign_batch_queue(campaign_id=campaign.pk, after_pk=crowd[1].pk,
                                            upto_pk=crowd[3].pk)
    campaigns.campaign_batch_send(outbound_email_ids=first)
    marketing_unsubscribe(token=unsubscribe_token_make(user_id=crowd[3].pk))  # one click
    campaigns.campaign_batch_send(outbound_email_ids=second)
    assert sorted(m.to[0] for m in outbox) == sorted(u.email for u in crowd[:3])
    # a later campaign no longer includes them at all
    later = campaigns.campaign_create(kind=CampaignKind.MARKETING, **NEWS)
    campaigns.campaign_start(campaign=later)
    assert campaigns.campaign_batch_queue(campaign_id=later.pk, after_pk=0,
                                          upto_pk=crowd[3].pk).__len__() == 3


# --- staff API ------------------------------------------------------------------------------

def api(user) -> APIClient:
    """A client with the token POST /api/v1/auth/token/ gives (staff: with the second factor)."""
    from tests.accounts_app.staff import api_client

    return api_client(user)


def test_p25_api_publishes_a_major_version_and_starts_its_campaign(officer, alice, outbox):
    body = {"version": "3", "importance": "major",
            "effective_at": (clock.now() + timedelta(days=31)).isoformat(),
            "summary_ja": "要約", "summary_en": "Summary", "full_text_ja": "全文"}
    with committed():
        response = api(officer).post("/api/v1/staff/policies/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["campaign"]["status"] == "running"  # fans out after commit
    assert {m.to[0] for m in outbox} == {alice.email, officer.email}
    listing = api(officer).get("/api/v1/staff/campaigns/").json()
    assert listing[0]["policy_version"] == "3" and listing[0]["coverage"]["sent"] == 2


def test_p25_api_refuses_short_notice_and_non_officers(officer, alice):
    body = {"version": "3", "importance": "major",
            "effective_at": (clock.now() + timedelta(days=10)).isoformat(),
            "summary_ja": "要約", "summary_en": "Summary", "full_text_ja": "全文"}
    assert api(alice).post("/api/v1/staff/policies/", body, format="json").status_code == 403
    refused = api(officer).post("/api/v1/staff/policies/", body, format="json")
    assert refused.status_code in (400, 409, 422)
    assert "effective_at" in str(refused.json())
    assert not Campaign.objects.exists() and mail.outbox == []


def test_api_lists_campaigns_with_coverage_and_creates_a_merger_notice(officer, alice, outbox):
    with committed():
        created = api(officer).post("/api/v1/staff/campaigns/", {
            "kind": "merger_notice", **MERGER,
            "effective_at": (clock.now() + timedelta(days=60)).isoformat()}, format="json")
    assert created.status_code == 201, created.content
    listing = api(officer).get("/api/v1/staff/campaigns/").json()
    assert listing[0]["coverage"]["sent"] == listing[0]["coverage"]["recipients"] == 2
    detail = api(officer).get(f"/api/v1/staff/campaigns/{created.json()['id']}/")
    assert detail.status_code == 200
    assert api(alice).get("/api/v1/staff/campaigns/").status_code == 403
    missing = api(officer).post("/api/v1/staff/campaigns/", {"kind": "marketing", **NEWS,
                                                             "title_en": ""}, format="json")
    assert missing.status_code >= 400 and Campaign.objects.count() == 1


def test_api_acknowledge_and_postpone(officer):
    from tests.notifications_app.campaign_helpers import publish

    campaign = Campaign.objects.get(policy_version=publish(days=40))
    url = f"/api/v1/staff/campaigns/{campaign.public_id}/"
    assert api(officer).post(url + "acknowledge/", {"note": ""}, format="json").status_code == 400
    done = api(officer).post(url + "acknowledge/", {"note": "Known bounces."}, format="json")
    assert done.status_code == 200
    later = (campaign.effective_at + timedelta(days=7)).isoformat()
    moved = api(officer).post(url + "postpone/", {"effective_at": later}, format="json")
    assert moved.status_code == 200, moved.content
    campaign.refresh_from_db()
    assert campaign.effective_at.isoformat() == later
    assert list(campaign.events.values_list("kind", flat=True)) == [
        "started", "acknowledged", "postponed"]
    assert api(officer).get("/api/v1/staff/campaigns/00000000-0000-0000-0000-000000000000/"
                            ).status_code == 404


# --- admin (behind the TOTP second factor) ---------------------------------------------------

def test_admin_lists_campaigns_with_coverage_and_filters_deliveries(client, officer, alice,
                                                                    staff_sign_in, outbox):
    with committed():
        campaigns.campaign_start(campaign=merger())
    assert client.get("/admin/notifications_app/campaign/").status_code == 302  # not signed in
    staff_sign_in(client, officer)
    page = client.get("/admin/notifications_app/campaign/")
    assert page.status_code == 200
    campaign = Campaign.objects.get()
    assert client.get(f"/admin/notifications_app/campaign/{campaign.pk}/change/"
                      ).status_code == 200
    deliveries = client.get(f"/admin/notifications_app/delivery/?campaign__id__exact="
                            f"{campaign.pk}&status__exact=sent")
    assert deliveries.status_code == 200 and alice.username in deliveries.content.decode()


def test_admin_refuses_a_merger_notice_without_english(client, officer, staff_sign_in):
    staff_sign_in(client, officer)
    response = client.post("/admin/notifications_app/campaign/add/", {
        "kind": "merger_notice", **MERGER, "title_en": "",
        "effective_at_0": "2030-01-01", "effective_at_1": "00:00:00",
        "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0"})
    assert response.status_code == 200 and not Campaign.objects.exists()
    assert OutboundEmail.objects.count() == 0
