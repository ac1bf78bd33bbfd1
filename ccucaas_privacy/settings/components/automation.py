"""automation_app: automatic handling of verified requests (issue 25; RULES.md P21)."""

from .environment import env

# A portal deletion handled automatically runs this many hours after it was received; until
# then the user can cancel it from the request page (a row with run_at, claimed by the sweep).
AUTOMATION_DELETION_COOLING_OFF_HOURS = env.int("AUTOMATION_DELETION_COOLING_OFF_HOURS", default=24)

# Off: no request is handled automatically, whatever the rules say (the pause switch in the
# admin stops automation at run time; this turns it off for a deployment, and for the tests of
# the other apps, which file requests for staff to handle).
AUTOMATION_ENABLED = env.bool("AUTOMATION_ENABLED", default=True)
