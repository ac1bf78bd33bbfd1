"""An OpenDSR processor written only from the specification (opengdpr/OpenDSR specification.md,
with the 2.0 route and header names of the repository's README "API Summary": `/discovery`,
`/requests`, `/requests/{id}`, `X-OpenDSR-Processor-Domain`, `X-OpenDSR-Signature`; §10.1 keeps
the older names equivalent). Served over real HTTP on 127.0.0.1 by the test process.

Strict where the document says REQUIRED or MUST:
- §1.1 GUIDs lowercase UUID v4; §5.1/§5.2/§5.3 identity objects (type, value, format from the
  listed values); §6.2 request types; §6.3 discovery (`api_version`, `supported_identities`,
  `supported_subject_request_types`, `processor_certificate`, here on the processor's domain).
- §7.1.1 request: `regulation` ('gdpr', 'ccpa', or one of this processor's
  `supported_regulations`), `subject_request_id`, `subject_request_type` (one discovery lists),
  `subject_identities` (pairs discovery lists; REQUIRED since we publish no identity extension),
  `submitted_time` (RFC 3339); optional `api_version`, `status_callback_urls`, `extensions`
  (§7.1.2: every key MUST be this processor's domain). Errors: 400 with the §7.6 error object.
- §7.3/§7.4: 201 with `controller_id`, `expected_completion_time`, `received_time`,
  `encoded_request` (base64 of the whole request body), `subject_request_id`, signed (header)
  with the processor's certificate key, plus the domain header.
- §8.1-§8.4 `GET /requests/{id}`, signed 200; §9 `DELETE /requests/{id}`, 202 while pending.
- §8.6 callbacks: both headers, body with `controller_id`, `status_callback_url`,
  `subject_request_id`, `request_status`, `expected_completion_time`, signed over the raw body.
Signatures: base64 RSA PKCS#1 v1.5 over SHA-256 of the body (§4.2, FIPS 186-4)."""

import base64
import json
import re
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_address

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

IDENTITY_TYPES = {"controller_customer_id", "android_advertising_id", "android_id", "email",
                  "fire_advertising_id", "ios_advertising_id", "ios_vendor_id",
                  "microsoft_advertising_id", "microsoft_publisher_id", "roku_publisher_id",
                  "roku_advertising_id"}  # §5.1
IDENTITY_FORMATS = {"raw", "sha1", "md5", "sha256"}  # §5.2
REQUEST_TYPES = {"access", "portability", "erasure"}  # §6.2
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
GUID_V4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def certificate_for(domain: str = "127.0.0.1", *, key=None, not_before=None, not_after=None):
    """A key and a PEM certificate issued for `domain`, with validity dates we choose."""
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)])
    try:
        san = x509.IPAddress(ip_address(domain))
    except ValueError:
        san = x509.DNSName(domain)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(not_before or now - timedelta(days=1))
            .not_valid_after(not_after or now + timedelta(days=365))
            .add_extension(x509.SubjectAlternativeName([san]), critical=False)
            .sign(key, hashes.SHA256()))
    return key, cert.public_bytes(serialization.Encoding.PEM).decode()


def sign(key, body: bytes) -> str:
    return base64.b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def request_errors(body: dict, discovery: dict, domain: str) -> list[str]:
    """Every §7.1.1/§7.1.2 violation of one request, as "field: reason"."""
    errors = []
    regulations = {"gdpr", "ccpa", *discovery.get("supported_regulations", [])}
    if body.get("regulation") not in regulations:
        errors.append("regulation: required, one of " + ", ".join(sorted(regulations)))
    if not isinstance(body.get("subject_request_id"), str) or not GUID_V4.match(
            body["subject_request_id"]):
        errors.append("subject_request_id: required lowercase UUID v4")
    if body.get("subject_request_type") not in set(discovery["supported_subject_request_types"]):
        errors.append("subject_request_type: required, one of the supported types")
    supported = {(i["identity_type"], i["identity_format"]) for i in discovery["supported_identities"]}
    identities = body.get("subject_identities")
    if not isinstance(identities, list) or not identities:
        errors.append("subject_identities: required")
    else:
        for i in identities:
            if not (isinstance(i, dict) and i.get("identity_type") in IDENTITY_TYPES
                    and isinstance(i.get("identity_value"), str) and i["identity_value"]
                    and i.get("identity_format") in IDENTITY_FORMATS
                    and (i["identity_type"], i["identity_format"]) in supported):
                errors.append("subject_identities: invalid or unsupported identity")
    if not isinstance(body.get("submitted_time"), str) or not RFC3339.match(body["submitted_time"]):
        errors.append("submitted_time: required RFC 3339 date")
    if "api_version" in body and not isinstance(body["api_version"], str):
        errors.append("api_version: string")
    urls = body.get("status_callback_urls", [])
    if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
        errors.append("status_callback_urls: array of urls")
    extensions = body.get("extensions", {})
    if not isinstance(extensions, dict) or any(k != domain for k in extensions):
        errors.append("extensions: keyed by the processor's domain")
    return errors


class OpenDSRProcessor:
    """`with OpenDSRProcessor() as p:` serves on 127.0.0.1; `p.base_url` is the endpoint."""

    prefix = "/v2"

    def __init__(self, *, key=None, certificate_pem: str | None = None,
                 supported_types=("erasure", "access"), supported_regulations=None,
                 api_version: str = "2.0") -> None:
        self.domain = "127.0.0.1"
        if certificate_pem is None:
            key, certificate_pem = certificate_for(self.domain, key=key)
        self.key, self.certificate_pem = key, certificate_pem
        self.controller_id = "ccucaas-controller"
        self.supported_types = list(supported_types)
        self.supported_regulations = supported_regulations
        self.api_version = api_version
        self.requests: dict[str, dict] = {}  # subject_request_id -> stored request
        self.received: list[dict] = []
        self.answer_status: int | None = None  # force an answer (e.g. 422, 503) to POSTs
        self.corrupt_signature = False  # flip one byte of every response signature
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.base_url = self.url + self.prefix
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # --- what the processor publishes -----------------------------------------------------

    def discovery(self) -> dict:
        doc = {"api_version": self.api_version,
               "supported_identities": [{"identity_type": "email", "identity_format": "raw"},
                                        {"identity_type": "email", "identity_format": "sha256"}],
               "supported_subject_request_types": self.supported_types,
               "processor_certificate": f"{self.base_url}/cert.pem"}
        if self.supported_regulations is not None:
            doc["supported_regulations"] = self.supported_regulations
        return doc

    def signature(self, body: bytes, key=None) -> str:
        value = sign(key or self.key, body)
        if self.corrupt_signature:
            raw = bytearray(base64.b64decode(value))
            raw[10] ^= 0xFF
            value = base64.b64encode(bytes(raw)).decode()
        return value

    # --- callbacks (§8.5-§8.7) ----------------------------------------------------------------

    def callback(self, subject_request_id: str, status: str = "completed", *, key=None,
                 domain: str | None = None, callback_url: str | None = None,
                 omit_domain: bool = False) -> tuple[bytes, dict[str, str]]:
        stored = self.requests.get(subject_request_id) or {
            "status_callback_urls": [callback_url or ""], "expected_completion_time": _now()}
        url = callback_url or stored["status_callback_urls"][0]
        body = json.dumps({"controller_id": self.controller_id, "status_callback_url": url,
                           "subject_request_id": subject_request_id, "request_status": status,
                           "expected_completion_time": stored["expected_completion_time"]}).encode()
        headers = {"Content-Type": "application/json",
                   "X-OpenDSR-Signature": sign(key or self.key, body)}
        if not omit_domain:
            headers["X-OpenDSR-Processor-Domain"] = domain or self.domain
        return body, headers

    def deliver(self, subject_request_id: str, status: str = "completed", **kwargs):
        """POST the callback over real HTTP to the URL the request named."""
        body, headers = self.callback(subject_request_id, status, **kwargs)
        url = json.loads(body)["status_callback_url"]
        return requests.post(url, data=body, headers=headers, timeout=10, allow_redirects=False)

    def bodies(self, path: str = "/requests") -> list[dict]:
        return [json.loads(r["body"]) for r in self.received
                if r["method"] == "POST" and r["path"] == self.prefix + path]

    # --- the HTTP server --------------------------------------------------------------------

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, status: int, payload, *, signed: bool = True,
                        content_type: str = "application/json") -> None:
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                if signed:
                    self.send_header("X-OpenDSR-Processor-Domain", fake.domain)
                    self.send_header("X-OpenDSR-Signature", fake.signature(data))
                self.end_headers()
                self.wfile.write(data)

            def _error(self, status: int, messages: list[str]) -> None:  # §7.5-§7.7
                self._answer(status, {"error": {"code": status, "message": messages[0],
                                                "errors": [{"domain": "Validation",
                                                            "reason": "IllegalArgumentException",
                                                            "message": m} for m in messages]}},
                             signed=False)

            def _record(self, body: bytes = b"") -> None:
                fake.received.append({"method": self.command, "path": self.path,
                                      "headers": dict(self.headers), "body": body})

            def do_GET(self):
                self._record()
                if self.path == f"{fake.prefix}/discovery":
                    return self._answer(200, fake.discovery(), signed=False)
                if self.path == f"{fake.prefix}/cert.pem":
                    return self._answer(200, fake.certificate_pem.encode(), signed=False,
                                        content_type="application/x-pem-file")
                stored = self._stored()
                if stored is None:
                    return self._error(404, ["unknown subject_request_id"])
                return self._answer(200, {k: stored[k] for k in (
                    "controller_id", "expected_completion_time", "subject_request_id",
                    "request_status", "api_version")})

            def do_DELETE(self):
                self._record()
                stored = self._stored()
                if stored is None:
                    return self._error(404, ["unknown subject_request_id"])
                if stored["request_status"] != "pending":
                    return self._error(400, ["only pending requests can be cancelled"])
                stored["request_status"] = "cancelled"
                return self._answer(202, {"controller_id": fake.controller_id,
                                          "subject_request_id": stored["subject_request_id"],
                                          "received_time": _now(), "api_version": "2.0"})

            def _stored(self):
                match = re.fullmatch(rf"{fake.prefix}/requests/([0-9a-f-]+)", self.path)
                return fake.requests.get(match.group(1)) if match else None

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self._record(body)
                if self.path != f"{fake.prefix}/requests":
                    return self._error(404, ["no such endpoint"])
                if fake.answer_status is not None:
                    return self._error(fake.answer_status, ["forced answer"])
                try:
                    payload = json.loads(body)
                except ValueError:
                    return self._error(400, ["body: JSON object required"])
                if not isinstance(payload, dict):
                    return self._error(400, ["body: JSON object required"])
                errors = request_errors(payload, fake.discovery(), fake.domain)
                if errors:
                    return self._error(400, errors)
                request_id = payload["subject_request_id"]
                stored = fake.requests.setdefault(request_id, {
                    **payload, "controller_id": fake.controller_id, "request_status": "pending",
                    "received_time": _now(), "api_version": "2.0",
                    "expected_completion_time": (datetime.now(UTC) + timedelta(days=1)
                                                 ).strftime("%Y-%m-%dT%H:%M:%SZ")})
                return self._answer(201, {
                    "controller_id": fake.controller_id,
                    "expected_completion_time": stored["expected_completion_time"],
                    "received_time": stored["received_time"],
                    "encoded_request": base64.b64encode(body).decode(),
                    "subject_request_id": request_id})

            def log_message(self, *args):
                pass

        return Handler

    def __enter__(self) -> "OpenDSRProcessor":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
