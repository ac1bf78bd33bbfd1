from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts_app.admin_access import PersonalDataAccessMixin
from accounts_app.models import (
    AccountClosure,
    Contact,
    ContentFile,
    ForumPost,
    PaymentReference,
    PersistentLogin,
    ProfileChange,
    StaffAccess,
    UsageDaily,
    UsageRecord,
    User,
    VisitorLog,
)
from accounts_app.models.data import feature_label
from ccucaas_privacy.admin import ReadOnlyAdmin, labelled_filter


@admin.register(User)
class UserAdmin(PersonalDataAccessMixin, DjangoUserAdmin):
    list_display = ("username", "email", "language", "is_active", "is_staff", "created_at")
    list_filter = ("is_active", "is_staff", "language")
    search_fields = ("username", "email")
    readonly_fields = ("created_at", "updated_at", "last_login", "date_joined", "email_confirmed_at")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Preferences"), {"fields": ("language", "email_confirmed_at", "created_at", "updated_at")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "email", "language", "password1", "password2")}),
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and not obj.is_active and "is_active" in form.changed_data:
            # Issue 17: deactivation ends every API token, session and persistent login.
            from accounts_app.services.auth import credentials_end_all

            credentials_end_all(user=obj, reason="deactivated")


class PersonalDataAdmin(PersonalDataAccessMixin, ReadOnlyAdmin):
    """Personal data is changed by its owner or through requests, not edited in the admin;
    each view asks the P18 reason and is logged."""


@admin.register(ProfileChange)
class ProfileChangeAdmin(PersonalDataAdmin):
    list_display = ("user", "field_label", "old_value", "new_value", "channel", "changed_at")
    exclude = ("field",)
    readonly_fields = ("field_label",)

    @admin.display(description=_("field"), ordering="field")
    def field_label(self, obj) -> str:
        try:  # the account field's own label (e.g. "first name"), never its code
            return str(User._meta.get_field(obj.field).verbose_name)
        except Exception:  # a field since removed: still readable
            return obj.field.replace("_", " ")
    list_select_related = ("user",)
    search_fields = ("user__username",)


@admin.register(AccountClosure)
class AccountClosureAdmin(ProfileChangeAdmin):
    list_display = ("user", "reason", "channel", "closed_at")


@admin.register(PersistentLogin)
class PersistentLoginAdmin(PersonalDataAdmin):
    list_display = ("user", "email", "browser", "os", "last_used_at", "expires_at", "revoked_at")
    list_select_related = ("user",)
    search_fields = ("user__username", "email")
    exclude = ("session_key_hash",)


@admin.register(Contact)
class ContactAdmin(PersonalDataAdmin):
    list_display = ("name", "user", "created_at")
    list_select_related = ("user",)
    search_fields = ("user__username",)


@admin.register(ContentFile)
class ContentFileAdmin(PersonalDataAdmin):
    list_display = ("name", "user", "size_bytes", "storage_region", "created_at")
    list_select_related = ("user",)
    list_filter = ("storage_region",)
    # Private files have no URL (only their owner downloads them): the stored name is shown.
    exclude = ("file",)
    readonly_fields = ("stored_as",)

    @admin.display(description=_("file"))
    def stored_as(self, obj) -> str:
        return obj.file.name or "—"


class FeatureLabel:
    @admin.display(description=_("feature"), ordering="feature")
    def feature_label(self, obj) -> str:
        return feature_label(obj.feature)


@admin.register(UsageRecord)
class UsageRecordAdmin(FeatureLabel, PersonalDataAdmin):
    list_display = ("user", "feature_label", "occurred_at", "storage_used_bytes")
    list_select_related = ("user",)
    list_filter = (labelled_filter("feature", _("feature"), feature_label),)
    exclude = ("feature",)
    readonly_fields = ("feature_label",)


@admin.register(UsageDaily)
class UsageDailyAdmin(FeatureLabel, PersonalDataAdmin):
    list_display = ("user", "day", "feature_label", "count", "storage_used_bytes")
    list_select_related = ("user",)
    exclude = ("feature",)
    readonly_fields = ("feature_label",)


@admin.register(VisitorLog)
class VisitorLogAdmin(PersonalDataAdmin):
    list_display = ("occurred_at", "user", "ip", "method", "path", "status_code", "browser", "os")
    list_select_related = ("user",)
    list_filter = ("status_code",)


@admin.register(PaymentReference)
class PaymentReferenceAdmin(PersonalDataAdmin):
    list_display = ("user", "processor", "brand", "last4", "exp_month", "exp_year")
    list_select_related = ("user",)


@admin.register(ForumPost)
class ForumPostAdmin(PersonalDataAdmin):
    list_display = ("title", "user", "published", "created_at")
    list_select_related = ("user",)
    list_filter = ("published",)


@admin.register(StaffAccess)
class StaffAccessAdmin(ReadOnlyAdmin):
    """P18 evidence: read-only for privacy officers; nobody adds, changes or deletes rows."""

    list_display = ("created_at", "staff", "subject_label", "what", "object_ref", "reason")
    list_filter = ("what", "created_at", ("staff", admin.RelatedOnlyFieldListFilter))
    search_fields = ("subject_label", "staff__username", "reason", "object_ref")
    list_select_related = ("staff",)
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "staff", "subject", "subject_label", "what", "object_ref",
                       "path", "reason")


# --- Third-party admin pages (issue 19 item 7) ----------------------------------------------
# django-axes' "Access attempts" and django-otp's "Static devices"/"TOTP devices" speak the
# libraries' language; only superusers (who maintain the installation) see them in the admin.
def _superusers_only(model) -> None:
    if not admin.site.is_registered(model):
        return
    original = type(admin.site.get_model_admin(model))

    class SuperuserOnlyAdmin(original):
        def has_module_permission(self, request) -> bool:
            return request.user.is_active and request.user.is_superuser

        def has_view_permission(self, request, obj=None) -> bool:
            return (request.user.is_active and request.user.is_superuser
                    and super().has_view_permission(request, obj))

    admin.site.unregister(model)
    admin.site.register(model, SuperuserOnlyAdmin)


def _third_party_admins() -> None:
    import importlib

    from django.apps import apps

    for module in ("axes.admin", "django_otp.plugins.otp_static.admin",
                   "django_otp.plugins.otp_totp.admin"):
        importlib.import_module(module)  # registered before they are re-registered here
    for label, name in (("axes", "AccessAttempt"), ("axes", "AccessLog"),
                        ("axes", "AccessFailureLog"), ("otp_static", "StaticDevice"),
                        ("otp_totp", "TOTPDevice")):
        try:
            _superusers_only(apps.get_model(label, name))
        except LookupError:
            continue


_third_party_admins()
