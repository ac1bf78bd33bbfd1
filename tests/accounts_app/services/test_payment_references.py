"""P09: payment references hold the processor's token, brand, last 4 digits and expiry only."""

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, connection, transaction

from accounts_app.models import PaymentReference
from accounts_app.services.data import payment_reference_create
from accounts_app.validators import contains_card_number

pytestmark = pytest.mark.django_db

CARD = "4111111111111111"
GOOD = {"processor": "stripe", "processor_token": "pm_1Nx2abcDEF", "brand": "Visa",
        "last4": "1111", "exp_month": 12, "exp_year": 2029}


def test_p09_a_reference_is_stored(alice):
    ref = payment_reference_create(user=alice, **GOOD)
    assert str(ref) == "Visa ****1111"


@pytest.mark.parametrize("value", [CARD, "4111 1111 1111 1111", "4111-1111-1111-1111",
                                   f"tok_{CARD}", "5500 0000 0000 0004", "4222222222222"])
def test_p09_card_number_detector(value):
    assert contains_card_number(value)


@pytest.mark.parametrize("value", ["pm_1Nx2abcDEF", "cus_123456789012", "1111", "2029-12"])
def test_p09_references_are_not_mistaken_for_card_numbers(value):
    assert not contains_card_number(value)


@pytest.mark.parametrize("field", ["processor", "processor_token", "brand", "last4",
                                   "exp_month", "exp_year"])
def test_p09_a_16_digit_card_number_cannot_be_stored_in_any_field(alice, field):
    value = int(CARD) if field.startswith("exp_") else CARD
    with pytest.raises(ValidationError) as info:
        payment_reference_create(user=alice, **{**GOOD, field: value})
    assert field in info.value.message_dict
    # Not even by code that skips validation: the model and the database refuse it too.
    with pytest.raises((ValidationError, IntegrityError, DataError)), transaction.atomic():
        PaymentReference.objects.create(user=alice, **{**GOOD, field: value})
    assert not PaymentReference.objects.exists()


@pytest.mark.parametrize("field", ["processor", "processor_token", "brand"])
def test_p09_the_database_refuses_a_card_number_even_on_bulk_insert(alice, field):
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentReference.objects.bulk_create([PaymentReference(user=alice, **{**GOOD, field: CARD})])


def test_p09_the_database_refuses_a_card_number_written_by_raw_update(alice):
    ref = payment_reference_create(user=alice, **GOOD)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentReference.objects.filter(pk=ref.pk).update(processor_token=CARD)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_app_paymentreference SET brand = %s WHERE id = %s",
                       [CARD, ref.pk])
