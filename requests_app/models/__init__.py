"""The models of requests_app, one module per concern; imported here so that Django finds them
and `from requests_app.models import X` works for every model and choice.

- `requests`: the request, its timeline, identity challenges, the reference counter.
- `fulfilment`: disclosure packages, correction decisions, legal holds, service providers and
  propagations.
- `alerts`: the deadline engine's evidence rows.
"""

from requests_app.models.alerts import DeadlineAlert
from requests_app.models.fulfilment import (
    Connector,
    CorrectionDecision,
    DisclosurePackage,
    HoldBasis,
    LegalHold,
    Processor,
    ProcessorPurpose,
    Propagation,
    PropagationStatus,
    processor_endpoint_validate,
    processor_secret_name_validate,
)
from requests_app.models.requests import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    Channel,
    DataSubjectRequest,
    ReferenceCounter,
    RequestEvent,
    RequestType,
    Status,
    VerificationChallenge,
)

__all__ = [
    "FINAL_STATUSES",
    "OPEN_STATUSES",
    "Channel",
    "Connector",
    "CorrectionDecision",
    "DataSubjectRequest",
    "DeadlineAlert",
    "DisclosurePackage",
    "HoldBasis",
    "LegalHold",
    "Processor",
    "ProcessorPurpose",
    "Propagation",
    "PropagationStatus",
    "ReferenceCounter",
    "RequestEvent",
    "RequestType",
    "Status",
    "VerificationChallenge",
    "processor_endpoint_validate",
    "processor_secret_name_validate",
]
