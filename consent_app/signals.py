"""Signals other apps listen to, so consent_app never imports them."""

from django.dispatch import Signal

# Sent inside the withdrawing transaction with `user`, `purpose` (the full code) and `event`.
# A receiver that fails rolls the withdrawal back: it must only do what the withdrawal implies.
consent_withdrawn = Signal()
