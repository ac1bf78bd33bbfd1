"""Every change made by agents_app (issue 23): the agent registry (privacy officers, logged),
pairwise key setup (spec 2.05), exercise (2.01), revoke (2.04) and the user verification of
3.02.1. Requests of the 30-day lifecycle are filed and changed through requests_app's services;
sale:opt-out goes through consent_app's withdrawal service."""

import base64
from datetime import datetime
from typing import Any

import nacl.utils
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from agents_app import callbacks, selectors, signing
from agents_app.exercise import Exercise, exercise_clean
from agents_app.models import (
    Agent,
    AgentChange,
    AgentToken,
    DrpRequest,
    DrpState,
    SignedMessage,
)
from agents_app.optout import sale_opt_out
from agents_app.registry import agent_fields_clean
from agents_app.signing import DrpError
from ccucaas_privacy import clock
from ccucaas_privacy.errors import ConflictError, DomainError
from requests_app.models import Channel, RequestType, Status
from requests_app.services import filing, transitions, verification

LIFECYCLE_TYPES = {"access": RequestType.DISCLOSURE, "access:specific": RequestType.DISCLOSURE,
                   "access:categories": RequestType.DISCLOSURE,
                   "deletion": RequestType.DELETION}
NO_MATCH = "no_match"


# --- registry (3.05.1) ----------------------------------------------------------------------

def agent_save(*, agent_id: str, fields: dict[str, Any], actor, action: str = "update") -> Agent:
    """Create or change an agent; the change (before/after) is appended to AgentChange."""
    cleaned = agent_fields_clean(agent_id=agent_id, fields=fields)
    with transaction.atomic():
        agent = Agent.objects.select_for_update().filter(agent_id=agent_id).first()
        before = {k: getattr(agent, k) for k in cleaned} if agent else {}
        if agent is None:
            agent = Agent(agent_id=agent_id)
            action = "create" if action == "update" else action
        for key, value in cleaned.items():
            setattr(agent, key, value)
        diff = {k: [before.get(k), v] for k, v in cleaned.items() if before.get(k) != v}
        if not diff and agent.pk:
            return agent
        agent.updated_at = clock.now()
        agent.save()
        if "verify_key" in diff or diff.get("active") == [True, False]:
            agent.tokens.filter(revoked_at=None).update(revoked_at=agent.updated_at)
        AgentChange.objects.create(agent=agent, actor=actor if getattr(actor, "pk", None) else None,
                                   action=action, changes=diff)
        return agent


def agents_import(*, document: Any, actor) -> list[Agent]:
    """Import the DRP directory's agents.json (a list of 3.05.1 entries, or one entry);
    one bad entry refuses the whole file, naming it."""
    entries = document if isinstance(document, list) else [document]
    if not entries or not all(isinstance(e, dict) for e in entries):
        raise DomainError(_("agents.json must hold agent entries (JSON objects)."))
    with transaction.atomic():
        saved = []
        for index, entry in enumerate(entries):
            fields = {k: v for k, v in entry.items() if k != "id"}
            try:
                saved.append(agent_save(agent_id=entry.get("id"), fields=fields, actor=actor,
                                        action="import"))
            except DomainError as exc:
                raise DomainError(_("Entry %(index)d: %(problem)s")
                                  % {"index": index + 1, "problem": exc.message},
                                  details=exc.details) from exc
        return saved


# --- signed messages (3.07) -----------------------------------------------------------------

def _remember(verified: signing.Verified) -> None:
    """A signed message is accepted once; a replay within its window is refused."""
    try:
        with transaction.atomic():
            SignedMessage.objects.create(digest=verified.digest, agent=verified.agent,
                                         expires_at=verified.expires_at)
    except IntegrityError as exc:
        raise DrpError(_("This signed message was already used."), status=403) from exc


def agent_key_setup(*, agent_id: str, body: bytes, now: datetime | None = None) -> str:
    """2.05: a message signed with the directory key of `agent_id` buys a Bearer token
    (32 bytes from libsodium's CSPRNG, stored as a digest). Raises DrpError(403)."""
    now = now or clock.now()
    agent = selectors.agent_get(agent_id)
    if agent is None or not agent.active:
        raise DrpError(_("Unknown agent."), status=403)
    try:
        verified = signing.message_verify(body=body, agent=agent, now=now)
    except DrpError as exc:
        raise DrpError(exc.message, status=403) from exc
    token = base64.urlsafe_b64encode(nacl.utils.random(32)).decode().rstrip("=")
    with transaction.atomic():
        _remember(verified)
        AgentToken.objects.create(agent=agent, token_hash=selectors.token_digest(token),
                                  created_at=now)
    return token


# --- exercise (2.01) ------------------------------------------------------------------------

def _matched_user(email: str):
    return get_user_model().objects.filter(email__iexact=email, is_active=True).first()


def _note(agent: Agent, ex: Exercise) -> str:
    parts = [_("Filed through the Data Rights Protocol by the authorized agent “%(name)s” "
               "(%(id)s); exercise %(exercise)s.") % {"name": agent.name, "id": agent.agent_id,
                                                     "exercise": ex.exercise}]
    if ex.exercise == "access:categories":
        parts.append(_("The person asks for the categories of personal data we hold and our "
                       "purposes: a reply naming them answers it."))
    if ex.agent_request_id:
        parts.append(_("Agent's reference: %(ref)s.") % {"ref": ex.agent_request_id})
    if ex.regime:
        parts.append(_("Regime named by the agent: %(regime)s.") % {"regime": ex.regime})
    if ex.relationships:
        parts.append(_("Relationships: %(list)s.") % {"list": ", ".join(ex.relationships)})
    return " ".join(parts)


def _deny(drp: DrpRequest, reason: str, details: str) -> None:
    drp.state, drp.reason, drp.processing_details = DrpState.DENIED, reason, details


def _file_lifecycle(drp: DrpRequest, ex: Exercise, user, now: datetime) -> None:
    with transaction.atomic():
        dsr, _sent = filing.request_file(
            type=LIFECYCLE_TYPES[ex.exercise], channel=Channel.AGENT,
            details={"note": _note(drp.agent, ex)}, subject=user,
            identity_attested="agent_verified_email" if ex.email_verified else "", now=now)
    drp.request = dsr
    drp.state = DrpState.IN_PROGRESS


def drp_exercise(*, agent: Agent, body: bytes, now: datetime | None = None) -> DrpRequest:
    """Verify, check and file one Data Rights Exercise; DrpError changes nothing."""
    now = now or clock.now()
    verified = signing.message_verify(body=body, agent=agent, now=now)
    ex = exercise_clean(verified.claims)
    user = _matched_user(ex.email)
    with transaction.atomic():
        _remember(verified)
        if ex.agent_request_id and agent.requests.filter(
                agent_request_id=ex.agent_request_id).exists():
            raise DrpError(_("This agent-request-id was already used."), status=409)
        drp = DrpRequest(agent=agent, user=user, exercise=ex.exercise, regime=ex.regime,
                         relationships=ex.relationships, status_callback=ex.status_callback,
                         agent_request_id=ex.agent_request_id, drp_version=ex.drp_version,
                         claims=ex.claims, received_at=now,
                         language=user.language if user else "en",
                         expected_by=clock.reply_due_at(now))
        with _in_language(drp.language):
            _route(drp, ex, user, now)
        drp.save()
        callbacks.drp_status_sync(drp=drp, now=now)
    drp.refresh_from_db()
    return drp


def _in_language(language: str):
    from django.utils import translation

    return translation.override(language)


def _route(drp: DrpRequest, ex: Exercise, user, now: datetime) -> None:
    if ex.exercise == "sale:opt-in":
        _deny(drp, "claim_not_covered", _("We never sell personal data, so there is no sale "
                                          "to opt in to."))
    elif user is None:
        _deny(drp, NO_MATCH, _("We hold no account for these identity claims."))
    elif ex.exercise in LIFECYCLE_TYPES:
        try:
            _file_lifecycle(drp, ex, user, now)
        except filing.DuplicateRequestError as exc:
            raise DrpError(exc.message, status=409) from exc
    elif ex.email_verified:
        drp.state = DrpState.FULFILLED
        drp.processing_details = sale_opt_out(user=user, agent=drp.agent)
    else:
        drp.state, drp.reason = DrpState.IN_PROGRESS, selectors.NEED_USER_VERIFICATION


# --- revoke (2.04), user verification (3.02.1), expiry -------------------------------------

def drp_revoke(*, agent: Agent, drp: DrpRequest, body: bytes, now: datetime | None = None
               ) -> DrpRequest:
    now = now or clock.now()
    verified = signing.message_verify(body=body, agent=agent, now=now)
    reason = verified.claims.get("reason", "")
    if not isinstance(reason, str) or len(reason) > 1000:
        raise DrpError(_("“reason” must be text of at most 1000 characters."), status=400)
    with transaction.atomic():
        _remember(verified)
        drp = DrpRequest.objects.select_for_update(of=("self",)).select_related("request").get(
            pk=drp.pk)
        if drp.request_id:
            try:
                transitions.request_withdraw(request=drp.request, actor=None, reason=reason,
                                                  now=now)
            except ConflictError as exc:
                raise DrpError(exc.message, status=409) from exc
        elif drp.state in (DrpState.OPEN, DrpState.IN_PROGRESS):
            drp.state, drp.reason = DrpState.REVOKED, ""
            drp.processing_details = reason
            drp.save()
        else:
            raise DrpError(_("This request is already final."), status=409)
        callbacks.drp_status_sync(drp=drp, now=now)
    drp.refresh_from_db()
    return drp


def drp_user_verify(*, drp: DrpRequest, user, redirect_to: str = "",
                    now: datetime | None = None) -> DrpRequest:
    """The person signed in as the matched account and confirmed the agent's request."""
    now = now or clock.now()
    with transaction.atomic():
        drp = DrpRequest.objects.select_for_update(of=("self",)).select_related(
            "request", "agent").get(pk=drp.pk)
        if drp.user_id != user.pk:
            raise DomainError(_("This request is not yours."), status=404)
        drp.redirect_to = redirect_to
        if drp.request_id and drp.request.status == Status.AWAITING_VERIFICATION:
            verification.request_verify_identity(
                request=drp.request, actor=user, method="agent_sign_in", now=now,
                note=_("Confirmed by the person signed in to the account (DRP user "
                       "verification for %(agent)s).") % {"agent": drp.agent.name})
        elif not drp.request_id and drp.reason == selectors.NEED_USER_VERIFICATION \
                and drp.state == DrpState.IN_PROGRESS:
            with _in_language(drp.language):
                drp.processing_details = sale_opt_out(user=user, agent=drp.agent)
            drp.state, drp.reason = DrpState.FULFILLED, ""
        else:
            raise ConflictError(_("This request needs no confirmation now."))
        drp.save()
        callbacks.drp_status_sync(drp=drp, now=now)
    return drp


def drp_expire_if_due(*, drp: DrpRequest, now: datetime) -> None:
    """Our own pending states (sale:opt-out waiting for the person) end at `expected_by`."""
    if drp.request_id or drp.state != DrpState.IN_PROGRESS or drp.expected_by is None:
        return
    if now < drp.expected_by:
        return
    DrpRequest.objects.filter(pk=drp.pk, state=DrpState.IN_PROGRESS).update(
        state=DrpState.EXPIRED, reason="")
    drp.refresh_from_db()
