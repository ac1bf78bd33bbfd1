"""Connectors to service providers (DESIGN section 6): how a correction or deletion reaches a
processor and how its confirmation comes back. `connector_for(processor)` picks one."""

from requests_app.connectors.base import ConnectorError, Dispatch, MalformedCallback, SignatureError
from requests_app.connectors.manual import ManualConnector
from requests_app.connectors.opendsr import OpenDSRConnector
from requests_app.connectors.webhook import WebhookConnector

CONNECTORS = {"opendsr": OpenDSRConnector, "webhook": WebhookConnector, "manual": ManualConnector}


def connector_for(processor):
    return CONNECTORS[processor.connector](processor)


__all__ = ["CONNECTORS", "ConnectorError", "Dispatch", "MalformedCallback", "ManualConnector",
           "SignatureError", "connector_for"]
