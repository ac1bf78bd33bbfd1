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
from ccucaas_privacy.admin import ReadOnlyAdmin


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
    list_display = ("user", "field", "old_value", "new_value", "channel", "changed_at")
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


@admin.register(UsageRecord)
class UsageRecordAdmin(PersonalDataAdmin):
    list_display = ("user", "feature", "occurred_at", "storage_used_bytes")
    list_select_related = ("user",)
    list_filter = ("feature",)


@admin.register(UsageDaily)
class UsageDailyAdmin(PersonalDataAdmin):
    list_display = ("user", "day", "feature", "count", "storage_used_bytes")
    list_select_related = ("user",)


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
