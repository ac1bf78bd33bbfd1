"""Demo data of this app for `manage.py seed_demo`. Must be idempotent.

Requests in every status, some due soon and one overdue, all reached through the services
with past `now` values, so each has its real timeline of events.
"""

from datetime import timedelta
from typing import TextIO

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts_app.services.accounts import user_create
from ccucaas_privacy import clock
from ccucaas_privacy.staff import PRIVACY_OFFICER, SUPPORT_AGENT
from requests_app.models import Channel, DataSubjectRequest
from requests_app.services import filing, transitions, verification

DEMO_PASSWORD = "ccucaas-demo-2026"  # noqa: S105 - demo data, printed by `make run`


def _staff(stdout: TextIO):
    User = get_user_model()
    officer = User.objects.filter(username__iexact="officer").first()
    if officer is not None:
        officer.groups.add(Group.objects.get(name=PRIVACY_OFFICER))
    agent = User.objects.filter(username__iexact="agent").first()
    if agent is None:
        agent = user_create(username="agent", email="agent@ccucaas.example",
                            password=DEMO_PASSWORD, is_staff=True)
        stdout.write("  agent    support agent: created\n")
    agent.groups.add(Group.objects.get(name=SUPPORT_AGENT))
    return officer, agent


def _portal(user, type, details, *, at):
    request, _ = filing.request_file(type=type, channel=Channel.PORTAL, details=details,
                                       subject=user, now=at)
    return request


def seed(stdout: TextIO) -> None:
    User = get_user_model()
    officer, agent = _staff(stdout)
    if DataSubjectRequest.objects.exists():
        stdout.write("  requests: already there\n")
        return
    alice = User.objects.filter(username__iexact="alice").first()
    bob = User.objects.filter(username__iexact="bob").first()
    if not (officer and alice and bob):
        stdout.write("  requests: skipped (officer, alice and bob are needed)\n")
        return
    now = clock.now()

    def ago(**kw):
        return now - timedelta(**kw)

    # completed: disclosure replied in time
    r = _portal(alice, "disclosure", {"note": "保有している私の個人データをすべて開示してください。"},
                at=ago(days=20))
    transitions.request_assign(request=r, assignee=officer, actor=officer, now=ago(days=19))
    transitions.request_start_review(request=r, actor=officer, now=ago(days=18))
    r = transitions.request_reply(request=r, actor=officer, now=ago(days=5),
                               text="開示データを添付のとおりお送りします。",
                               attachments=[{"name": "disclosure.zip", "description": "全カテゴリ"}])
    from requests_app.services.packages import disclosure_package_build

    disclosure_package_build(request=r, now=ago(days=5, minutes=-3))  # completes it (issue 19)
    # in review, due soon (about 5 days left)
    r = _portal(alice, "correction", {"items": [
        {"field": "last_name", "requested_value": "山田", "reason": "結婚により姓が変わりました"}]},
        at=ago(days=25))
    transitions.request_assign(request=r, assignee=agent, actor=officer, now=ago(days=24))
    transitions.request_start_review(request=r, actor=officer, now=ago(days=23))
    # overdue: received 35 days ago, never replied
    _portal(alice, "inquiry", {"subject": "利用目的について",
                               "message": "閲覧履歴の利用目的を教えてください。"}, at=ago(days=35))
    # replied, change must take effect within 48 hours
    r = _portal(bob, "deletion", {"note": "Please delete my forum posts."}, at=ago(days=3))
    transitions.request_reply(request=r, actor=officer, now=ago(hours=10),
                           text="Your forum posts will be deleted within 48 hours.")
    # received, fresh: an email address is not a self-service field, so automation (issue 25)
    # leaves it to staff and the demo keeps a request to triage
    _portal(bob, "correction", {"items": [{"field": "email", "requested_value": "robert@example.com",
                                           "reason": "I changed my email address."}]},
            at=ago(days=1))
    # rejected and withdrawn
    r = _portal(bob, "disclosure", {}, at=ago(days=12))
    transitions.request_reject(request=r, actor=officer, now=ago(days=10),
                            ground="request_unclear",
                            reason="The same data was disclosed to you last week.")
    r = _portal(bob, "inquiry", {"subject": "Cookies", "message": "Which cookies do you set?"},
                at=ago(days=8))
    transitions.request_withdraw(request=r, actor=bob, reason="Found the answer.", now=ago(days=7))
    # help desk (phone), identity confirmed by staff; due in about 2 days
    r, _ = filing.request_file(
        type="inquiry", channel=Channel.HELPDESK, actor=agent,
        details={"subject": "電話でのご相談", "message": "退会後のデータの扱いについて"},
        subject_name="鈴木 一郎", subject_email="ichiro.suzuki@example.jp", now=ago(days=28))
    verification.request_verify_identity(request=r, actor=agent, now=ago(days=28, hours=-1),
                                     note="折り返し電話で本人確認")
    # web form: awaiting verification, and one that expired unverified
    filing.request_file(type="disclosure", channel=Channel.WEB_FORM, details={},
                          subject_name="佐々木 花", subject_email="hana.sasaki@example.jp",
                          now=ago(hours=2))
    r, _ = filing.request_file(type="deletion", channel=Channel.WEB_FORM, details={},
                                 subject_name="Guest", subject_email="guest@example.org",
                                 now=ago(days=20))
    verification.request_expire(request=r, now=ago(days=6))
    stdout.write(f"  requests: {DataSubjectRequest.objects.count()} created in every status\n")
