"""People read labels, never codes: the label of a request type or channel that may not (yet)
be one of requests_app's choices (a rule can name a type another app adds)."""

from requests_app.models import Channel, RequestType


def type_label(value: str) -> str:
    return str(dict(RequestType.choices).get(value, value))


def channel_label(value: str) -> str:
    return str(dict(Channel.choices).get(value, value))
