"""What consent_app holds about a user, JSON-serialisable, for the disclosure package (P21)
and the record of provisions to third parties (APPI Art. 33(5)). The data-source registry of
requests_app wraps these; erasure: ledger, acceptances and provision records are retained as
evidence (legal obligation), testimonials are erased (`services.testimonials_erase`)."""

from typing import Any

from consent_app import selectors


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def consents_export(*, user) -> list[dict[str, Any]]:
    return [{"receipt_id": str(e.receipt_id), "purpose": e.purpose, "action": e.action,
             "channel": e.channel, "policy_version": e.policy_version.version
             if e.policy_version else None, "ip": e.ip, "user_agent": e.user_agent,
             "time": _iso(e.created_at)}
            for e in selectors.consent_events_for_user(user=user).order_by("created_at", "id")]


def policy_acceptances_export(*, user) -> list[dict[str, Any]]:
    return [{"version": a.version.version, "kind": a.kind, "channel": a.channel, "ip": a.ip,
             "time": _iso(a.created_at)}
            for a in selectors.policy_acceptances_for_user(user=user).order_by("created_at")]


def testimonials_export(*, user) -> list[dict[str, Any]]:
    published = set(selectors.testimonials_published().filter(user=user)
                    .values_list("pk", flat=True))
    return [{"display_name": t.display_name, "body": t.body, "language": t.language,
             "published": t.pk in published, "created_at": _iso(t.created_at)}
            for t in selectors.testimonials_for_user(user=user).order_by("created_at")]


def provisions_export(*, user) -> list[dict[str, Any]]:
    return [{"recipient": p.recipient, "recipient_type": p.recipient_type,
             "purpose": p.purpose, "legal_basis": p.legal_basis,
             "data_categories": p.data_categories, "provided_at": _iso(p.provided_at),
             "consent_receipt_id": str(p.consent_event.receipt_id) if p.consent_event else None}
            for p in selectors.provision_records_for_user(user=user).order_by("provided_at")]
