"""OpenDSR 2.0 (opengdpr/OpenDSR specification.md; the 2.0 routes and header names of its
README "API Summary": `/discovery`, `/requests`, `/requests/{id}`, `X-OpenDSR-*`).

`POST {endpoint}/requests` carries every REQUIRED property of §7.1.1: `regulation` (the
processor's, else the settings default; checked against its discovery), `subject_request_id`,
`subject_request_type` (one the discovery supports), `subject_identities` (pairs the discovery
supports), `submitted_time` (when the data subject made the request). A correction, for which
OpenDSR has no type, goes only as the processor's documented extension, keyed by its domain
(§7.1.2). The 201 answer must be signed by the processor's certificate (§7.3, §7.4, "Controllers
SHOULD verify response signatures"); `encoded_request` is never kept or logged (§7.3). Status
callbacks are authenticated as §8.8 says (opendsr_trust.verify_signed) and must name our own
callback URL in `status_callback_url` (§8.6, §8.8 step 6)."""

import json
from typing import Any

from django.conf import settings

from ccucaas_privacy import clock
from ccucaas_privacy.outbound import OutboundError, outbound_request
from requests_app.connectors.base import (
    TIMEOUT_SECONDS,
    Connector,
    ConnectorError,
    Dispatch,
    MalformedCallback,
    SignatureError,
    env_secret,
    error_for_status,
    json_object,
)
from requests_app.connectors.opendsr_trust import (
    DOMAIN_HEADER,
    SIGNATURE_HEADER,
    regulations_allowed,
    verify_signed,
)

API_VERSION = "2.0"
RESPONSE_REQUIRED = ("controller_id", "expected_completion_time", "received_time",
                     "subject_request_id")
CALLBACK_REQUIRED = ("subject_request_id", "request_status", "status_callback_url")
KEPT = ("controller_id", "expected_completion_time", "received_time", "subject_request_id")

__all__ = ["API_VERSION", "DOMAIN_HEADER", "SIGNATURE_HEADER", "OpenDSRConnector",
           "regulation_for"]


def regulation_for(processor) -> str:
    return processor.regulation or settings.OPENDSR["DEFAULT_REGULATION"]


class OpenDSRConnector(Connector):
    def _url(self, path: str) -> str:
        return self.processor.endpoint_url.rstrip("/") + path

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        token = env_secret(self.processor.secret_env)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def _call(self, method: str, path: str, body: bytes | None = None):
        try:
            return outbound_request(method, self._url(path), body=body, headers=self._headers(),
                                    timeout=TIMEOUT_SECONDS)
        except OutboundError as exc:
            raise ConnectorError(exc.reason, permanent=exc.reason.startswith("address refused")
                                 ) from exc

    def request_body(self, dispatch: Dispatch) -> dict[str, Any]:
        """The §7.1.1 request, after checking the processor's discovery supports it (a
        permanent ConnectorError otherwise: sending it again would not change the answer)."""
        processor, discovery = self.processor, self.processor.discovery
        if dispatch.type == "erasure":
            request_type = "erasure"
        elif dispatch.type == "restriction" and processor.handles_corrections:
            # OpenDSR 2.0 knows access, portability and erasure only (specification.md): a
            # stop of use with erasure goes as `erasure`, any other restriction with the type
            # the processor documents for its extension; both describe it in `extensions`.
            request_type = ("erasure" if dispatch.restriction.get("erase")
                            else processor.correction_request_type)
        elif processor.handles_corrections:
            request_type = processor.correction_request_type
        else:
            raise ConnectorError("OpenDSR has no correction type and this processor documents "
                                 "no correction extension", permanent=True)
        if request_type not in discovery.get("supported_subject_request_types", []):
            raise ConnectorError(f"the processor's discovery does not support {request_type}",
                                 permanent=True)
        supported = {(i["identity_type"], i["identity_format"])
                     for i in discovery.get("supported_identities", [])}
        identities = [i for i in dispatch.identities
                      if (i["identity_type"], i["identity_format"]) in supported]
        if not identities:
            raise ConnectorError("the processor's discovery supports none of our identity types",
                                 permanent=True)
        regulation = regulation_for(processor)
        if regulation not in regulations_allowed(discovery):
            raise ConnectorError(f"regulation {regulation} is not supported by the processor",
                                 permanent=True)
        body = {"regulation": regulation, "subject_request_id": dispatch.id,
                "subject_request_type": request_type, "subject_identities": identities,
                "submitted_time": dispatch.submitted_time, "api_version": API_VERSION,
                "status_callback_urls": [dispatch.callback_url]}
        if dispatch.type == "restriction":
            body["extensions"] = {processor.domain: {"restriction": dispatch.restriction}}
        elif dispatch.type != "erasure":
            body["extensions"] = {processor.domain: {
                processor.correction_extension_key: dispatch.changes}}
        return body

    def _signed_answer(self, response, expected: int) -> dict[str, Any]:
        if response.status != expected:
            if 200 <= response.status < 300:
                raise ConnectorError(f"HTTP {response.status} instead of {expected}")
            raise error_for_status(response.status)
        try:
            verify_signed(self.processor, body=response.body, headers=response.headers,
                          now=clock.now())
        except SignatureError as exc:
            raise ConnectorError("the answer's signature does not verify") from exc
        try:
            return json_object(response.body)
        except ValueError as exc:
            raise ConnectorError("the answer is not a JSON object") from exc

    def send(self, dispatch: Dispatch) -> dict[str, Any]:
        body = self.request_body(dispatch)
        answer = self._signed_answer(self._call("POST", "/requests", json.dumps(body).encode()),
                                     201)
        missing = [k for k in RESPONSE_REQUIRED if not isinstance(answer.get(k), str)]
        if missing:
            raise ConnectorError("the answer lacks " + ", ".join(missing), permanent=True)
        if answer["subject_request_id"] != dispatch.id:
            raise ConnectorError("the answer names another subject_request_id", permanent=True)
        # §7.3: `encoded_request` MUST NOT be logged or stored; only these are kept.
        return {"http_status": 201, "regulation": body["regulation"],
                "subject_request_type": body["subject_request_type"],
                **{k: answer[k] for k in KEPT}}

    def status(self, subject_request_id: str) -> dict[str, Any]:
        """§8.1-8.3: the request's status, from a signed 200 answer."""
        answer = self._signed_answer(self._call("GET", f"/requests/{subject_request_id}"), 200)
        if not isinstance(answer.get("request_status"), str):
            raise ConnectorError("the status answer lacks request_status", permanent=True)
        return {k: answer[k] for k in ("subject_request_id", "request_status",
                                       "expected_completion_time") if k in answer}

    def cancel(self, subject_request_id: str) -> dict[str, Any]:
        """§9: cancel a pending request (signed 202)."""
        answer = self._signed_answer(self._call("DELETE", f"/requests/{subject_request_id}"), 202)
        return {k: answer[k] for k in ("subject_request_id", "received_time") if k in answer}

    def verify_callback(self, *, body: bytes, headers, callback_url: str) -> dict[str, Any]:
        verify_signed(self.processor, body=body, headers=headers, now=clock.now())
        payload = json_object(body)  # only once the signature verified (§8.8 step 4)
        missing = [k for k in CALLBACK_REQUIRED if not isinstance(payload.get(k), str)]
        if missing:
            raise MalformedCallback("missing " + ", ".join(missing))
        if payload["status_callback_url"] != callback_url:
            raise SignatureError("status_callback_url names another endpoint")
        return {"id": payload["subject_request_id"], "status": payload["request_status"],
                "raw": {k: payload[k] for k in ("subject_request_id", "request_status",
                                                "expected_completion_time", "controller_id")
                        if k in payload}}
