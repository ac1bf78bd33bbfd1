"""Manual connector: nothing is sent; staff carry the change out with the provider and confirm
it by hand with a note (`propagation_confirm_manual`)."""

from typing import Any

from requests_app.connectors.base import Connector, Dispatch, SignatureError


class ManualConnector(Connector):
    def send(self, dispatch: Dispatch) -> dict[str, Any]:
        return {"awaiting": "staff confirmation"}

    def verify_callback(self, *, body: bytes, headers, callback_url: str) -> dict[str, Any]:
        raise SignatureError("manual processors have no callbacks")
