"""OpenDSR discovery and the processor's signing certificate (specification.md of
opengdpr/OpenDSR: §6 discovery, §4.1 certificates, §8.3/§8.6 domain and signature headers,
§8.8 callback authentication).

`discovery_read` GETs `{endpoint}/discovery`, checks its REQUIRED properties (§6.3), fetches
the certificate from `processor_certificate` — which must be on the processor's registered
domain (the host of its endpoint) — and checks it is valid now and issued for that domain.
`signer_key` repeats the certificate checks at every callback and response. Nothing here
writes: the service stores what was read (`services.processors.processor_trust_refresh`)."""

import base64
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID
from django.conf import settings

from ccucaas_privacy.outbound import OutboundError, outbound_get
from requests_app.connectors.base import (
    TIMEOUT_SECONDS,
    ConnectorError,
    SignatureError,
    error_for_status,
    json_object,
)

API_MAJOR = "2"
SIGNATURE_HEADER = "X-OpenDSR-Signature"
DOMAIN_HEADER = "X-OpenDSR-Processor-Domain"
SPEC_REGULATIONS = ("gdpr", "ccpa")  # §7.1.1


@dataclass
class Trust:
    discovery: dict
    certificate_pem: str
    certificate_expires_at: datetime
    valid_until: datetime


def _get(url: str) -> tuple[bytes, str]:
    try:
        response = outbound_get(url, headers={"Accept": "application/json"},
                                timeout=TIMEOUT_SECONDS)
    except OutboundError as exc:
        raise ConnectorError(exc.reason, permanent=exc.reason.startswith("address refused")
                             ) from exc
    if response.status != 200:
        error = error_for_status(response.status)
        raise ConnectorError(f"{url.rsplit('/', 1)[-1]}: {error.reason}",
                             permanent=error.permanent)
    return response.body, response.header("cache-control")


def _discovery_errors(payload: dict) -> list[str]:
    """§6.3: every REQUIRED property, with its type."""
    errors = []
    if not isinstance(payload.get("api_version"), str):
        errors.append("api_version")
    elif payload["api_version"].split(".", 1)[0] != API_MAJOR:
        errors.append(f"api_version {payload['api_version'][:10]} is not {API_MAJOR}.x")
    identities = payload.get("supported_identities")
    if not isinstance(identities, list) or not all(
            isinstance(i, dict) and isinstance(i.get("identity_type"), str)
            and isinstance(i.get("identity_format"), str) for i in identities):
        errors.append("supported_identities")
    types = payload.get("supported_subject_request_types")
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        errors.append("supported_subject_request_types")
    if not isinstance(payload.get("processor_certificate"), str):
        errors.append("processor_certificate")
    regulations = payload.get("supported_regulations", [])
    if not isinstance(regulations, list) or not all(isinstance(r, str) for r in regulations):
        errors.append("supported_regulations")
    return errors


def certificate_names(cert: x509.Certificate) -> set[str]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = {n.lower() for n in san.get_values_for_type(x509.DNSName)}
        names |= {str(a) for a in san.get_values_for_type(x509.IPAddress)}
        return names
    except x509.ExtensionNotFound:
        return {a.value.lower() for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)}


def _matches(domain: str, name: str) -> bool:
    if name.startswith("*."):
        return "." in domain and domain.split(".", 1)[1] == name[2:]
    return domain == name


def certificate_check(cert: x509.Certificate, *, domain: str, now: datetime) -> None:
    """§4.1/§8.3: valid now and issued for the processor's domain (ValueError otherwise)."""
    if now < cert.not_valid_before_utc:
        raise ValueError("certificate not yet valid")
    if now > cert.not_valid_after_utc:
        raise ValueError("certificate expired")
    if not any(_matches(domain.lower(), n) for n in certificate_names(cert)):
        raise ValueError("certificate not issued for the processor's domain")


def _max_age(cache_control: str) -> int | None:
    match = re.search(r"max-age=(\d+)", cache_control or "")
    return int(match.group(1)) if match else None


def discovery_read(processor, *, now: datetime) -> Trust:
    """Read and check the processor's discovery and certificate (ConnectorError if not)."""
    base = processor.endpoint_url.rstrip("/")
    body, cache_control = _get(base + "/discovery")
    try:
        payload = json_object(body)
    except ValueError as exc:
        raise ConnectorError("discovery: not a JSON object", permanent=True) from exc
    errors = _discovery_errors(payload)
    if errors:
        raise ConnectorError("discovery: missing or invalid " + ", ".join(errors), permanent=True)
    cert_url = payload["processor_certificate"]
    if (urlsplit(cert_url).hostname or "").lower() != processor.domain:
        raise ConnectorError("discovery: processor_certificate is not on the processor's domain",
                             permanent=True)
    pem, _cc = _get(cert_url)
    try:
        cert = x509.load_pem_x509_certificate(pem)
        certificate_check(cert, domain=processor.domain, now=now)
    except ValueError as exc:
        raise ConnectorError(f"certificate: {exc}", permanent=True) from exc
    ttl = _max_age(cache_control)
    ttl = settings.OPENDSR["DISCOVERY_TTL_SECONDS"] if ttl is None else ttl
    valid_until = min(now + timedelta(seconds=ttl), cert.not_valid_after_utc)
    kept = {k: payload[k] for k in ("api_version", "supported_identities",
                                    "supported_subject_request_types", "processor_certificate",
                                    "supported_regulations") if k in payload}
    return Trust(discovery=kept, certificate_pem=pem.decode(),
                 certificate_expires_at=cert.not_valid_after_utc, valid_until=valid_until)


def regulations_allowed(discovery: dict) -> set[str]:
    """§7.1.1: gdpr, ccpa, or a value the processor's discovery lists; a discovery that lists
    its regulations narrows the choice to those."""
    listed = discovery.get("supported_regulations")
    return set(listed) if listed else set(SPEC_REGULATIONS)


def verify_signed(processor, *, body: bytes, headers, now: datetime) -> None:
    """§8.8 steps 1-5 for a callback or a response: the domain header names the processor's
    registered domain, its stored certificate is valid now and issued for that domain, and the
    base64 signature over the raw body verifies (RSA PKCS#1 v1.5 or ECDSA, SHA-256)."""
    domain = (headers.get(DOMAIN_HEADER) or "").strip().lower()
    if not domain or domain != processor.domain:
        raise SignatureError("processor domain header missing or not the processor's")
    if not processor.certificate_pem:
        raise SignatureError("no certificate: the processor's discovery was never read")
    try:
        cert = x509.load_pem_x509_certificate(processor.certificate_pem.encode())
        certificate_check(cert, domain=domain, now=now)
        signature = base64.b64decode(headers.get(SIGNATURE_HEADER) or "", validate=True)
        if not signature:
            raise ValueError("no signature")
        key = cert.public_key()
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, body, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, body, ec.ECDSA(hashes.SHA256()))
        else:
            raise ValueError("unsupported key type")
    except (InvalidSignature, ValueError, TypeError) as exc:
        raise SignatureError(f"bad OpenDSR signature: {exc}"[:200]) from exc
