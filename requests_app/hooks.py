"""The hooks requests_app calls, so it never imports the apps above it (ccucaas_privacy.hooks).
Higher apps register their receivers from `AppConfig.ready()`.
"""

from ccucaas_privacy.hooks import Hook

# P23: lines that apps above this one add to the compliance report (issue 22: incidents and
# their reports to the Commission). Called with `now`; each receiver returns
# {"label", "value", "url"}.
report_lines = Hook("requests_app.report_lines")
