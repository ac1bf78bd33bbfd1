"""Outbound HTTP to third parties (service providers, DRP agents): they cannot reach inside.

- A URL must be `https` and its host must not be, or resolve to, a loopback, private,
  link-local, multicast, reserved, unspecified or cloud-metadata address
  (`outbound_url_validate`, used by model validation).
- Every request resolves the host again, checks every address, and connects to the checked
  address itself (no second lookup a DNS rebinding could change); TLS still verifies the
  certificate for the host name. Redirects are never followed; answers are read up to a limit.
- Tests reach fakes on 127.0.0.1 only with `OUTBOUND_ALLOW_PRIVATE_ADDRESSES` on (set from
  FULFILMENT_ALLOW_PRIVATE_ENDPOINTS; production settings refuse to start with it on): then
  private addresses and plain `http` are accepted.

Public API: `outbound_url_validate(url)`, `outbound_request(method, url, ...)` and
`outbound_post(url, ...)`, returning an `OutboundResponse`; errors are `OutboundError`.
"""

import ipaddress
import json
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import certifi
import urllib3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BODY_BYTES = 1_000_000
DEFAULT_TIMEOUT = 10.0
METADATA_HOSTS = frozenset({"metadata", "metadata.google.internal", "metadata.goog",
                            "instance-data", "instance-data.ec2.internal"})
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "100.100.100.200", "168.63.129.16", "192.0.0.192",
    "fd00:ec2::254"))


class OutboundError(Exception):
    """The request was refused before sending (unsafe address) or failed on the network.
    `reason` is short and safe to store (no answer body, no internal detail)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class OutboundResponse:
    status: int
    headers: urllib3.HTTPHeaderDict  # case-insensitive
    body: bytes
    reason: str = ""

    def json(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str) -> str:
        return self.headers.get(name, "")


def private_addresses_allowed() -> bool:
    return bool(getattr(settings, "OUTBOUND_ALLOW_PRIVATE_ADDRESSES", False)
                or getattr(settings, "FULFILMENT_ALLOW_PRIVATE_ENDPOINTS", False))


def _ip(address: str):
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip


def _is_metadata(address: str) -> bool:
    """Cloud metadata endpoints are refused even when private addresses are allowed (tests)."""
    return _ip(address) in METADATA_ADDRESSES


def address_is_forbidden(address: str) -> bool:
    """True for every address a third party's URL must not reach."""
    ip = _ip(address)
    return (ip in METADATA_ADDRESSES or ip.is_loopback or ip.is_private or ip.is_link_local
            or ip.is_multicast or ip.is_reserved or ip.is_unspecified
            or not ip.is_global)


def _split(url: str):
    parts = urlsplit(url or "")
    allowed = ("https", "http") if private_addresses_allowed() else ("https",)
    if parts.scheme not in allowed:
        raise ValidationError(_("The address must start with https://."), code="outbound_scheme")
    if not parts.hostname or parts.username or parts.password:
        raise ValidationError(_("The address must name a host (and no user name or password)."),
                              code="outbound_host")
    return parts


def _literal(host: str):
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _check_host(host: str) -> None:
    host = host.lower().rstrip(".")
    literal = _literal(host)
    if host in METADATA_HOSTS or (literal is not None and _is_metadata(host)):
        raise ValidationError(_("The address must not point inside our network."),
                              code="outbound_private")
    if private_addresses_allowed():
        return
    if host == "localhost" or host.endswith((".localhost", ".internal")):
        raise ValidationError(_("The address must not point inside our network."),
                              code="outbound_private")
    if literal is not None and address_is_forbidden(host):
        raise ValidationError(_("The address must not point inside our network."),
                              code="outbound_private")


def resolve(host: str, port: int) -> list[str]:
    """Every address the host resolves to, each checked (OutboundError if any is forbidden)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundError("DNS lookup failed") from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise OutboundError("DNS lookup failed")
    if any(_is_metadata(a) for a in addresses) or (
            not private_addresses_allowed() and any(address_is_forbidden(a) for a in addresses)):
        raise OutboundError("address refused: it points inside our network")
    return addresses


def outbound_url_validate(url: str, *, resolve_now: bool = True) -> None:
    """Model-level check of a third party's URL: https, a host, not an inside address. A name
    that resolves is checked address by address; one that does not resolve (yet) is accepted
    here and refused at send time."""
    parts = _split(url)
    _check_host(parts.hostname)
    if resolve_now and _literal(parts.hostname) is None:
        try:
            resolve(parts.hostname, parts.port or 443)
        except OutboundError as exc:
            if exc.reason.startswith("address refused"):
                raise ValidationError(_("The address must not point inside our network."),
                                      code="outbound_private") from exc


def outbound_request(method: str, url: str, *, body: bytes | None = None,
                     headers: dict[str, str] | None = None,
                     timeout: float = DEFAULT_TIMEOUT) -> OutboundResponse:
    """One request to a checked address; 3xx answers are returned, never followed."""
    try:
        parts = _split(url)
        _check_host(parts.hostname)
    except ValidationError as exc:
        raise OutboundError("address refused: " + exc.messages[0]) from exc
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve(parts.hostname, port)[0]
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host_header = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    if parts.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address, port, server_hostname=parts.hostname, assert_hostname=parts.hostname,
            cert_reqs="CERT_REQUIRED", ca_certs=certifi.where(), maxsize=1)
    else:
        pool = urllib3.HTTPConnectionPool(address, port, maxsize=1)
    try:
        response = pool.urlopen(method, path, body=body,
                                headers={"Host": host_header, **(headers or {})},
                                redirect=False, retries=False, preload_content=False,
                                timeout=urllib3.Timeout(total=timeout))
        data = response.read(MAX_BODY_BYTES + 1, decode_content=True)
        response.release_conn()
    except urllib3.exceptions.HTTPError as exc:
        raise OutboundError(type(exc).__name__) from exc
    finally:
        pool.close()
    if len(data) > MAX_BODY_BYTES:
        raise OutboundError("answer too large")
    return OutboundResponse(status=response.status, reason=response.reason or "",
                            headers=urllib3.HTTPHeaderDict(response.headers),
                            body=data)


def outbound_post(url: str, *, data: bytes, headers: dict[str, str] | None = None,
                  timeout: float = DEFAULT_TIMEOUT) -> OutboundResponse:
    return outbound_request("POST", url, body=data, headers=headers, timeout=timeout)


def outbound_get(url: str, *, headers: dict[str, str] | None = None,
                 timeout: float = DEFAULT_TIMEOUT) -> OutboundResponse:
    return outbound_request("GET", url, headers=headers, timeout=timeout)
