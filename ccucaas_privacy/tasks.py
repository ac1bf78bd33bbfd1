from celery import shared_task

from ccucaas_privacy.services import heartbeat_record


@shared_task(bind=True, name="ccucaas_privacy.tasks.worker_heartbeat")
def worker_heartbeat(self, token: str = "") -> None:
    heartbeat_record(hostname=self.request.hostname or "eager", token=token)
