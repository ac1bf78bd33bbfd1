"""The data source of agents_app (DESIGN section 6): the requests authorized agents filed in a
person's name (what they claimed about the person, and what we answered), and the registry
changes a staff member made."""

from django.utils.translation import gettext_lazy as _

from agents_app.models import AgentChange, DrpRequest
from ccucaas_privacy.datasources import KEPT_AS_EVIDENCE, DataSource, ErasureResult, iso, register


class AgentRequestSource(DataSource):
    category = "agent_requests"
    rule = "P21"
    retention = KEPT_AS_EVIDENCE
    title = _("Requests authorized agents made for you")
    description = _("Requests an authorized agent filed in your name through the Data Rights "
                    "Protocol: the agent, what was asked, the identity claims it sent and our "
                    "answer. Registry changes made by staff are kept as evidence.")
    models = ("agents_app.DrpRequest", "agents_app.AgentChange")
    columns = ("agent", "exercise", "state", "reason", "claims", "received_at",
               "processing_details")

    def export(self, user):
        rows = DrpRequest.objects.filter(user=user).select_related("agent").order_by(
            "received_at", "id")
        for drp in rows.iterator():
            yield {"agent": drp.agent.name, "exercise": drp.exercise, "state": drp.state,
                   "reason": drp.reason, "claims": drp.claims,
                   "received_at": iso(drp.received_at),
                   "processing_details": drp.processing_details}

    def erase(self, user):
        """The agent's record of the exercise stays (evidence of what it asked and we answered,
        like the request itself), without the claims about the person or the link to them."""
        anonymised = DrpRequest.objects.filter(user=user).update(user=None, claims={})
        kept = AgentChange.objects.filter(actor=user).count()
        return ErasureResult(anonymised=anonymised, retained=kept,
                             retained_reason="agent registry changes kept as evidence" if kept
                             else "")


def sources_register() -> None:
    register(AgentRequestSource)
