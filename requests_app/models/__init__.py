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
from requests_app.models.paper import PaperMailing
from requests_app.models.representatives import RepresentativeProof
from requests_app.models.requests import (
    DUPLICATE_CHECKED_TYPES,
    FINAL_STATUSES,
    OPEN_STATUSES,
    STOP_TYPES,
    Channel,
    DataSubjectRequest,
    DisclosureMethod,
    DisclosureRefusalGround,
    ReferenceCounter,
    RefusalReason,
    RepresentativeKind,
    RepresentativeStatus,
    RequestEvent,
    RequestType,
    Status,
    StopGround,
    VerificationChallenge,
)

__all__ = [
    "DUPLICATE_CHECKED_TYPES",
    "FINAL_STATUSES",
    "OPEN_STATUSES",
    "STOP_TYPES",
    "Channel",
    "Connector",
    "CorrectionDecision",
    "DataSubjectRequest",
    "DeadlineAlert",
    "DisclosureMethod",
    "DisclosurePackage",
    "DisclosureRefusalGround",
    "HoldBasis",
    "LegalHold",
    "PaperMailing",
    "Processor",
    "ProcessorPurpose",
    "Propagation",
    "PropagationStatus",
    "ReferenceCounter",
    "RefusalReason",
    "RepresentativeKind",
    "RepresentativeProof",
    "RepresentativeStatus",
    "RequestEvent",
    "RequestType",
    "Status",
    "StopGround",
    "VerificationChallenge",
    "processor_endpoint_validate",
    "processor_secret_name_validate",
]
