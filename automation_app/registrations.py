"""What automation_app plugs into the apps below it (called from `ready()`): its email kind, the
`request_received` hook of requests_app and its line on the compliance report."""

from django.urls import reverse
from django.utils.translation import gettext as _

from notifications_app.kinds import Category, register_kind
from requests_app import hooks as requests_hooks


def _report_line(*, now=None) -> dict:
    from automation_app.selectors import automation_figures, figures_line_value

    return {"label": _("Automatic handling (last 12 months)"),
            "value": figures_line_value(automation_figures(now=now)),
            "url": reverse("admin:automation_app_automationrun_changelist")}


def _request_received(*, request, now):
    from automation_app.services.handling import automation_consider

    return automation_consider(request=request, now=now)


def _request_detail_panel(*, http_request, request_obj) -> str:
    """The cooling-off deletion's panel on the owner's request page (empty when none waits)."""
    from django.template.loader import render_to_string

    from automation_app.selectors import cancellable_deletion

    run = cancellable_deletion(request=request_obj)
    if run is None:
        return ""
    return render_to_string("automation_app/_deletion_panel.html",
                            {"obj": request_obj, "run": run}, request=http_request)


def register_all() -> None:
    register_kind("automation_deletion_scheduled", category=Category.MANDATORY,
                  description="A deletion will run automatically after a cooling-off period "
                              "the user can cancel")
    requests_hooks.request_received.register(_request_received)
    requests_hooks.report_lines.register(_report_line)
    requests_hooks.request_detail_panels.register(_request_detail_panel)
    from automation_app.sources import sources_register

    sources_register()
