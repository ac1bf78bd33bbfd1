"""requests_app fulfilment: disclosure packages, propagation retries, and the service providers
reached over OpenDSR 2.0 (issues 17 and 24)."""

from .environment import env

# Disclosure packages: the private "packages" storage (components/storage.py; S3 in
# production), signed download links valid this many days.
PACKAGE_TTL_DAYS = env.int("PACKAGE_TTL_DAYS", default=7)
# P08: backups holding erased data are gone after this many days (stated in deletion replies).
BACKUP_RETENTION_DAYS = env.int("BACKUP_RETENTION_DAYS", default=30)
# Propagation retries to sources and service providers: exponential backoff, never long ETAs.
FULFILMENT = {
    "RETRY_BASE_SECONDS": env.int("FULFILMENT_RETRY_BASE_SECONDS", default=30),
    "RETRY_MAX_SECONDS": env.int("FULFILMENT_RETRY_MAX_SECONDS", default=1800),
    "MAX_ATTEMPTS": env.int("FULFILMENT_MAX_ATTEMPTS", default=20),
}
# Providers' endpoints must be https and must not reach inside (ccucaas_privacy/outbound.py).
# Only tests turn this on, to reach a fake provider on 127.0.0.1; production refuses it.
FULFILMENT_ALLOW_PRIVATE_ENDPOINTS = env.bool("FULFILMENT_ALLOW_PRIVATE_ENDPOINTS", default=False)
OUTBOUND_ALLOW_PRIVATE_ADDRESSES = FULFILMENT_ALLOW_PRIVATE_ENDPOINTS
# Provider secrets are read only from environment variables named with this prefix.
PROCESSOR_SECRET_PREFIX = "PROCESSOR_SECRET_"
PROCESSOR_WEBHOOK_SECRET_MIN_BYTES = 32
OPENDSR = {
    # §7.1.1 `regulation` when a processor names none (gdpr, ccpa or one its discovery lists).
    "DEFAULT_REGULATION": env("OPENDSR_DEFAULT_REGULATION", default="gdpr"),
    # How long a processor's discovery (and certificate) is trusted without Cache-Control.
    "DISCOVERY_TTL_SECONDS": env.int("OPENDSR_DISCOVERY_TTL_SECONDS", default=86400),
    # Staff are alerted once when a processor's signing certificate expires within this.
    "CERTIFICATE_WARNING_DAYS": env.int("OPENDSR_CERTIFICATE_WARNING_DAYS", default=30),
}
