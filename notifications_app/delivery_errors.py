"""Which send errors are worth retrying.

Transient: the provider or the network did not answer or asked us to come back (connection
errors, timeouts, HTTP 5xx and 429, SMTP 4xx). Permanent: the provider refused this message
(HTTP 4xx, SMTP 5xx, every recipient rejected, bad configuration); retrying would only repeat it.
"""

import smtplib

from anymail.exceptions import AnymailAPIError, AnymailError, AnymailRecipientsRefused


class TransientSendError(Exception):
    """Raised by the send service so that the task retries after `countdown` seconds."""

    def __init__(self, message: str, *, countdown: int) -> None:
        super().__init__(message)
        self.countdown = countdown


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, AnymailRecipientsRefused):
        return False
    if isinstance(exc, AnymailAPIError):
        status = exc.status_code
        return status is None or status >= 500 or status == 429
    if isinstance(exc, AnymailError):
        return False
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    # SMTPServerDisconnected, SMTPConnectError's socket side, ConnectionError, timeouts.
    return isinstance(exc, OSError)


def error_describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text[:2000]
