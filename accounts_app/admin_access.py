"""P18 in the admin: pages showing a user's personal data ask why and log the view."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from accounts_app.models import StaffAccessKind, User


class PersonalDataAccessMixin:
    """P18: each view of a user's personal data asks a reason (once per subject per hour) and
    is logged in the staff access log. A list filtered to one user (`?user__id__exact=N`)
    counts as that user's data; an unfiltered list as a view of the whole table."""

    subject_field = "user"

    def _gate(self, request, *, subject, object_ref: str):
        from accounts_app.staff_access import access_gate

        listing = f"{self.opts.app_label}.{self.opts.model_name}"
        label = "" if subject is not None else str(_("Every user: %(table)s") % {
            "table": self.opts.verbose_name_plural})
        return access_gate(request, what=StaffAccessKind.PERSONAL_DATA, subject=subject,
                           label=label, object_ref=object_ref or listing, listing=listing)

    def changelist_view(self, request, extra_context=None):
        subject = None
        user_id = request.GET.get(f"{self.subject_field}__id__exact", "")
        if user_id.isdigit():
            subject = User.objects.filter(pk=user_id).first()
        # Nobody is asked (or logged) for data their group may not see: that is a 403 (P18).
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        if request.method == "GET" and (refused := self._gate(request, subject=subject,
                                                               object_ref="")):
            return refused
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        if obj is not None and request.method == "GET":
            subject = obj if isinstance(obj, User) else getattr(obj, self.subject_field, None)
            ref = f"{self.opts.app_label}.{self.opts.model_name}:{obj.pk}"
            if (refused := self._gate(request, subject=subject, object_ref=ref)):
                return refused
        return super().change_view(request, object_id, form_url, extra_context)
