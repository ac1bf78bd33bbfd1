"""A fake Postmark server, from Postmark's API reference (postmarkapp.com/developer):

- "Email API" > "Send a single email" (`POST /email`) and "Send batch emails"
  (`POST /email/batch`, at most 500 messages per call, each answered on its own);
- "Templates API" > "Create a template" (`POST /templates`), "Get a template"
  (`GET /templates/{templateIdOrAlias}`) and "Email API" > "Send batch with templates"
  (`POST /email/batchWithTemplates`, `{"Messages": [...]}`), the TemplateModel merged with
  Mustachio as "Template syntax" (support article 1077) describes: `{{ name }}` HTML-encoded in
  the HTML body, `{{{ name }}}` as given;
- "API overview" > "Authentication" (`X-Postmark-Server-Token` required, else HTTP 401
  ErrorCode 10) and "API error codes" (HTTP 422 with ErrorCode 300 invalid email request,
  402 invalid JSON, 1101 template not found, 1123 duplicate template alias, 1235 message stream
  not found), "Rate limits" (HTTP 429) and 500 on a server error;
- "Webhooks" > "Delivery", "Bounce" and "Spam complaint" payloads (`delivery_event`,
  `bounce_event`, `spam_complaint_event`) for anymail's tracking webhook.

Strict where the reference is: From, To and Subject are required (Subject unless a template);
TextBody or HtmlBody; at most 50 recipients over To, Cc and Bcc; `Tag` is one string of at most
1000 characters; `Metadata` at most 10 fields, keys up to 20 and values up to 80 characters;
`Headers` a list of {Name, Value}; `MessageStream` must name a stream of the server
(default "outbound").
"""

import html
import re
import uuid
from datetime import UTC, datetime
from email.utils import getaddresses
from typing import Any

from fakes.http import FakeServer, json_body

TOKEN = "fake-postmark-server-token"  # noqa: S105 - the fake's own, not a secret
MAX_BATCH = 500
MAX_RECIPIENTS = 50
STREAMS = {"outbound": "Transactional", "broadcast": "Broadcasts"}
_MUSTACHE = re.compile(r"\{\{\{\s*([\w.]+)\s*\}\}\}|\{\{\s*([\w.]+)\s*\}\}")


def _now() -> str:
    return datetime.now(tz=UTC).isoformat().replace("+00:00", "Z")


def _error(code: int, message: str) -> dict[str, Any]:
    return {"ErrorCode": code, "Message": message}


def _lookup(model: dict[str, Any], dotted: str) -> str:
    value: Any = model
    for part in dotted.split("."):
        value = value.get(part, "") if isinstance(value, dict) else ""
    return "" if value is None else str(value)


def mustachio(template: str, model: dict[str, Any], *, html_body: bool) -> str:
    def _one(match: re.Match) -> str:
        raw, escaped = match.group(1), match.group(2)
        if raw:
            return _lookup(model, raw)
        value = _lookup(model, escaped)
        return html.escape(value) if html_body else value

    return _MUSTACHE.sub(_one, template or "")


class FakePostmark(FakeServer):
    def __init__(self, *, streams: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.streams = dict(STREAMS if streams is None else streams)
        self.templates: dict[str, dict[str, Any]] = {}  # alias -> template
        self.by_message_id: dict[str, dict[str, Any]] = {}

    def sends(self, path: str) -> bool:
        return path.startswith("/email")

    # --- requests --------------------------------------------------------------------------
    def handle(self, method: str, path: str, headers, body: bytes):
        if headers.get("X-Postmark-Server-Token") != TOKEN:
            return 401, _error(10, "Request does not contain a valid Server token."), None
        if method == "GET" and path.startswith("/templates/"):
            found = self.templates.get(path.removeprefix("/templates/"))
            if found is None:
                return 422, _error(1101, "The Template's 'TemplateId' or 'Alias' was not found."), None
            return 200, found, None
        if method != "POST":
            return 405, _error(0, "Method not allowed."), None
        try:
            data = json_body(body)
        except ValueError:
            return 422, _error(402, "Received invalid JSON input."), None
        if path == "/templates":
            return self._template_create(data)
        fault = self.take_fault()
        if fault is not None:
            return fault, _error(0, "Rate limit exceeded." if fault == 429 else
                                 "Internal server error."), None
        if path == "/email":
            result = self._one(data, template=False)
            return (200 if result["ErrorCode"] == 0 else 422), result, None
        if path == "/email/batch":
            if not isinstance(data, list):
                return 422, _error(402, "A batch is a JSON array of messages."), None
            return self._batch(data, template=False)
        if path == "/email/batchWithTemplates":
            messages = data.get("Messages") if isinstance(data, dict) else None
            if not isinstance(messages, list):
                return 422, _error(402, "Give the messages as {\"Messages\": [...]}."), None
            return self._batch(messages, template=True)
        return 404, _error(0, f"No such endpoint {path}."), None

    def _batch(self, messages: list, *, template: bool):
        if len(messages) > MAX_BATCH:
            return 422, _error(300, f"A batch holds at most {MAX_BATCH} messages."), None
        return 200, [self._one(m, template=template) for m in messages], None

    def _template_create(self, data: dict[str, Any]):
        alias = data.get("Alias") or ""
        if not data.get("Name") or not (data.get("HtmlBody") or data.get("TextBody")) \
                or not data.get("Subject"):
            return 422, _error(300, "Name, Subject and HtmlBody or TextBody are required."), None
        if alias in self.templates:
            return 422, _error(1123, f"The alias '{alias}' is already in use."), None
        template = {"TemplateId": len(self.templates) + 1, "Name": data["Name"], "Active": True,
                    "Alias": alias or None, "TemplateType": data.get("TemplateType", "Standard"),
                    "LayoutTemplate": None, "Subject": data["Subject"],
                    "HtmlBody": data.get("HtmlBody") or "", "TextBody": data.get("TextBody") or ""}
        self.templates[alias or str(template["TemplateId"])] = template
        self.templates[str(template["TemplateId"])] = template
        return 200, {k: template[k] for k in ("TemplateId", "Name", "Active", "Alias",
                                              "TemplateType", "LayoutTemplate")}, None

    # --- one message ---------------------------------------------------------------------
    def _invalid(self, message: Any, *, template: bool) -> str:
        if not isinstance(message, dict):
            return "Each message is a JSON object."
        if not message.get("From"):
            return "Invalid 'From' address: ''."
        if not message.get("To"):
            return "Invalid 'To' address: ''."
        if template:
            if not (message.get("TemplateId") or message.get("TemplateAlias")):
                return "Give TemplateId or TemplateAlias."
            if "TemplateModel" not in message:
                return "TemplateModel is required with a template."
        else:
            if not message.get("Subject"):
                return "Subject is required."
            if not (message.get("TextBody") or message.get("HtmlBody")):
                return "Provide either email TextBody or HtmlBody or both."
        recipients = sum(len(getaddresses([message.get(f) or ""])) for f in ("To", "Cc", "Bcc"))
        if recipients > MAX_RECIPIENTS:
            return f"Too many recipients ({recipients}); at most {MAX_RECIPIENTS} per message."
        tag = message.get("Tag")
        if tag is not None and (not isinstance(tag, str) or len(tag) > 1000):
            return "Tag must be one string of at most 1000 characters."
        metadata = message.get("Metadata") or {}
        if not isinstance(metadata, dict) or len(metadata) > 10 or any(
                len(str(k)) > 20 or len(str(v)) > 80 for k, v in metadata.items()):
            return "Invalid metadata content: at most 10 fields, keys 20 and values 80 characters."
        headers = message.get("Headers") or []
        if not isinstance(headers, list) or any(
                not isinstance(h, dict) or set(h) != {"Name", "Value"} for h in headers):
            return "Headers must be a list of {Name, Value} objects."
        return ""

    def _one(self, message: Any, *, template: bool) -> dict[str, Any]:
        problem = self._invalid(message, template=template)
        if problem:
            return _error(300, problem)
        stream = message.get("MessageStream") or "outbound"
        if stream not in self.streams:
            return _error(1235, f"The message stream for the provided 'ID' ({stream}) was not "
                                "found.")
        if template:
            key = str(message.get("TemplateId") or message.get("TemplateAlias"))
            found = self.templates.get(key)
            if found is None:
                return _error(1101, "The Template's 'TemplateId' or 'Alias' was not found.")
            model = message.get("TemplateModel") or {}
            if not isinstance(model, dict):
                return _error(300, "TemplateModel must be a JSON object.")
            subject = text = body_html = ""
            if self.keep_messages:  # merged only for a test that reads the messages
                subject = mustachio(found["Subject"], model, html_body=False)
                text = mustachio(found["TextBody"], model, html_body=False)
                body_html = mustachio(found["HtmlBody"], model, html_body=True)
        else:
            subject, text = message["Subject"], message.get("TextBody") or ""
            body_html = message.get("HtmlBody") or ""
        message_id = str(uuid.uuid4())
        to = message["To"]
        record = {"MessageID": message_id, "To": to, "From": message["From"],
                  "Subject": subject, "TextBody": text, "HtmlBody": body_html,
                  "Tag": message.get("Tag"), "Metadata": message.get("Metadata") or {},
                  "MessageStream": stream,
                  "Headers": {h["Name"]: h["Value"] for h in message.get("Headers") or []}}
        for _name, address in getaddresses([to]):
            self.record(address, record)
        if self.keep_messages:
            self.by_message_id[message_id] = record
        return {"To": to, "SubmittedAt": _now(), "MessageID": message_id, "ErrorCode": 0,
                "Message": "OK"}


# --- webhook payloads ("Webhooks" reference) -----------------------------------------------

def delivery_event(*, message_id: str, recipient: str, metadata: dict | None = None,
                   tag: str = "", stream: str = "outbound") -> dict[str, Any]:
    return {"RecordType": "Delivery", "ServerID": 23, "MessageStream": stream,
            "MessageID": message_id, "Recipient": recipient, "Tag": tag,
            "DeliveredAt": _now(), "Details": "Test delivery webhook details",
            "Metadata": metadata or {}}


def bounce_event(*, message_id: str, recipient: str, metadata: dict | None = None,
                 tag: str = "", stream: str = "outbound") -> dict[str, Any]:
    return {"RecordType": "Bounce", "ID": 42, "Type": "HardBounce", "TypeCode": 1,
            "Name": "Hard bounce", "Tag": tag, "MessageID": message_id, "ServerID": 23,
            "MessageStream": stream,
            "Description": "The server was unable to deliver your message (ex: unknown user, "
                           "mailbox not found).",
            "Details": "Test bounce details", "Email": recipient,
            "From": "privacy@ccucaas.example", "BouncedAt": _now(), "DumpAvailable": True,
            "Inactive": True, "CanActivate": True, "Subject": "Test subject",
            "Metadata": metadata or {}}


def spam_complaint_event(*, message_id: str, recipient: str, metadata: dict | None = None,
                         tag: str = "", stream: str = "broadcast") -> dict[str, Any]:
    return {"RecordType": "SpamComplaint", "ID": 43, "Type": "SpamComplaint", "TypeCode": 512,
            "Name": "Spam complaint", "Tag": tag, "MessageID": message_id, "ServerID": 23,
            "MessageStream": stream, "Description": "", "Details": "Test spam complaint details",
            "Email": recipient, "From": "privacy@ccucaas.example", "BouncedAt": _now(),
            "DumpAvailable": True, "Inactive": True, "CanActivate": False,
            "Subject": "Test subject", "Metadata": metadata or {}}
