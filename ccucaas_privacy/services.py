from datetime import timedelta

from ccucaas_privacy import clock
from ccucaas_privacy.models import WorkerHeartbeat

HEARTBEAT_RETENTION = timedelta(days=1)


def heartbeat_record(*, hostname: str, token: str = "") -> WorkerHeartbeat:
    """Record that a worker ran a task, and forget heartbeats older than a day."""
    WorkerHeartbeat.objects.filter(created_at__lt=clock.now() - HEARTBEAT_RETENTION).delete()
    return WorkerHeartbeat.objects.create(hostname=hostname, token=token)
