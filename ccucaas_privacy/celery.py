"""The Celery app. Its beat schedule is defined here, in code.

Deadlines are rows, never ETAs: beat only runs short sweeps that claim due rows.
"""

import os
from datetime import timedelta

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ccucaas_privacy.settings")

app = Celery("ccucaas_privacy")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Each app's sweeps plug in here: {"name": {"task": "...", "schedule": timedelta(...)}}.
BEAT_SCHEDULE = {
    "worker-heartbeat": {
        "task": "ccucaas_privacy.tasks.worker_heartbeat",
        "schedule": timedelta(minutes=1),
    },
    # RULES P06 daily usage roll-up (yesterday and today, idempotent); P10 visitor-log purge.
    "accounts-usage-rollup": {"task": "accounts_app.tasks.usage_rollup_recent",
                              "schedule": timedelta(hours=1)},
    "accounts-visitor-logs-purge": {"task": "accounts_app.tasks.visitor_logs_purge",
                                    "schedule": timedelta(hours=6)},
    # RULES P21/P26: reminders, escalations, propagation watch, verification expiry.
    "requests-sweep-deadlines": {
        "task": "requests_app.tasks.sweep_deadlines",
        "schedule": timedelta(seconds=float(os.environ.get("DEADLINE_SWEEP_INTERVAL_SECONDS", "60"))),
    },
    # RULES P21/P08: propagation retries, released legal holds, expired disclosure packages.
    "requests-fulfilment-sweep": {"task": "requests_app.tasks.fulfilment_sweep",
                                  "schedule": timedelta(minutes=1)},
    "notifications-sweep-outbox": {
        "task": "notifications_app.tasks.sweep_outbox",
        "schedule": timedelta(minutes=1),
    },
    # RULES P25: campaign coverage alerts at 31 and 30 days; re-plans a lost fan-out.
    "notifications-watch-campaigns": {"task": "notifications_app.tasks.watch_campaigns",
                                      "schedule": timedelta(minutes=1)},
    # Issue 23 (DRP): status callbacks to authorized agents, retried until a 200.
    "agents-drp-sweep": {"task": "agents_app.tasks.drp_sweep", "schedule": timedelta(minutes=1)},
    # Issue 22 (APPI Art. 26): reminders 1 day before each leak-report deadline, escalations.
    "incidents-sweep-deadlines": {"task": "incidents_app.tasks.sweep_incident_deadlines",
                                  "schedule": timedelta(minutes=1)},
    # APPI Art. 22 (issue 21): erase or anonymise what has outlived its retention period.
    "retention-sweep": {"task": "ccucaas_privacy.tasks.retention_sweep",
                        "schedule": timedelta(hours=1)},
    # Issue 25 (P21): cooling-off deletions whose period ended, automatic runs whose task was lost.
    "automation-sweep": {"task": "automation_app.tasks.automation_sweep",
                         "schedule": timedelta(minutes=1)},
    # RULES P23: monthly compliance report to privacy officers (daily run, sent once a month).
    "requests-compliance-report": {"task": "requests_app.tasks.compliance_report_send",
                                   "schedule": timedelta(hours=6)},
}
app.conf.beat_schedule = BEAT_SCHEDULE


@app.on_after_configure.connect
def _ensure_filesystem_broker_folders(sender: Celery, **_: object) -> None:
    """kombu's filesystem transport needs its folders to exist before the first message."""
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)
