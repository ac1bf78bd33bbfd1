"""A user with personal data in every category, made through the apps' services, and the
helpers the fulfilment tests share (replying through the real request services)."""

from datetime import timedelta

from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from ccucaas_privacy import clock

EMAIL = "hanako.yamada@example.jp"
USERNAME = "hanako-y"
LAST_NAME = "Yamadasan"
IP = "203.0.113.77"
MARKERS = (EMAIL, USERNAME, LAST_NAME, IP)
UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"


def rich_user(make_user, *, staff=None):
    """Every source of the registry holds at least one row of this user."""
    from accounts_app.services import accounts, data
    from accounts_app.services.staff import staff_access_record
    from accounts_app.sessions import SessionStore
    from consent_app import services as consent
    from consent_app.selectors import policy_version_current
    from notifications_app.services.outbox import notification_queue

    user = make_user(USERNAME, email=EMAIL, language="ja")
    accounts.profile_update(user=user, changes={"first_name": "Hanako", "last_name": LAST_NAME},
                            channel="portal")
    user.refresh_from_db()
    data.contact_create(user=user, name="Taro Contact", email="taro@example.org",
                        postal_address="Tokyo", phone="03-1234-5678")
    data.content_file_create(user=user, upload=SimpleUploadedFile("notes.txt", b"hello"),
                             storage_region="us-west-2")
    data.usage_record(user=user, feature="contacts")
    data.usage_rollup(day=clock.jst_date(clock.now()))
    data.visitor_logs_write(entries=[{
        "user": user, "occurred_at": clock.now(), "ip": IP, "browser": "Chrome", "os": "Linux",
        "language": "ja", "referrer": f"https://example.org/?u={USERNAME}", "method": "GET",
        "path": "/account/", "status_code": 200, "time_zone": "Asia/Tokyo", "user_agent": UA}])
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session.create()
    accounts.persistent_login_create(user=user, session_key=session.session_key, user_agent=UA, ip=IP)
    accounts.auth_token_issue(user=user)
    data.payment_reference_create(user=user, processor="stripe", processor_token="cus_hanako",
                                  brand="visa", last4="4242", exp_month=12, exp_year=2030)
    data.forum_post_create(user=user, title="Hello", body=f"I am {LAST_NAME}", published=True)
    consent.consent_grant(user=user, purpose="marketing_email", channel="portal", ip=IP,
                          user_agent=UA)
    consent.consent_grant(user=user, purpose="testimonial_publication", channel="portal", ip=IP)
    consent.policy_accept(user=user, version=policy_version_current(), channel="portal", ip=IP)
    consent.testimonial_create(user=user, display_name=f"Hanako {LAST_NAME}", body="Great!",
                               ready=True)
    consent.provision_record(user=user, recipient="Acme Storage", recipient_type="service_provider",
                             purpose="storage", legal_basis="service_delegation",
                             data_categories=["account_content"],
                             provided_at=clock.now() - timedelta(minutes=1))
    consent.restriction_record(user=user, kind="stop_provision", request_reference="DSR-2026-000001",
                               effective_from=clock.now(), recipients=["Beta Research K.K."])
    notification_queue(kind="administrative_notice", cause=f"test:{user.pk}:notice",
                       context={"body": f"Dear {LAST_NAME}"}, user=user)
    from notifications_app.services import campaigns

    notice = campaigns.campaign_create(
        kind="merger_notice", title_ja="合併のお知らせ", title_en="Merger notice",
        body_ja="本文", body_en="Text", effective_at=clock.now() + timedelta(days=60))
    campaigns.campaign_start(campaign=notice)
    campaigns.campaign_enroll_user(user=user)
    LogEntry.objects.create(user=user, content_type=ContentType.objects.get_for_model(type(user)),
                            object_id=str(user.pk), object_repr=USERNAME, action_flag=ADDITION)
    from requests_app.services.filing import request_file

    request_file(type="inquiry", channel="portal", subject=user,
                 details={"subject": "Question", "message": f"I am {LAST_NAME}, {EMAIL}"})
    if staff is not None:
        staff_access_record(staff=staff, what="personal_data", reason="support ticket 42",
                            subject=user)
    from incidents_app.services import incident_create  # a leak involved her data (issue 22)

    incident_create(title="Leak", known_at=clock.now() - timedelta(hours=1), reported_by="SOC",
                    description="Mis-sent email", data_items=["email"], affected_users=[user],
                    actor=staff)
    _agent_asked_for(user)
    from automation_app.services.staff import staff_flag_place  # issue 25

    staff_flag_place(user=user, reason="Handle by a person: disputed identity", actor=staff)
    return user


def _agent_asked_for(user) -> None:
    """An authorized agent asked, in her name, to opt out of sale (issue 23)."""
    from django.conf import settings

    from agents_app import services as drp
    from tests.agents_app.drp_agent import DrpAgent

    agent = DrpAgent("http://testserver/drp", agent_id="FULFILMENT_AGENT",
                     business_id=settings.DRP["BUSINESS_ID"])
    registered = drp.agent_save(agent_id=agent.agent_id, actor=None,
                                fields={"name": "Fulfilment agent", "verify_key": agent.verify_key})
    drp.drp_exercise(agent=registered, body=agent.sign(
        agent.envelope(exercise="sale:opt-out", email=user.email, email_verified=False)))


def reply(request, staff, text="返信します。"):
    from requests_app.services import transitions

    return transitions.request_reply(request=request, actor=staff, text=text)


def deletion_replied(run, make_user, officer):
    """A deletion of a rich user, approved and replied to (fulfilment starts on the reply)."""
    from requests_app.services import filing, fulfilment, transitions

    user = run(rich_user, make_user)
    request, _sent = run(filing.request_file, type="deletion", channel="portal", details={},
                         subject=user)
    run(fulfilment.deletion_approve, request=request, actor=officer)
    run(transitions.request_reply, request=request, actor=officer, text="削除します。")
    request.refresh_from_db()
    return request


def correction_replied(run, make_user, officer):
    """A correction of the rich user's last name to "Suzuki", accepted and replied to."""
    from requests_app.services import filing, fulfilment, transitions

    user = run(rich_user, make_user)
    request, _sent = run(filing.request_file, type="correction", channel="portal", subject=user,
                         details={"items": [{"field": "last_name", "requested_value": "Suzuki"}]})
    run(fulfilment.correction_item_decide, request=request, index=0, accept=True, note="ok",
        actor=officer)
    run(transitions.request_reply, request=request, actor=officer, text="訂正します。")
    request.refresh_from_db()
    return request


def scan(markers=MARKERS, *, skip_tables=()) -> dict[str, list[str]]:
    """Every column of every table, cast to text, searched for each marker."""
    found: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table in skip_tables:
                continue
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            for column in columns:
                qn = connection.ops.quote_name
                for marker in markers:
                    cursor.execute(
                        f"SELECT COUNT(*) FROM {qn(table)} "  # noqa: S608 - names from introspection
                        f"WHERE LOWER(CAST({qn(column)} AS TEXT)) LIKE %s",
                        [f"%{marker.lower()}%"])
                    if cursor.fetchone()[0]:
                        found.setdefault(f"{table}.{column}", []).append(marker)
    return found


def tables_of(sources) -> set[str]:
    from django.apps import apps

    return {apps.get_model(label)._meta.db_table for s in sources for label in s.models}
