"""The models of notifications_app, one module per concern; imported here so that Django finds
them and `from notifications_app.models import X` works for every model and choice.

- `outbox`: the outbox rows (every email the project sends).
- `campaigns`: campaigns, their deliveries, alerts and events.
"""

from notifications_app.models.campaigns import (
    AlertKind,
    Campaign,
    CampaignAlert,
    CampaignEvent,
    CampaignEventKind,
    CampaignKind,
    CampaignStatus,
    Delivery,
)
from notifications_app.models.outbox import OutboundEmail, Status, TrackingStatus

__all__ = [
    "AlertKind",
    "Campaign",
    "CampaignAlert",
    "CampaignEvent",
    "CampaignEventKind",
    "CampaignKind",
    "CampaignStatus",
    "Delivery",
    "OutboundEmail",
    "Status",
    "TrackingStatus",
]
