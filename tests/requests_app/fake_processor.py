"""A small service provider served over real HTTP on 127.0.0.1 by the test process: the
specification-strict OpenDSR processor (fake_opendsr_processor.py) under `/v1`, plus a signed
webhook at `/hook`; any POST can answer 503 a given number of times (`fail_next`)."""

import json

from requests_app.connectors import webhook
from tests.requests_app.fake_opendsr_processor import OpenDSRProcessor, certificate_for, sign


def rsa_key_and_certificate(common_name: str = "127.0.0.1"):
    return certificate_for(common_name)


def opendsr_sign(key, body: bytes) -> str:
    return sign(key, body)


class FakeProcessor(OpenDSRProcessor):
    prefix = "/v1"

    def __init__(self, *, webhook_secret: str = "", key=None) -> None:
        self.fail_next = 0  # answer 503 this many times
        self.webhook_secret = webhook_secret
        super().__init__(key=key)
        self.opendsr_url = self.base_url

    def _handler(self):
        base = super()._handler()
        fake = self

        class Handler(base):
            def do_POST(self):
                if fake.fail_next > 0 or self.path == "/hook":
                    body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                    self._record(body)
                    if fake.fail_next > 0:
                        fake.fail_next -= 1
                        return self._answer(503, {"error": "try later"}, signed=False)
                    try:
                        webhook.verify(fake.webhook_secret, body,
                                       self.headers.get(webhook.SIGNATURE_HEADER, ""))
                    except Exception:
                        return self._answer(401, {"error": "bad signature"}, signed=False)
                    return self._answer(202, {"accepted": True}, signed=False)
                return super().do_POST()

        return Handler

    def bodies(self, path: str) -> list[dict]:
        return [json.loads(r["body"]) for r in self.received
                if r["method"] == "POST" and r["path"] == path]

    def opendsr_callback(self, propagation, status: str = "completed", *, key=None,
                         **kwargs) -> tuple[bytes, dict[str, str]]:
        """A §8.6 callback for a propagation this fake received (body, headers)."""
        return self.callback(str(propagation.public_id), status, key=key, **kwargs)
