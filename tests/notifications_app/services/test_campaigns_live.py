"""Campaigns through a real Redis broker and a real Celery worker (marker `services`):
a 2,000-user policy-change campaign, and a worker killed mid-batch."""

import os
import signal
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model

from ccucaas_privacy import clock
from notifications_app.models import Campaign, Delivery, OutboundEmail, Status
from notifications_app.selectors.campaigns import campaign_coverage
from notifications_app.tasks import sweep_outbox
from tests.conftest import wait_for
from tests.notifications_app.campaign_helpers import publish, users
from tests.notifications_app.conftest import message_id_counts

pytestmark = [pytest.mark.services,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _sent(campaign: Campaign) -> int:
    return OutboundEmail.objects.filter(cause=campaign.cause, status=Status.SENT).count()


def test_p25_a_2000_user_campaign_reaches_every_active_user_exactly_once(file_mail_worker,
                                                                         settings):
    settings.CAMPAIGNS = {**settings.CAMPAIGNS, "BATCH_SIZE": 250}
    worker = file_mail_worker()
    users(2000)
    total = get_user_model().objects.filter(is_active=True).count()
    campaign = Campaign.objects.get(policy_version=publish(days=31))  # commits: fan-out queued
    wait_for(lambda: _sent(campaign) == total, timeout=240, interval=0.5,
             what=f"the worker to send {total} notices")
    counts = message_id_counts(worker.mail_folder)
    assert len(counts) == total and set(counts.values()) == {1}, worker.log()[-3000:]
    coverage = campaign_coverage(campaign=campaign)
    assert (coverage.recipients, coverage.sent, coverage.sent_on_time, coverage.unsent) == (
        total, total, total, 0)
    assert Delivery.objects.filter(campaign=campaign, status=Status.SENT).count() == total


def _pool_children(pid: int) -> list[int]:
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                children.append(int(entry))
    return children


def test_p25_a_worker_killed_mid_batch_redoes_the_batch_without_duplicate_emails(
        file_mail_worker, settings):
    settings.CAMPAIGNS = {**settings.CAMPAIGNS, "BATCH_SIZE": 1000}
    worker = file_mail_worker()
    users(600)
    total = get_user_model().objects.filter(is_active=True).count()
    campaign = Campaign.objects.get(policy_version=publish(days=31))
    wait_for(lambda: _sent(campaign) >= 50, timeout=120, interval=0.05,
             what="the batch to be under way")
    for child in _pool_children(worker.process.pid):  # the pool process dies mid-batch
        os.kill(child, signal.SIGKILL)
    # acks_late + reject_on_worker_lost: the batch is delivered again and finishes; the one row
    # the dead process had claimed waits for the sweep.
    wait_for(lambda: _sent(campaign) >= total - 1, timeout=180, interval=0.5,
             what="the redelivered batch to finish")
    with time_machine.travel(clock.now() + timedelta(minutes=11), tick=False):
        sweep_outbox.apply().get()
    wait_for(lambda: _sent(campaign) == total, timeout=60, what="the swept row to be sent")
    counts = message_id_counts(worker.mail_folder)
    assert len(counts) == total, worker.log()[-3000:]
    assert set(counts.values()) == {1}, [k for k, v in counts.items() if v > 1]
    assert OutboundEmail.objects.filter(cause=campaign.cause).count() == total
