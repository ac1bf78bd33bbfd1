from celery import shared_task

from ccucaas_privacy.services import heartbeat_record


@shared_task(bind=True, name="ccucaas_privacy.tasks.worker_heartbeat")
def worker_heartbeat(self, token: str = "") -> None:
    heartbeat_record(hostname=self.request.hostname or "eager", token=token)


@shared_task(name="ccucaas_privacy.tasks.retention_sweep")
def retention_sweep() -> dict:
    """APPI Art. 22: one pass of the retention sweep (safe to run twice, also at once)."""
    from ccucaas_privacy.retention import retention_sweep as sweep

    run = sweep()
    return {"run": run.pk, "counts": run.counts, "batches": run.batches}
