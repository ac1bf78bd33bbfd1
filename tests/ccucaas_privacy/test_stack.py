"""The stack end to end: a real worker consumes from Redis and writes to PostgreSQL."""

import uuid

import pytest

from ccucaas_privacy.models import WorkerHeartbeat
from ccucaas_privacy.tasks import worker_heartbeat
from tests.conftest import wait_for


@pytest.mark.services
def test_real_worker_consumes_task_from_broker_and_writes_row(live_worker):
    token = uuid.uuid4().hex
    worker_heartbeat.delay(token=token)

    row = wait_for(
        lambda: WorkerHeartbeat.objects.filter(token=token).first(),
        timeout=60, what=f"the worker to write heartbeat {token}\n{live_worker.log()}",
    )
    assert row.hostname.startswith("test-")
