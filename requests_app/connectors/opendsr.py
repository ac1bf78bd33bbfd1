"""OpenDSR 2.0 (https://github.com/opengdpr/OpenDSR): `POST {endpoint}/v1/requests` with
`subject_request_id`, `subject_request_type` (erasure / rectification), `subject_identities`,
`submitted_time`, `api_version` and `status_callback_urls`. Status callbacks carry
`X-OpenDSR-Signature`: base64 RSA-SHA256 (PKCS#1 v1.5) over the raw body, made with the
processor's certificate key; we verify it with the certificate (or public key) in the
environment variable the Processor row names."""

import base64
import json
from typing import Any

import requests
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from requests_app.connectors.base import (
    TIMEOUT_SECONDS,
    Connector,
    ConnectorError,
    Dispatch,
    SignatureError,
    env_secret,
)

API_VERSION = "2.0"
SIGNATURE_HEADER = "X-OpenDSR-Signature"


def _public_key(pem: str):
    data = pem.encode()
    if b"BEGIN CERTIFICATE" in data:
        return x509.load_pem_x509_certificate(data).public_key()
    return serialization.load_pem_public_key(data)


class OpenDSRConnector(Connector):
    def send(self, dispatch: Dispatch) -> dict[str, Any]:
        body = {
            "subject_request_id": dispatch.id,
            "subject_request_type": dispatch.type,
            "subject_identities": dispatch.identities,
            "submitted_time": dispatch.submitted_time,
            "api_version": API_VERSION,
            "status_callback_urls": [dispatch.callback_url],
        }
        if dispatch.changes:
            body["extensions"] = {"rectification": dispatch.changes}
        headers = {"Content-Type": "application/json"}
        token = env_secret(self.processor.secret_env)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        url = self.processor.endpoint_url.rstrip("/") + "/v1/requests"
        try:
            response = requests.post(url, data=json.dumps(body), headers=headers,
                                     timeout=TIMEOUT_SECONDS)
        except requests.RequestException as exc:
            raise ConnectorError(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code >= 300:
            raise ConnectorError(f"HTTP {response.status_code}: {response.text[:200]}")
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        return {"http_status": response.status_code,
                "received_time": answer.get("received_time", ""),
                "encoded_request": answer.get("encoded_request", "")[:200]}

    def verify_callback(self, *, body: bytes, headers) -> dict[str, Any]:
        signature = headers.get(SIGNATURE_HEADER, "")
        try:
            key = _public_key(env_secret(self.processor.certificate_env))
            key.verify(base64.b64decode(signature, validate=True), body, padding.PKCS1v15(),
                       hashes.SHA256())
        except (InvalidSignature, ValueError, ConnectorError, TypeError) as exc:
            raise SignatureError("bad OpenDSR signature") from exc
        payload = json.loads(body)
        return {"id": str(payload.get("subject_request_id", "")),
                "status": str(payload.get("request_status", "")),
                "time": str(payload.get("status_callback_time", payload.get("submitted_time", ""))),
                "raw": payload}
