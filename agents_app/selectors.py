"""Reads of agents_app: the agent of a Bearer token, an agent's own request, and the DRP
status object (spec 3.03) of a request, derived from the data-subject request behind it."""

import hashlib
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from agents_app.models import FINAL_STATES, Agent, AgentToken, DrpRequest, DrpState
from ccucaas_privacy import clock
from requests_app.deadlines import PROPAGATING_TYPES
from requests_app.models import Status

NEED_USER_VERIFICATION = "need_user_verification"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def agent_for_token(token: str) -> Agent | None:
    """The active agent owning this unrevoked Bearer token, or None."""
    if not token:
        return None
    row = (AgentToken.objects.select_related("agent")
           .filter(token_hash=token_digest(token), revoked_at=None, agent__active=True).first())
    return row.agent if row else None


def agent_get(agent_id: str) -> Agent | None:
    return Agent.objects.filter(agent_id=agent_id).first()


def drp_request_for_agent(*, agent: Agent, request_id) -> DrpRequest | None:
    """None when no such request; DrpRequest of another agent is returned so the caller can
    answer 403 as spec 2.02.1 requires (the agent learns nothing else from it)."""
    return (DrpRequest.objects.select_related("agent", "request", "user")
            .filter(pk=request_id).first())


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _portal_path(name: str, **kwargs: Any) -> str:
    with translation.override(settings.LANGUAGE_CODE):  # the unprefixed default language
        return reverse(name, kwargs=kwargs)


def user_verification_url(drp: DrpRequest) -> str:
    return _absolute(_portal_path("agents:verify", pk=drp.pk))


def results_url(drp: DrpRequest) -> str:
    """The portal page of the request: the signed-in owner only sees it and its package."""
    return _absolute(_portal_path("requests:detail", pk=drp.request_id))


def _from_request(drp: DrpRequest) -> dict[str, Any]:
    dsr = drp.request
    status = dsr.status
    if status == Status.AWAITING_VERIFICATION:
        return {"status": DrpState.IN_PROGRESS, "reason": NEED_USER_VERIFICATION,
                "user_verification_url": user_verification_url(drp),
                "processing_details": _("Please confirm the request: sign in to your account at "
                                        "the verification address, or use the link we emailed.")}
    if status in (Status.RECEIVED, Status.IN_REVIEW):
        return {"status": DrpState.IN_PROGRESS,
                "processing_details": _("We are preparing our reply.")}
    if status == Status.REPLIED:
        return {"status": DrpState.IN_PROGRESS, "processing_details": _(
            "We replied on %(replied)s; the change is in effect everywhere by %(due)s (JST).")
            % {"replied": clock.to_jst(dsr.replied_at).strftime("%Y-%m-%d %H:%M"),
               "due": clock.to_jst(dsr.effective_due_at).strftime("%Y-%m-%d %H:%M")}}
    if status == Status.COMPLETED:
        out: dict[str, Any] = {"status": DrpState.FULFILLED}
        if dsr.type in PROPAGATING_TYPES:
            out["processing_details"] = _("The deletion is in effect. What the law requires us "
                                          "to keep was named in our reply.")
        else:
            out["results_url"] = results_url(drp)
            out["processing_details"] = _("Our reply and the disclosure package are in the "
                                          "account's request page (sign-in required).")
        return out
    if status == Status.REJECTED:
        return {"status": DrpState.DENIED, "reason": "other",
                "processing_details": dsr.rejection_reason}
    if status == Status.WITHDRAWN:
        return {"status": DrpState.REVOKED}
    return {"status": DrpState.EXPIRED,  # identity never verified within the period
            "processing_details": _("The person did not confirm the request in time.")}


def _own(drp: DrpRequest) -> dict[str, Any]:
    out: dict[str, Any] = {"status": drp.state}
    if drp.reason:
        out["reason"] = drp.reason
    if drp.reason == NEED_USER_VERIFICATION:
        out["user_verification_url"] = user_verification_url(drp)
    if drp.processing_details:
        out["processing_details"] = drp.processing_details
    return out


def status_object(drp: DrpRequest) -> dict[str, Any]:
    """The Exercise Status object (spec 3.03); timestamps in UTC with `+00:00`."""
    with translation.override(drp.language):
        body = _from_request(drp) if drp.request_id else _own(drp)
    body["status"] = str(body["status"])
    expected_by = drp.request.reply_due_at if drp.request_id else drp.expected_by
    out = {"request_id": str(drp.pk), "received_at": _iso(drp.received_at)}
    if expected_by is not None:
        out["expected_by"] = _iso(expected_by)
    if drp.agent_request_id:
        out["agent_request_id"] = drp.agent_request_id
    return {**out, **body}


def status_is_final(status: dict[str, Any]) -> bool:
    return status["status"] in FINAL_STATES


def drp_requests_to_watch(*, limit: int):
    """Requests whose status can still change (partial index on `final`)."""
    return (DrpRequest.objects.filter(final=False).select_related("request", "agent")
            .order_by("received_at")[:limit])


def drp_request_for_user(*, user, pk) -> DrpRequest | None:
    """A request matched to this account (the person's own), or None (a 404)."""
    return (DrpRequest.objects.select_related("agent", "request")
            .filter(pk=pk, user=user).first())


def drp_needs_user(drp: DrpRequest) -> bool:
    if drp.request_id:
        return drp.request.status == Status.AWAITING_VERIFICATION
    return drp.state == DrpState.IN_PROGRESS and drp.reason == NEED_USER_VERIFICATION
