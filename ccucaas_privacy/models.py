from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """One row a minute from beat through a worker: proof that the job pipeline runs."""

    hostname = models.CharField(_("worker"), max_length=255)
    token = models.CharField(_("token"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.hostname} @ {self.created_at:%Y-%m-%d %H:%M:%S}"


class RetentionRun(models.Model):
    """One pass of the retention sweep (APPI Art. 22; ccucaas_privacy/retention.py): what it
    erased or anonymised per category, in how many batches, and its longest batch."""

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # {category: {"erased": n, "anonymised": n}}
    counts = models.JSONField(_("rows per category"), default=dict, blank=True)
    batches = models.PositiveIntegerField(_("batches"), default=0)
    max_batch_ms = models.FloatField(_("longest batch (ms)"), default=0)
    failures = models.JSONField(_("failures"), default=list, blank=True)

    class Meta:
        verbose_name = _("retention sweep run")
        verbose_name_plural = _("retention sweep runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"retention {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def total(self) -> int:
        return sum(sum(row.values()) for row in self.counts.values())
