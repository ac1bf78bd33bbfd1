"""Access-control matrix (P18, P21): every URL pattern of the project (portal, API, admin,
public endpoints) is enumerated from the resolver; each has an entry giving what anonymous, user
A, user B (the objects are A's), a support agent and a privacy officer get. Another user's
object is a 404, a missing right a 403 (API, admin) or a redirect to sign in. A URL without an
entry fails the test, so a new view cannot ship without deciding who may use it.

Outcomes: an HTTP status, or where a redirect leads: "login" (portal sign-in), "admin-login",
"reason" (the P18 access-reason form, i.e. allowed after giving a reason), "redirect" (elsewhere).
"""

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

pytestmark = [pytest.mark.django_db, pytest.mark.rule("P18")]

ROLES = ("anon", "A", "B", "agent", "officer")
L = "login"


def same(outcome) -> dict[str, Any]:
    return dict.fromkeys(ROLES, outcome)


def users(anon, signed_in) -> dict[str, Any]:
    return {"anon": anon, **dict.fromkeys(ROLES[1:], signed_in)}


def owner_only(anon=L, owner=200, others=404) -> dict[str, Any]:
    return {"anon": anon, "A": owner, "B": others, "agent": others, "officer": others}


def staff_only(anon, user, agent, officer) -> dict[str, Any]:
    return {"anon": anon, "A": user, "B": user, "agent": agent, "officer": officer}


@dataclass
class Entry:
    expect: dict[str, Any]
    kwargs: str | None = None  # name of a key of the `world` fixture giving the URL kwargs
    method: str = "get"
    post: dict[str, Any] | None = None  # extra POST check: {role: outcome}
    data: dict[str, Any] = field(default_factory=dict)


ANY_WEBHOOK = "anymail:*"
# Only the tracking webhook of the configured ESP (EMAIL_TRACKING_ESP) is mounted.
PORTAL_POST_ONLY = users(L, 405)

MATRIX: dict[str, Entry] = {
    # --- public -----------------------------------------------------------------------
    "healthz": Entry(same({200, 503})),  # 503 only names what is down
    "set_language": Entry(same("redirect")),
    "notifications_unsubscribe": Entry(same(400), kwargs="bad_token"),
    "gpc-json": Entry(same(200)),
    "fulfilment-callback": Entry(same(405), kwargs="processor", post=same(404)),  # no such
    "api-schema": Entry(same(200)),
    "api-docs": Entry(same(200)),
    ANY_WEBHOOK: Entry(same({401, 403, 405})),  # HTTP basic auth with the webhook secret
    # --- portal: accounts ---------------------------------------------------------------
    "home": Entry(same(200)),
    "retention": Entry(same(200)),  # issue 21: APPI Art. 22 retention page, public
    "accounts:sign-up": Entry(users(200, "redirect")),
    "accounts:sign-up-sent": Entry(same(200)),
    "accounts:email-change": Entry(users(L, 200)),
    "accounts:email-change-confirm": Entry(same(400), kwargs="bad_token"),
    "accounts:email-change-undo": Entry(same(400), kwargs="bad_token"),
    "accounts:sign-out-everywhere": Entry(PORTAL_POST_ONLY),
    "accounts:sign-in": Entry(same(200)),
    "accounts:sign-out": Entry(same(405)),
    "accounts:confirm-email": Entry(same(400), kwargs="bad_token"),
    "accounts:password-reset": Entry(same(200)),
    "accounts:password-reset-done": Entry(same(200)),
    "accounts:password-reset-confirm": Entry(same(200), kwargs="reset"),
    "accounts:password-reset-complete": Entry(same(200)),
    "accounts:settings": Entry(users(L, 200)),
    "accounts:profile": Entry(users(L, 200)),
    "accounts:password-change": Entry(users(L, 200)),
    "accounts:login-revoke": Entry(PORTAL_POST_ONLY, kwargs="a_login",
                                   post=owner_only(owner="redirect")),
    "accounts:logins-revoke-all": Entry(PORTAL_POST_ONLY),
    "accounts:close": Entry(users(L, 200)),
    "accounts:contacts": Entry(users(L, 200)),
    "accounts:contact-new": Entry(users(L, 200)),
    "accounts:contacts-import": Entry(users(L, 200)),
    "accounts:contact-edit": Entry(owner_only(), kwargs="a_contact"),
    "accounts:contact-delete": Entry(PORTAL_POST_ONLY, kwargs="a_contact",
                                     post=owner_only(owner="redirect")),
    "accounts:files": Entry(users(L, 200)),
    "accounts:file-download": Entry(owner_only(), kwargs="a_file"),  # issue 20: streamed
    "accounts:file-delete": Entry(PORTAL_POST_ONLY, kwargs="a_file",
                                  post=owner_only(owner="redirect")),
    "accounts:posts": Entry(users(L, 200)),
    "accounts:post-new": Entry(users(L, 200)),
    "accounts:post-edit": Entry(owner_only(), kwargs="a_post"),
    "accounts:post-delete": Entry(PORTAL_POST_ONLY, kwargs="a_post",
                                  post=owner_only(owner="redirect")),
    "accounts:staff-2fa": Entry(staff_only("admin-login", "admin-login", 200, 200)),
    "accounts:staff-2fa-setup": Entry(staff_only("admin-login", "admin-login", 200, 200)),
    "accounts:staff-access-reason": Entry(staff_only("admin-login", "admin-login", 200, 200)),
    # --- portal: consent ----------------------------------------------------------------
    "consent:settings": Entry(users(L, 200)),
    "consent:grant": Entry(PORTAL_POST_ONLY),
    "consent:withdraw": Entry(PORTAL_POST_ONLY),
    "consent:receipt": Entry(owner_only(), kwargs="a_receipt"),
    "consent:policy_current": Entry(same(200)),
    "consent:policy_history": Entry(same(200)),
    "consent:policy_detail": Entry(same(200), kwargs="policy"),
    "consent:policy_accept": Entry(PORTAL_POST_ONLY, kwargs="policy"),
    "consent:policy_banner_dismiss": Entry(same(405)),
    "consent:testimonials": Entry(same(200)),
    # --- portal: public notices (P17) ---------------------------------------------------
    "notifications:notices": Entry(same(200)),
    "notifications:notice": Entry(same(404), kwargs="no_such_notice"),
    # --- portal: requests ---------------------------------------------------------------
    "requests:list": Entry(users(L, 200)),
    "requests:new": Entry(users(L, 200)),
    "requests:new_of_type": Entry(users(L, 200), kwargs="type"),
    "requests:detail": Entry(owner_only(), kwargs="a_request"),
    "requests:withdraw": Entry(owner_only(), kwargs="a_request",  # GET: the confirmation step
                               post=owner_only(owner="redirect")),
    "requests:package_download": Entry(owner_only(), kwargs="a_package"),
    # Issue 25: the owner cancels a cooling-off deletion (POST only; A's request has none: the
    # owner is told and sent back, nobody else learns the request exists).
    "automation:deletion_cancel": Entry(PORTAL_POST_ONLY, kwargs="a_request",
                                        post=owner_only(owner="redirect")),
    "requests:helpdesk": Entry(same(200)),
    "requests:verify": Entry(same(200), kwargs="verification"),  # the emailed link is the key
    # Issue 21 (APPI Art. 37(3)): the person's signed objection link; a forged one is a 404.
    "requests:representative_objection": Entry(same(404), kwargs="bad_token",
                                               post=same(404)),
    "requests:verify_resend": Entry(same(405), kwargs="verification"),
    # --- API ----------------------------------------------------------------------------
    "api-auth-token": Entry(same(405)),
    "api-auth-token-revoke": Entry(users(401, 405)),
    "api-auth-token-revoke-all": Entry(users(401, 405)),
    "api-accounts-sign-up": Entry(same(405)),
    "api-accounts-me": Entry(users(401, 200)),
    "api-consents": Entry(users(401, 200)),
    "api-consents-grant": Entry(users(401, 405)),
    "api-consents-withdraw": Entry(users(401, 405)),
    "api-consents-events": Entry(users(401, 200)),
    "api-consents-receipt": Entry(owner_only(anon=401), kwargs="a_receipt"),
    "api-policies": Entry(same(200)),
    "api-policies-current": Entry(same(200)),
    "api-policies-acceptances": Entry(users(401, 200)),
    "api-policies-detail": Entry(same(200), kwargs="policy"),
    "api-policies-accept": Entry(users(401, 405), kwargs="policy"),
    "api-requests": Entry(users(401, 200)),
    "api-request-detail": Entry(owner_only(anon=401), kwargs="a_request_pk"),
    "api-request-withdraw": Entry(users(401, 405), kwargs="a_request_pk",
                                  post=owner_only(anon=401, owner=200)),
    "api-staff-requests": Entry(staff_only(401, 403, 200, 200)),
    "api-staff-request-detail": Entry(staff_only(401, 403, 200, 200), kwargs="a_request_pk"),
    "api-staff-request-assign": Entry(staff_only(401, 403, 403, 405), kwargs="a_request_pk"),
    "api-staff-request-verify-identity": Entry(staff_only(401, 403, 405, 405),
                                               kwargs="a_request_pk"),
    # Agents draft and send replies (roles.py); assigning others and rejecting are officers'.
    "api-staff-request-reply": Entry(staff_only(401, 403, 405, 405), kwargs="a_request_pk"),
    "api-staff-request-reject": Entry(staff_only(401, 403, 403, 405), kwargs="a_request_pk"),
    # P17/P25 campaigns and policy publication: privacy officers only.
    "api-staff-policy-publish": Entry(staff_only(401, 403, 403, 405)),
    "api-staff-campaigns": Entry(staff_only(401, 403, 403, 200)),
    "api-staff-campaign": Entry(staff_only(401, 403, 403, 404), kwargs="no_such_campaign"),
    "api-staff-campaign-acknowledge": Entry(staff_only(401, 403, 403, 405),
                                            kwargs="no_such_campaign"),
    "api-staff-campaign-postpone": Entry(staff_only(401, 403, 403, 405),
                                         kwargs="no_such_campaign"),
    # APPI-26 incident register: privacy officers only; the public notice exists once published.
    "api-staff-incidents": Entry(staff_only(401, 403, 403, 200)),
    "api-staff-incident-detail": Entry(staff_only(401, 403, 403, 200), kwargs="an_incident"),
    "api-staff-incident-report": Entry(staff_only(401, 403, 403, 200),
                                       kwargs="an_incident_report"),
    "api-staff-incident-report-submit": Entry(staff_only(401, 403, 403, 405),
                                              kwargs="an_incident_report"),
    "incidents:notice": Entry(same(404), kwargs="no_such_notice"),  # not published
    # --- authorized agents (Data Rights Protocol) ------------------------------------------
    # DRP endpoints authenticate agents by Bearer token and signature, never by session, so
    # every portal role gets the spec's 403 (2.02.1, 2.06.1; an empty 403 for key setup,
    # 2.05.1); the user-verification page is the matched person's only.
    "drp-api-base": Entry(same(200)),
    "drp-directory-entry": Entry(same(200)),
    "drp-agent": Entry(same(403), kwargs="drp_agent", post=same(403)),
    "drp-exercise": Entry(same(405), post=same(403)),
    "drp-exercise-slash": Entry(same(405), post=same(403)),
    "drp-request": Entry(same(403), kwargs="drp_request"),
    # A's request by an agent, waiting for A to confirm (sale:opt-out, unverified email).
    "agents:verify": Entry(owner_only(), kwargs="a_drp_request", post=owner_only()),
}

# Admin views that are not a model's changelist/add/change/delete/history (those are checked
# as families against each role's model permissions, below).
ADMIN = {
    "admin:index": Entry(staff_only("admin-login", "admin-login", 200, 200)),
    "admin:login": Entry(staff_only(200, 200, "redirect", "redirect")),
    "admin:logout": Entry(staff_only("redirect", "redirect", 405, 405)),
    "admin:password_change": Entry(staff_only("admin-login", "admin-login", 200, 200)),
    "admin:password_change_done": Entry(staff_only("admin-login", "admin-login", 200, 200)),
    "admin:autocomplete": Entry(staff_only("admin-login", "admin-login", 403, 403)),
    "admin:jsi18n": Entry(staff_only("admin-login", "admin-login", 200, 200)),
    "admin:view_on_site": Entry(staff_only("admin-login", "admin-login", 404, 404),
                                kwargs="view_on_site"),
    "admin:auth_user_password_change": Entry(
        staff_only("admin-login", "admin-login", 403, 403), kwargs="a_user"),
    "admin:otp_totp_totpdevice_config": Entry(
        staff_only("admin-login", "admin-login", 403, 403), kwargs="a_device"),
    "admin:otp_totp_totpdevice_qrcode": Entry(
        staff_only("admin-login", "admin-login", 403, 403), kwargs="a_device"),
    "admin:app_list": Entry(staff_only("admin-login", "admin-login", 200, 200),
                            kwargs="requests_app_label"),
    "admin:requests_app_datasubjectrequest_helpdesk": Entry(
        staff_only("admin-login", "admin-login", 200, 200)),
    "admin:requests_app_datasubjectrequest_compliance": Entry(
        staff_only("admin-login", "admin-login", 403, 200)),
    "admin:requests_app_datasubjectrequest_compliance_csv": Entry(
        staff_only("admin-login", "admin-login", 403, 200)),
    "admin:requests_app_datasubjectrequest_act": Entry(
        staff_only("admin-login", "admin-login", 405, 405), kwargs="admin_act"),
    "admin:agents_app_agent_import": Entry(staff_only("admin-login", "admin-login", 403, 200)),
    # APPI-26 incident register: privacy officers only (P18: opening one may ask for a reason).
    "admin:incidents_app_incident_record": Entry(staff_only("admin-login", "admin-login", 403, {200, "reason"})),
    "admin:incidents_app_incident_edit": Entry(staff_only("admin-login", "admin-login", 403, {200, "reason"}), kwargs="an_incident"),
    "admin:incidents_app_incident_report": Entry(staff_only("admin-login", "admin-login", 403, {200, "reason"}), kwargs="an_incident_report"),
    "admin:incidents_app_incident_sheet": Entry(staff_only("admin-login", "admin-login", 403, {200, "reason"}), kwargs="an_incident_report"),
    "admin:incidents_app_incident_json": Entry(staff_only("admin-login", "admin-login", 403, {200, "reason"}), kwargs="an_incident_report"),
    "admin:incidents_app_incident_notice": Entry(staff_only("admin-login", "admin-login", 403, {200, "reason"}), kwargs="an_incident"),
    "admin:incidents_app_incident_publish": Entry(
        staff_only("admin-login", "admin-login", 405, 405), kwargs="an_incident"),  # POST only
}
ADMIN_FAMILY = re.compile(r"^admin:(?P<app>\w+?)_(?P<model>[a-z0-9]+)_"
                          r"(?P<view>changelist|add|change|delete|history)$")


# --- the world: A's objects, clients for every role ----------------------------------------

@pytest.fixture
def world(make_user, staff_sign_in, settings, tmp_path, django_capture_on_commit_callbacks):
    from accounts_app.models import Contact, ContentFile, ForumPost, PersistentLogin
    from consent_app.models import ConsentEvent
    from requests_app.models import DisclosurePackage
    from requests_app.services import filing, transitions
    from requests_app.services.packages import package_download_path
    from tests.requests_app.conftest import file_web_form
    from tests.requests_app.fulfilment_data import rich_user

    settings.ACCOUNT_CONTENT_DIR = tmp_path / "content"
    settings.PRIVATE_STORAGE_DIR = tmp_path / "private"
    officer = make_user("po", email="po@ccucaas.example", is_staff=True)
    officer.groups.add(Group.objects.get(name="Privacy officer"))
    agent = make_user("agent", email="agent@ccucaas.example", is_staff=True)
    agent.groups.add(Group.objects.get(name="Support agent"))
    with django_capture_on_commit_callbacks(execute=True):
        a = rich_user(make_user, staff=officer)
    b = make_user("bob", email="bob@example.com", language="en")
    inquiry = a.data_requests.get(type="inquiry") if hasattr(a, "data_requests") else None
    from requests_app.models import DataSubjectRequest

    inquiry = DataSubjectRequest.objects.get(subject=a, type="inquiry")
    with django_capture_on_commit_callbacks(execute=True):
        disclosure, _sent = filing.request_file(type="disclosure", channel="portal",
                                                  details={}, subject=a)
    with django_capture_on_commit_callbacks(execute=True):
        transitions.request_reply(request=disclosure, actor=officer, text="開示します。")
    package = DisclosurePackage.objects.get(request=disclosure)
    correction, _sent = filing.request_file(
        type="correction", channel="portal", subject=a,
        details={"items": [{"field": "first_name", "requested_value": "花子"}]})
    _guest, sent = file_web_form()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    package_token = package_download_path(package=package).rstrip("/").rsplit("/", 1)[1]
    kwargs = {
        "bad_token": {"token": "not-a-valid-signed-token"},
        "processor": {"processor_id": 1},
        "no_such_notice": {"public_id": uuid.uuid4()},
        "no_such_campaign": {"public_id": uuid.uuid4()},
        "reset": {"uidb64": "MQ", "token": "set-password"},
        "a_login": {"public_id": PersistentLogin.objects.get(user=a).public_id},
        "a_contact": {"public_id": Contact.objects.get(user=a).public_id},
        "a_file": {"public_id": ContentFile.objects.get(user=a).public_id},
        "a_post": {"public_id": ForumPost.objects.get(user=a).public_id},
        "a_receipt": {"receipt_id": ConsentEvent.objects.filter(user=a).first().receipt_id},
        "policy": {"version": "1"},
        "type": {"type": "disclosure"},
        "a_request": {"pk": correction.pk},
        "a_request_pk": {"pk": str(inquiry.pk)},
        "a_package": {"pk": disclosure.pk, "token": package_token},
        "verification": {"token": sent.token},
        "view_on_site": {"content_type_id": 999999, "object_id": "1"},
        "requests_app_label": {"app_label": "requests_app"},
        "admin_act": {"pk": inquiry.pk, "action": "assign"},
        "a_user": {"id": a.pk},

    }
    people = {"A": a, "B": b, "agent": agent, "officer": officer}
    # A 500 is an outcome to report like any other, not an exception that stops the test.
    portal = {"anon": Client(raise_request_exception=False)}
    for role, user in people.items():
        client = Client(raise_request_exception=False)
        if user.is_staff:
            staff_sign_in(client, user)
        else:
            client.force_login(user)
        portal[role] = client
    api = {"anon": APIClient(raise_request_exception=False)}
    for role, user in people.items():
        client = APIClient(raise_request_exception=False)
        client.credentials(HTTP_AUTHORIZATION=f"Token {_token(user)}",
                           HTTP_X_ACCESS_REASON="Access-control matrix")
        api[role] = client
    kwargs["a_device"] = {"pk": TOTPDevice.objects.filter(user=officer).first().pk}
    kwargs.update(_incident_kwargs(officer, a))
    kwargs.update(_drp_kwargs(a))
    return {"kwargs": kwargs, "portal": portal, "api": api, "people": people}


def _incident_kwargs(officer, a) -> dict[str, dict]:
    from datetime import timedelta

    from ccucaas_privacy import clock
    from incidents_app import services as incidents

    incident = incidents.incident_create(
        title="Matrix incident", known_at=clock.now() - timedelta(hours=1), actor=officer,
        reported_by="Access-control matrix", description="A leak", data_items=["email"],
        data_categories=["profile"], affected_users=[a])
    return {"an_incident": {"pk": incident.pk},
            "an_incident_report": {"pk": incident.pk, "stage": "preliminary"}}


def _drp_kwargs(a) -> dict[str, dict]:
    """An agent's sale:opt-out for A with an unverified email: waiting for A to confirm."""
    from django.conf import settings

    from agents_app import services as drp
    from agents_app.models import DrpRequest
    from tests.agents_app.drp_agent import DrpAgent

    agent = DrpAgent("http://testserver/drp", agent_id="MATRIX_AGENT",
                     business_id=settings.DRP["BUSINESS_ID"])
    registered = drp.agent_save(agent_id=agent.agent_id, actor=None,
                                fields={"name": "Matrix agent", "verify_key": agent.verify_key})
    body = agent.sign(agent.envelope(exercise="sale:opt-out", email=a.email, email_verified=False))
    request = drp.drp_exercise(agent=registered, body=body)
    assert DrpRequest.objects.get(pk=request.pk).reason == "need_user_verification"
    return {"drp_agent": {"agent_id": agent.agent_id}, "drp_request": {"request_id": request.pk},
            "a_drp_request": {"pk": request.pk}}


def _token(user) -> str:
    """As POST /api/v1/auth/token/ gives it: staff with the second factor (issue 17)."""
    from tests.accounts_app.staff import api_token

    return api_token(user)


def outcome(response) -> Any:
    if 300 <= response.status_code < 400:
        location = response.headers.get("Location", "")
        if "/admin/login/" in location:
            return "admin-login"
        if "/sign-in/" in location:
            return L
        if "/staff/access-reason/" in location:
            return "reason"
        if "/staff/two-factor" in location:
            return "2fa"
        return "redirect"
    return response.status_code


def matches(expected, actual) -> bool:
    return actual in expected if isinstance(expected, set) else actual == expected


# --- enumeration ----------------------------------------------------------------------------

def _walk(resolver: URLResolver, namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, ns)
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}{entry.name}" if entry.name else None), entry


def all_url_names() -> list[str]:
    names = []
    for name, pattern in _walk(get_resolver()):
        # Unnamed patterns: Django admin's "<object_id>/" redirect to the change view and its
        # final catch-all (both only redirect to named admin URLs checked below).
        assert name or "object_id" in str(pattern.pattern) or \
            getattr(pattern.callback, "__name__", "") == "catch_all_view", pattern
        if name:
            names.append(name)
    return names


def _admin_family(name: str):
    """(model, view) when name is a registered model's changelist/add/change/delete/history."""
    match = ADMIN_FAMILY.match(name)
    if not match:
        return None
    for model in admin.site._registry:
        if f"{model._meta.app_label}_{model._meta.model_name}" == f"{match['app']}_{match['model']}":
            return model, match["view"]
    return None


def _is_api(name: str) -> bool:
    return name.startswith("api-") and name not in ("api-schema", "api-docs")


def test_p18_every_url_pattern_has_an_entry_in_the_matrix():
    missing = []
    for name in all_url_names():
        if name in MATRIX or name in ADMIN or _admin_family(name):
            continue
        if name.startswith("anymail:"):
            continue
        missing.append(name)
    assert missing == [], f"add these URLs to the access matrix: {missing}"
    stale = set(MATRIX) - set(all_url_names()) - {ANY_WEBHOOK}
    stale |= set(ADMIN) - set(all_url_names())
    assert stale == set(), f"entries for URLs that no longer exist: {stale}"


# --- the matrix ------------------------------------------------------------------------------

def _request(client, method: str, url: str, data=None):
    cache.clear()  # throttles and rate limits are not what this test is about
    response = client.post(url, data or {}) if method == "post" else client.get(url)
    # File downloads hold their file open until closed; closing fires request_finished,
    # which must not close the test's database connection (as in Django's test client).
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    return response


def test_p18_p21_every_role_gets_exactly_what_the_matrix_says(world):
    failures = []
    checked = 0
    names = all_url_names()
    entries = dict(MATRIX)
    for name in names:
        if name.startswith("anymail:"):
            entries[name] = MATRIX[ANY_WEBHOOK]
    for name, entry in entries.items():
        if name == ANY_WEBHOOK:
            continue
        kwargs = world["kwargs"][entry.kwargs] if entry.kwargs else {}
        url = reverse(name, kwargs=kwargs)
        clients = world["api"] if _is_api(name) else world["portal"]
        for role in ROLES:
            actual = outcome(_request(clients[role], "get", url))
            checked += 1
            if not matches(entry.expect[role], actual):
                failures.append(f"GET {name} as {role}: expected {entry.expect[role]}, got {actual}")
    # POST checks on others' objects last (the owner's POST changes the object).
    for name, entry in entries.items():
        if not entry.post:
            continue
        url = reverse(name, kwargs=world["kwargs"][entry.kwargs] if entry.kwargs else {})
        clients = world["api"] if _is_api(name) else world["portal"]
        for role in ("anon", "B", "agent", "officer", "A"):
            actual = outcome(_request(clients[role], "post", url, entry.data))
            checked += 1
            if not matches(entry.post[role], actual):
                failures.append(f"POST {name} as {role}: expected {entry.post[role]}, got {actual}")
    assert failures == [], "\n".join(failures)
    assert checked > 400


def test_p18_admin_views_follow_each_roles_model_permissions(world):
    """Model admin views as a family: non-staff are sent to the admin sign-in; staff get a
    403 for any model or action their group does not grant, whatever the object."""
    people = world["people"]
    failures, checked = [], 0
    for name in all_url_names():
        if name in ADMIN:
            entry = ADMIN[name]
            url = reverse(name, kwargs=world["kwargs"][entry.kwargs] if entry.kwargs else {})
            for role in ROLES:
                actual = outcome(_request(world["portal"][role], "get", url))
                checked += 1
                if not matches(entry.expect[role], actual):
                    failures.append(f"GET {name} as {role}: expected {entry.expect[role]}, "
                                    f"got {actual}")
            continue
        family = _admin_family(name)
        if family is None:
            continue
        model, view = family
        args = []
        if view in ("change", "delete", "history"):
            obj = model._default_manager.order_by("pk").first()
            if obj is None:
                continue  # no row to open; the changelist and add views are still checked
            args = [obj.pk]
        url = reverse(name, args=args)
        for role in ROLES:
            actual = outcome(_request(world["portal"][role], "get", url))
            checked += 1
            user = people.get(role)
            if user is None or not user.is_staff:
                expected: Any = "admin-login"
            else:
                label = f"{model._meta.app_label}.%s_{model._meta.model_name}"
                can_view = user.has_perm(label % "view") or user.has_perm(label % "change")
                needed = {"changelist": can_view, "change": can_view, "history": can_view,
                          "add": user.has_perm(label % "add"),
                          "delete": user.has_perm(label % "delete")}[view]
                # Holding the permission may still be refused (evidence is read-only) or
                # ask for a reason first (P18); lacking it is always a 403.
                expected = {200, 403, "reason"} if needed else 403
            if not matches(expected, actual):
                failures.append(f"GET {name} as {role}: expected {expected}, got {actual}")
    assert failures == [], "\n".join(failures)
    assert checked > 200


# --- the staff API and the second factor (issue 17 row 1) ------------------------------------

def test_p18_staff_api_refuses_a_password_only_token_and_an_unverified_session(world):
    """Every staff API URL (also those of apps added later) refuses staff who did not pass the
    second factor: a session signed in with the password only, and a token without the second
    factor (one issued before the account became staff); the token endpoint issues none."""
    from accounts_app.models import ApiToken

    names = [n for n in all_url_names() if n.startswith("api-staff")]
    assert len(names) >= 10
    for role in ("agent", "officer"):
        user = world["people"][role]
        refused = APIClient().post("/api/v1/auth/token/", {
            "username": user.username, "password": "correct-horse-battery-42"}, format="json")
        assert refused.status_code == 403 and refused.json()["code"] == "second_factor_required"
        session = APIClient(raise_request_exception=False)
        session.force_login(user)  # password only: django-otp has not verified this session
        _token, key = ApiToken.objects.create(user=user, expiry=None)
        token = APIClient(raise_request_exception=False)
        token.credentials(HTTP_AUTHORIZATION=f"Token {key}", HTTP_X_ACCESS_REASON="matrix")
        for name in names:
            entry = MATRIX.get(name)
            try:
                url = reverse(name, kwargs=world["kwargs"][entry.kwargs] if entry and entry.kwargs
                              else {})
            except NoReverseMatch:  # a new URL whose matrix entry (with its kwargs) is missing;
                continue            # the test above names it
            has_right = entry is not None and entry.expect[role] != 403
            for how, client in (("session", session), ("token", token)):
                response = _request(client, "get", url)
                assert response.status_code == 403, (role, how, name, response.content)
                if has_right:  # without the right it is the plain 403 before anything else
                    assert response.json()["code"] == "second_factor_required", (role, how, name)
