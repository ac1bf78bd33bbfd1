"""What the configured email service provider (ESP) accepts, read from anymail's documentation
of each ESP ("Supported ESPs" > Postmark, SendGrid: "Limitations and quirks", "Batch sending",
"esp_extra"), and the start-up checks of a configuration that would make every send fail.

- Postmark: ONE tag per message (`Tag`), metadata, message streams (`MessageStream` through
  `esp_extra`: marketing in the broadcast stream, everything else in the transactional one,
  named by POSTMARK_BROADCAST_STREAM / POSTMARK_TRANSACTIONAL_STREAM), per-recipient headers in
  batch sends (`merge_headers`). Batch sending with `merge_data` needs a stored template
  (`/email/batchWithTemplates`, 500 messages per call): the batch's template is rendered once
  per language here and stored under an alias derived from its content (`postmark_template`).
- SendGrid: up to 10 categories (anymail `tags`), `custom_args` (metadata), per-recipient
  headers and legacy `substitutions` for `merge_data` without a template (1000
  personalizations per call); the merge fields are written `{{{name}}}` through
  `esp_extra["merge_field_format"]`.
- Anything else (SMTP, Django's file and locmem backends, anymail's test backend, other
  anymail ESPs): one message per recipient; anymail's test backend keeps every attribute.
"""

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core import checks

logger = logging.getLogger(__name__)

# Both ESPs receive merge fields written like this: Postmark's Mustachio leaves triple braces
# unescaped (values are HTML-escaped by us for the HTML part); SendGrid replaces the literal text.
MERGE_FIELD = "{{{%s}}}"
SENDGRID_MERGE_FIELD_FORMAT = "{{{{{{{}}}}}}}"  # str.format: "{{{" + name + "}}}"


@dataclass(frozen=True)
class Capabilities:
    name: str
    max_tags: int  # how many tags a message may carry (0: none)
    metadata: bool
    batch_limit: int  # recipients per batch API call (0: one message per recipient)
    merge_headers: bool  # per-recipient headers in a batch (RFC 8058 List-Unsubscribe)
    streams: bool  # Postmark message streams


_BACKENDS = {
    "anymail.backends.postmark.EmailBackend": Capabilities(
        "postmark", max_tags=1, metadata=True, batch_limit=500, merge_headers=True,
        streams=True),
    "anymail.backends.sendgrid.EmailBackend": Capabilities(
        "sendgrid", max_tags=10, metadata=True, batch_limit=1000, merge_headers=True,
        streams=False),
    "anymail.backends.test.EmailBackend": Capabilities(
        "test", max_tags=10, metadata=True, batch_limit=0, merge_headers=False, streams=False),
}
# Another anymail ESP: what every one of them supports (one tag, metadata), no batch sending.
_OTHER_ANYMAIL = Capabilities("anymail", max_tags=1, metadata=True, batch_limit=0,
                              merge_headers=False, streams=False)
_PLAIN = Capabilities("django", max_tags=0, metadata=False, batch_limit=0,
                      merge_headers=False, streams=False)


def capabilities(backend: str | None = None) -> Capabilities:
    """What the configured (or the named) email backend accepts."""
    backend = backend or settings.EMAIL_BACKEND
    found = _BACKENDS.get(backend)
    if found is not None:
        return found
    return _OTHER_ANYMAIL if backend.startswith("anymail.backends.") else _PLAIN


def stream_for(category: str) -> str:
    """The Postmark message stream of a category: marketing in the broadcast stream."""
    streams = settings.EMAIL_STREAMS
    return streams["marketing"] if category == "marketing" else streams["mandatory"]


def message_options(*, kind: str, category: str, caps: Capabilities | None = None) -> dict:
    """`tags`, `metadata` flag and `esp_extra` a message of this kind carries on this ESP."""
    caps = caps or capabilities()
    options: dict = {"tags": [kind, category][: caps.max_tags], "esp_extra": {}}
    if caps.streams:
        options["esp_extra"]["MessageStream"] = stream_for(category)
    if caps.name == "sendgrid":
        options["esp_extra"]["merge_field_format"] = SENDGRID_MERGE_FIELD_FORMAT
    return options


# --- Postmark stored templates for batch sends ----------------------------------------------

_known_templates: set[tuple[str, str]] = set()  # (api url, alias) created in this process


def _postmark_setting(name: str, default=None):
    from anymail.utils import get_anymail_setting

    if default is None:
        return get_anymail_setting(name, esp_name="Postmark", kwargs={}, allow_bare=True)
    return get_anymail_setting(name, esp_name="Postmark", default=default, kwargs={},
                               allow_bare=True)


def postmark_template(*, name: str, subject: str, text: str, html: str) -> str:
    """The alias of a Postmark template with exactly this content, created on first use
    ("Templates API" > "Create a template"; an alias already taken, ErrorCode 1123, is the
    same content, since the alias is the content's hash). Raises requests' errors (transient:
    network, 429, 5xx) or AnymailError (the configuration is wrong)."""
    import requests
    from anymail.exceptions import AnymailError

    digest = hashlib.sha256("\x1f".join((subject, text, html)).encode()).hexdigest()[:40]
    alias = f"ccucaas-{digest}"
    api_url = _postmark_setting("api_url", "https://api.postmarkapp.com/").rstrip("/") + "/"
    if (api_url, alias) in _known_templates:
        return alias
    response = requests.post(
        api_url + "templates", timeout=30,
        headers={"Accept": "application/json", "Content-Type": "application/json",
                 "X-Postmark-Server-Token": _postmark_setting("server_token")},
        json={"Name": name[:100], "Alias": alias, "Subject": subject, "TextBody": text,
              "HtmlBody": html, "TemplateType": "Standard"})
    if response.status_code == 429 or response.status_code >= 500:
        response.raise_for_status()
    if response.status_code != 200:
        code = (response.json() if response.content else {}).get("ErrorCode")
        if code != 1123:  # 1123: the alias exists, i.e. this very content
            raise AnymailError(f"Postmark refused the batch template: HTTP "
                               f"{response.status_code} {response.text[:300]}")
    _known_templates.add((api_url, alias))
    return alias


def postmark_templates_forget() -> None:
    """Forget which templates exist (after a call refused a template, or a test's new server):
    the next batch creates its template again (an existing alias is fine)."""
    _known_templates.clear()


# --- start-up checks ------------------------------------------------------------------------

_REQUIRED = {"postmark": ("Postmark", "server_token"), "sendgrid": ("SendGrid", "api_key")}


@checks.register(checks.Tags.compatibility)
def esp_configuration_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A configuration that would make every send fail is refused at start-up."""
    from anymail.exceptions import AnymailConfigurationError
    from anymail.utils import get_anymail_setting

    caps = capabilities()
    problems: list[checks.CheckMessage] = []
    if caps.name in _REQUIRED:
        esp_name, required = _REQUIRED[caps.name]
        try:
            get_anymail_setting(required, esp_name=esp_name, kwargs={}, allow_bare=True)
        except AnymailConfigurationError:
            problems.append(checks.Error(
                f"EMAIL_BACKEND is {settings.EMAIL_BACKEND} but ANYMAIL_{caps.name.upper()}_"
                f"{required.upper()} is not set: every email would fail.",
                hint="Set it in the environment (see .env.example).",
                id="notifications_app.E001"))
    if caps.streams:
        streams = settings.EMAIL_STREAMS
        if not streams["marketing"] or not streams["mandatory"]:
            problems.append(checks.Error(
                "POSTMARK_BROADCAST_STREAM and POSTMARK_TRANSACTIONAL_STREAM must both name a "
                "Postmark message stream.", id="notifications_app.E002"))
        elif streams["marketing"] == streams["mandatory"]:
            problems.append(checks.Error(
                "Marketing email would travel in the transactional stream: "
                "POSTMARK_BROADCAST_STREAM and POSTMARK_TRANSACTIONAL_STREAM are the same "
                f"({streams['marketing']!r}).", id="notifications_app.E003"))
    if caps is _OTHER_ANYMAIL:
        problems.append(checks.Warning(
            f"{settings.EMAIL_BACKEND}: this ESP's capabilities are not described in "
            "notifications_app/esp.py; emails carry one tag and go one message per recipient.",
            id="notifications_app.W001"))
    tracking = getattr(settings, "EMAIL_TRACKING_ESP", "")
    if caps.name in _REQUIRED and tracking and tracking != caps.name:
        problems.append(checks.Warning(
            f"EMAIL_TRACKING_ESP is {tracking!r} but the emails go through {caps.name}: "
            "delivery and bounce events would never arrive.", id="notifications_app.W002"))
    return problems
