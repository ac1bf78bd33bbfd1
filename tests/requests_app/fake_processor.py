"""A small service provider served over real HTTP on 127.0.0.1 by the test process: it accepts
OpenDSR 2.0 requests and signed webhooks, can answer 503 a given number of times, and signs its
status callbacks with a key generated for the test (RSA for OpenDSR, HMAC for the webhook)."""

import base64
import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from requests_app.connectors import webhook


def rsa_key_and_certificate(common_name: str = "processor.test"):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
            .sign(key, hashes.SHA256()))
    return key, cert.public_bytes(serialization.Encoding.PEM).decode()


def opendsr_sign(key, body: bytes) -> str:
    return base64.b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()


class FakeProcessor:
    def __init__(self, *, webhook_secret: str = "") -> None:
        self.received: list[dict] = []
        self.fail_next = 0  # answer 503 this many times
        self.webhook_secret = webhook_secret
        processor = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                entry = {"path": self.path, "headers": dict(self.headers), "body": body}
                processor.received.append(entry)
                if processor.fail_next > 0:
                    processor.fail_next -= 1
                    return self._answer(503, {"error": "try later"})
                if self.path == "/hook":
                    try:
                        webhook.verify(processor.webhook_secret, body,
                                       self.headers.get(webhook.SIGNATURE_HEADER, ""))
                    except Exception:
                        return self._answer(401, {"error": "bad signature"})
                    return self._answer(202, {"accepted": True})
                payload = json.loads(body)
                return self._answer(201, {"controller_id": "ccucaas",
                                          "received_time": "2026-11-29T01:00:00Z",
                                          "subject_request_id": payload["subject_request_id"]})

            def _answer(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeProcessor":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def bodies(self, path: str) -> list[dict]:
        return [json.loads(r["body"]) for r in self.received if r["path"] == path]
