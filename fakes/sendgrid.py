"""A fake SendGrid v3 Mail Send endpoint, from SendGrid's API reference ("Mail Send" >
`POST /v3/mail/send`, and "Personalizations" and "Substitution tags" in the Mail Send guide):

- `Authorization: Bearer <API key>` required, else HTTP 401 with `{"errors": [...]}`;
- `from.email` required; `personalizations` 1 to 1000 entries, each with a non-empty `to`,
  at most 1000 recipients over all personalizations; `subject` at the top level or in every
  personalization; `content` (text/plain first when both) unless `template_id`;
  `categories` at most 10 strings of at most 255 characters; `custom_args` string values;
  per-personalization `headers` must not set the reserved headers the reference lists
  (To, From, Subject, Reply-To, Cc, Bcc, Content-Type, Content-Transfer-Encoding, DKIM-Signature,
  Received, x-sg-id, x-sg-eid);
- legacy `substitutions` replace their keys verbatim in subject and content, per
  personalization; errors are HTTP 400 `{"errors": [{"message", "field", "help"}]}`;
- success is HTTP 202 with an empty body and an `X-Message-Id` header; 429 and 5xx on request.
"""

import uuid
from typing import Any

from fakes.http import FakeServer, json_body

API_KEY = "SG.fake-sendgrid-key"
MAX_PERSONALIZATIONS = 1000
RESERVED = {"to", "from", "subject", "reply-to", "cc", "bcc", "content-type",
            "content-transfer-encoding", "dkim-signature", "received", "x-sg-id", "x-sg-eid"}


def _errors(message: str, field: str | None = None) -> dict[str, Any]:
    return {"errors": [{"message": message, "field": field, "help": None}]}


def _substitute(text: str, substitutions: dict[str, str]) -> str:
    for key, value in substitutions.items():
        text = text.replace(key, value or "")
    return text


class FakeSendGrid(FakeServer):
    def handle(self, method: str, path: str, headers, body: bytes):
        if headers.get("Authorization") != f"Bearer {API_KEY}":
            return 401, _errors("The provided authorization grant is invalid, expired, or "
                                "revoked"), None
        if method != "POST" or path != "/v3/mail/send":
            return 404, _errors(f"No such endpoint {path}."), None
        try:
            data = json_body(body)
        except ValueError:
            return 400, _errors("Bad Request"), None
        problem = self._invalid(data)
        if problem:
            return 400, _errors(*problem), None
        fault = self.take_fault()
        if fault is not None:
            return fault, _errors("Too many requests" if fault == 429 else
                                  "Internal server error"), None
        batch_id = uuid.uuid4().hex
        contents = {c["type"]: c["value"] for c in data.get("content") or []}
        for personalization in data["personalizations"]:
            subs = personalization.get("substitutions") or {}
            custom_args = {**(data.get("custom_args") or {}),
                           **(personalization.get("custom_args") or {})}
            record = {"To": [t["email"] for t in personalization["to"]],
                      "Subject": _substitute(personalization.get("subject")
                                             or data.get("subject", ""), subs),
                      "TextBody": _substitute(contents.get("text/plain", ""), subs),
                      "HtmlBody": _substitute(contents.get("text/html", ""), subs),
                      "Categories": data.get("categories") or [], "CustomArgs": custom_args,
                      "Headers": {**(data.get("headers") or {}),
                                  **(personalization.get("headers") or {})},
                      "XMessageId": batch_id}
            for recipient in personalization["to"]:
                self.record(recipient["email"], record)
        return 202, None, {"X-Message-Id": batch_id}

    def _invalid(self, data: Any) -> tuple[str, str] | None:
        if not isinstance(data, dict):
            return "The request body must be a JSON object.", "body"
        if not (data.get("from") or {}).get("email"):
            return "The from object must be provided for every email send.", "from"
        personalizations = data.get("personalizations")
        if not isinstance(personalizations, list) or not personalizations:
            return "The personalizations field is required.", "personalizations"
        if len(personalizations) > MAX_PERSONALIZATIONS:
            return ("The personalizations field must have at most 1000 entries.",
                    "personalizations")
        recipients = 0
        for p in personalizations:
            if not p.get("to"):
                return "The to array is required for all personalization objects.", \
                    "personalizations.to"
            recipients += len(p["to"]) + len(p.get("cc") or []) + len(p.get("bcc") or [])
            if not (p.get("subject") or data.get("subject") or data.get("template_id")):
                return "The subject is required.", "subject"
            for name in (p.get("headers") or {}):
                if name.lower() in RESERVED:
                    return f"The header {name} is reserved.", "personalizations.headers"
            for value in (p.get("substitutions") or {}).values():
                if value is not None and not isinstance(value, str):
                    return "Substitution values must be strings.", "substitutions"
        if recipients > MAX_PERSONALIZATIONS:
            return "At most 1000 recipients per request.", "personalizations"
        if not data.get("template_id"):
            content = data.get("content")
            if not content:
                return "The content value must be a string at least one character in length.", \
                    "content"
            types = [c.get("type") for c in content]
            if "text/plain" in types and types[0] != "text/plain":
                return "The text/plain content type must be first.", "content"
        categories = data.get("categories") or []
        if len(categories) > 10 or any(not isinstance(c, str) or len(c) > 255
                                       for c in categories):
            return "At most 10 categories of at most 255 characters.", "categories"
        for value in (data.get("custom_args") or {}).values():
            if not isinstance(value, str):
                return "custom_args values must be strings.", "custom_args"
        return None
