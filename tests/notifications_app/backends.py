"""Email backends that fail like real providers do, for retry tests.

Not mocks of the outbox: the outbox code runs unchanged and calls these through Django's
normal EMAIL_BACKEND machinery; they only stand in for a provider that is briefly unavailable.
"""

import smtplib
from pathlib import Path
from typing import ClassVar

import requests
from anymail.backends.test import EmailBackend as AnymailTestBackend
from anymail.exceptions import AnymailAPIError
from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend as FileBackend


def unavailable_response() -> requests.Response:
    response = requests.Response()
    response.status_code = 503
    response.reason = "Service Unavailable"
    response._content = b'{"message": "try again later"}'
    return response


class FlakyAnymailBackend(AnymailTestBackend):
    """anymail's test backend, but the next `failures` sends answer HTTP 503 (or 4xx)."""

    failures: ClassVar[int] = 0
    status_code: ClassVar[int] = 503

    def post_to_esp(self, payload, message):
        if FlakyAnymailBackend.failures > 0:
            FlakyAnymailBackend.failures -= 1
            response = unavailable_response()
            response.status_code = FlakyAnymailBackend.status_code
            raise AnymailAPIError("ESP unavailable", status_code=response.status_code,
                                  response=response, backend=self)
        return super().post_to_esp(payload, message)


class FirstTryDisconnectsFileBackend(FileBackend):
    """The file backend (one file per send), except that the first attempt of every message
    fails the way an SMTP server that drops the connection does. Works across processes: the
    memory of first attempts is a marker file per Message-ID."""

    def send_messages(self, email_messages):
        markers = Path(settings.EMAIL_FILE_PATH) / "first-attempts"
        markers.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            marker = markers / message.extra_headers["Message-ID"].strip("<>")
            if not marker.exists():
                marker.touch()
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(email_messages)
