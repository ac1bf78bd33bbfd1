"""The hooks notifications_app calls, so it never imports the apps above it
(ccucaas_privacy.hooks). Higher apps register their receivers from `AppConfig.ready()`.
"""

from ccucaas_privacy.hooks import Hook

# Issue 22, APPI Art. 26(2): the `incident_notice` campaign goes only to the people incidents_app
# names, with the content it supplies. Exactly one receiver each (`call_one`):
# recipients(campaign=) -> a queryset of users; context(campaign=, language=) -> email context.
incident_notice_recipients = Hook("notifications_app.incident_notice_recipients")
incident_notice_context = Hook("notifications_app.incident_notice_context")
