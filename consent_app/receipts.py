"""Consent receipts with Kantara Initiative Consent Receipt Specification v1.1 field names."""

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from consent_app.models import Channel, ConsentEvent, Purpose

RECEIPT_VERSION = "KI-CR-v1.1.0"

# Kantara "collectionMethod" is free text describing how consent was collected.
_COLLECTION_METHODS = {
    Channel.PORTAL: "Account settings in the CCUCaaS portal (web form, one click)",
    Channel.API: "CCUCaaS REST API call authenticated as the user",
    Channel.EMAIL_LINK: "Link in an email sent to the user",
    Channel.STAFF: "Recorded by CCUCaaS staff on the user's instruction",
    Channel.GPC: "Global Privacy Control signal (Sec-GPC: 1) sent by the user's browser",
    Channel.SIGNUP: "Sign-up form of the CCUCaaS portal",
}


def receipt_filename(event: ConsentEvent) -> str:
    return f"consent-receipt-{event.receipt_id}.json"


def consent_receipt(event: ConsentEvent) -> dict[str, Any]:
    """The receipt of one ledger event (a grant, a withdrawal or a deemed consent)."""
    controller = settings.CONSENT_CONTROLLER
    base, _sep, parameter = event.purpose.partition(":")
    purpose = Purpose.objects.filter(code=base).first()
    language = getattr(event.user, "language", "ja") or "ja"
    with translation.override(language):
        name = purpose.name if purpose else base
        description = purpose.description if purpose else ""
        policy_path = reverse("consent:policy_current")
    if parameter:
        name = f"{name}: {parameter}"
    version = event.policy_version
    return {
        "version": RECEIPT_VERSION,
        "jurisdiction": "JP",
        "consentTimestamp": int(event.created_at.timestamp()),
        "collectionMethod": _COLLECTION_METHODS.get(event.channel, event.channel),
        "consentReceiptID": str(event.receipt_id),
        "language": language,
        "piiPrincipalId": event.user.email or event.user.get_username(),
        "piiControllers": [{
            "piiController": controller["name"],
            "onBehalf": False,
            "contact": controller["contact"],
            "address": controller["address"],
            "email": controller["email"],
            "phone": controller["phone"],
            "piiControllerUrl": settings.SITE_URL,
        }],
        "policyUrl": settings.SITE_URL.rstrip("/") + policy_path,
        "services": [{
            "service": "CCUCaaS",
            "purposes": [{
                "purpose": name,
                "purposeDescription": description,
                "purposeCategory": [event.purpose],
                "consentType": "EXPLICIT" if event.channel != Channel.GPC else "IMPLICIT",
                "piiCategory": [],
                "primaryPurpose": bool(purpose and purpose.required),
                "termination": "Until withdrawn in account settings or via the API",
                "thirdPartyDisclosure": base == "third_party_provision",
                "thirdPartyName": parameter if base == "third_party_provision" else "",
            }],
        }],
        "sensitive": False,
        "spiCat": [],
        # Extensions (not in the specification): the ledger facts this receipt evidences.
        "action": event.action,
        "policyVersion": version.version if version else None,
        "ipAddress": event.ip,
    }
