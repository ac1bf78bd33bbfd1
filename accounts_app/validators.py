"""Validators of personal data fields.

P09: payment data is a processor's reference, never a card number or CVV. A run of 13 to 19
digits (spaces or dashes allowed between them) looks like a primary account number and is
refused in every text field of a payment reference, by the model and by a database constraint.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ccucaas_privacy.rules import enforces

# Used both in Python and in the database CHECK constraints (PostgreSQL and SQLite REGEXP).
CARD_NUMBER_PATTERN = r"([0-9][ -]?){12,18}[0-9]"
_CARD_NUMBER_RE = re.compile(CARD_NUMBER_PATTERN)


def contains_card_number(value: object) -> bool:
    return isinstance(value, str) and bool(_CARD_NUMBER_RE.search(value))


@enforces("P09")
def validate_no_card_number(value: object) -> None:
    if contains_card_number(value):
        raise ValidationError(
            _("Card numbers must never be stored here; store the payment processor's reference."),
            code="card_number",
        )


def validate_last4(value: str) -> None:
    if not re.fullmatch(r"[0-9]{4}", value or ""):
        raise ValidationError(_("Enter exactly the last four digits."), code="last4")
