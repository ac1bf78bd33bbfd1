"""sale:opt-out (spec 3.01) for us: we never sell personal data (RULES.md P15); the nearest
thing is provision to third parties with the user's permission, so every granted
`third_party_provision:*` consent is withdrawn through consent_app's service."""

from django.utils.translation import gettext as _

from ccucaas_privacy.rules import enforces
from consent_app import selectors as consent_selectors
from consent_app import services as consent_services
from consent_app.models import Channel as ConsentChannel
from consent_app.purposes import THIRD_PARTY_PROVISION


@enforces("P15")
def sale_opt_out(*, user, agent) -> str:
    """Withdraw each third-party-provision consent; returns the processing details."""
    withdrawn = []
    for state in consent_selectors.consent_states(user=user):
        if state.purpose.code == THIRD_PARTY_PROVISION and state.granted:
            consent_services.consent_withdraw(user=user, purpose=state.code,
                                              channel=ConsentChannel.API,
                                              user_agent=f"drp-agent:{agent.agent_id}")
            withdrawn.append(state.parameter)
    text = _("We never sell personal data (privacy policy: provision to others).")
    if withdrawn:
        return text + " " + _("We withdrew the permission to provide data to: %(names)s.") % {
            "names": ", ".join(withdrawn)}
    return text + " " + _("There was no permission to provide data to third parties to withdraw.")
