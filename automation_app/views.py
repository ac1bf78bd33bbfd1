"""The portal side of automation: the owner cancels a cooling-off deletion."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from automation_app.services.handling import automation_deletion_cancel
from ccucaas_privacy.errors import DomainError


@login_required
@require_POST
def deletion_cancel(request: HttpRequest, pk) -> HttpResponse:
    """POST only; another user's request is a 404 (the service looks it up for this user)."""
    try:
        automation_deletion_cancel(user=request.user, request_id=pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The deletion was cancelled and your request withdrawn."))
    return redirect("requests:detail", pk=pk)
