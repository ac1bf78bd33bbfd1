"""The hooks requests_app calls, so it never imports the apps above it (ccucaas_privacy.hooks).
Higher apps register their receivers from `AppConfig.ready()`.
"""

from ccucaas_privacy.hooks import Hook

# P23: lines that apps above this one add to the compliance report (issue 22: incidents and
# their reports to the Commission). Called with `now`; each receiver returns
# {"label", "value", "url"}.
report_lines = Hook("requests_app.report_lines")

# Issue 25 (automation): a request has become `received` with its identity established (a portal
# or agent-attested filing, or an identity verification). Called with `request` and `now` inside
# the transaction that made it so; automation_app records the request for its rules and
# enqueues their evaluation on commit (a receiver that raises rolls the filing back).
request_received = Hook("requests_app.request_received")

# The portal's request page: panels that apps above this one add (issue 25: the cooling-off
# deletion the owner can cancel). Called with `http_request` and `request_obj` (already scoped to
# the signed-in owner); each receiver returns rendered, safe HTML or "".
request_detail_panels = Hook("requests_app.request_detail_panels")
