"""The personal data accounts_app holds, as data sources of the fulfilment registry
(ccucaas_privacy.datasources; DESIGN section 6; RULES.md P01, P04, P06, P07, P09, P10, P11, P21).

Erasing the profile pseudonymises the account row instead of deleting it: the consent ledger
(kept as evidence) still points at it. The fulfilment engine erases the profile last, after every
other source that finds rows by the user's email address.
"""

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts_app.models import (
    AccountClosure,
    AccountSession,
    PersistentLogin,
    ProfileChange,
    UsageDaily,
    UsageRecord,
    User,
    VisitorLog,
)
from ccucaas_privacy import clock
from ccucaas_privacy.datasources import (
    KEPT_WHILE_ACCOUNT_OPEN,
    DataSource,
    ErasureResult,
    EvidenceRowsSource,
    Retention,
    UserRowsSource,
    iso,
    register,
    stream,
)
from ccucaas_privacy.evidence import evidence_erase

# Staff two-factor devices (django-otp) hold a user foreign key too.
OTP_DEVICE_MODELS = ("otp_totp.TOTPDevice", "otp_static.StaticDevice")


def _otp_devices(user):
    for label in OTP_DEVICE_MODELS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        yield from model.objects.filter(user=user)


PROFILE_FIELDS = ("username", "email", "first_name", "last_name", "language")


def _delete(queryset) -> int:
    deleted, _rows = queryset.delete()
    return deleted


def erased_username(user) -> str:
    return f"erased-{user.pk}"


class ProfileSource(DataSource):
    category = "profile"
    rule = "P01"
    retention = KEPT_WHILE_ACCOUNT_OPEN
    title = _("Profile")
    description = _("Your username, email address, name and preferred language, used to access "
                    "the account and to send you notices.")
    models = ("accounts_app.User",)
    columns = ("username", "email", "first_name", "last_name", "language", "date_joined",
               "last_login", "email_confirmed_at", "api_password_confirmed_at", "is_active")
    correctable = PROFILE_FIELDS

    def export(self, user):
        yield from stream(User.objects.filter(pk=user.pk), self.columns)

    def correct(self, user, changes):
        from accounts_app.services.accounts import profile_update

        mine = {k: v for k, v in changes.items() if k in self.correctable}
        return len(profile_update(user=user, changes=mine, channel="request")) if mine else 0

    def erase(self, user):
        user = User.objects.get(pk=user.pk)
        user.username = erased_username(user)
        user.email = f"{erased_username(user)}@erased.invalid"
        user.first_name = user.last_name = ""
        user.is_active = False
        user.api_password_confirmed_at = None
        user.set_unusable_password()
        user.save()
        # The staff log names the account by its username in `object_repr`.
        LogEntry.objects.filter(content_type__app_label="accounts_app", content_type__model="user",
                                object_id=str(user.pk)).update(object_repr=erased_username(user))
        return ErasureResult(anonymised=1, details={"note": "account row pseudonymised"})


class ProfileChangeSource(DataSource):
    category = "profile_changes"
    rule = "P21"
    retention = KEPT_WHILE_ACCOUNT_OPEN
    title = _("Profile change history")
    description = _("Every correction of your profile, with the old and the new value, and the "
                    "closure of the account.")
    models = ("accounts_app.ProfileChange", "accounts_app.AccountClosure")
    columns = ("kind", "field", "old_value", "new_value", "channel", "time")

    def export(self, user):
        for row in stream(ProfileChange.objects.filter(user=user).order_by("changed_at", "id"),
                          ("field", "old_value", "new_value", "channel", "changed_at")):
            time = row.pop("changed_at")
            yield {"kind": "profile_change", **row, "time": time}
        for row in stream(AccountClosure.objects.filter(user=user), ("reason", "channel", "closed_at")):
            yield {"kind": "account_closure", "field": "", "old_value": "", "new_value": row["reason"],
                   "channel": row["channel"], "time": row["closed_at"]}

    def erase(self, user):
        # Append-only for everyone else; erasure is the one sanctioned delete (P21).
        reason = f"P21 erasure of the user's {self.category}"
        erased = (evidence_erase(ProfileChange.objects.filter(user=user), reason=reason)
                  + evidence_erase(AccountClosure.objects.filter(user=user), reason=reason))
        return ErasureResult(erased=erased)


class ContactSource(UserRowsSource):
    category = "contacts"
    rule = "P04"
    retention = KEPT_WHILE_ACCOUNT_OPEN
    title = _("Contacts")
    description = _("The third parties you stored in your address book: name, email, postal "
                    "address and phone. Used only as you direct.")
    models = ("accounts_app.Contact",)
    columns = ("name", "email", "postal_address", "phone", "created_at", "updated_at")
    bulk = True


class ContentFileSource(UserRowsSource):
    category = "account_content"
    rule = "P07"
    retention = KEPT_WHILE_ACCOUNT_OPEN
    title = _("Account content (files)")
    description = _("The files and documents you stored, where they are stored and whether "
                    "that is outside Japan (the files themselves stay downloadable in your "
                    "account until deleted).")
    models = ("accounts_app.ContentFile",)
    columns = ("name", "size_bytes", "content_type", "storage_region", "created_at")

    def erase(self, user):
        erased = 0
        for content in self.user_rows(user):
            if content.file:
                content.file.delete(save=False)
            content.delete()
            erased += 1
        return ErasureResult(erased=erased)


class UsageRecordSource(UserRowsSource):
    category = "usage_records"
    rule = "P06"
    retention = Retention(text=_("Erased %(period)s after the use."), setting="usage_records")
    title = _("Usage records")
    description = _("When and how often you used which feature, and the storage used.")
    models = ("accounts_app.UsageRecord",)
    columns = ("feature", "occurred_at", "storage_used_bytes")
    ordering = ("occurred_at", "id")
    bulk = True

    def retention_querysets(self, *, cutoff):
        return [UsageRecord.objects.filter(occurred_at__lt=cutoff)]


class UsageDailySource(UserRowsSource):
    category = "usage_daily"
    rule = "P06"
    retention = Retention(text=_("Erased %(period)s after the day."), setting="usage_daily")
    title = _("Daily usage")
    description = _("Your use of each feature per day (Japan time).")
    models = ("accounts_app.UsageDaily",)
    columns = ("day", "feature", "count", "storage_used_bytes")
    ordering = ("day", "feature")

    def retention_querysets(self, *, cutoff):
        return [UsageDaily.objects.filter(day__lt=clock.jst_date(cutoff))]


class VisitorLogSource(UserRowsSource):
    category = "visitor_logs"
    rule = "P10"
    retention = Retention(text=_("Erased %(period)s after the visit."), setting="VISITOR_LOG_RETENTION_DAYS")
    title = _("Visitor logs")
    description = _("Requests your browser made to the site: IP address, browser, operating "
                    "system, browser language, referrer, page, status and time zone.")
    models = ("accounts_app.VisitorLog",)
    columns = ("occurred_at", "ip", "browser", "os", "language", "referrer", "method", "path",
               "status_code", "time_zone", "user_agent")
    ordering = ("occurred_at", "id")
    bulk = True

    def retention_querysets(self, *, cutoff):
        return [VisitorLog.objects.filter(occurred_at__lt=cutoff)]


class SessionSource(DataSource):
    category = "sessions"
    rule = "P11"
    retention = Retention(text=_("Erased %(period)s after the session, login or token ended "
                                 "(expired, signed out or revoked)."), setting="sessions")
    title = _("Persistent logins and sessions")
    description = _("Your 「サインイン状態の維持」 logins (linked to your email address), open "
                    "sessions, API tokens, email address changes and (staff) two-factor devices.")
    models = ("accounts_app.PersistentLogin", "accounts_app.AccountSession", "accounts_app.ApiToken",
              "accounts_app.EmailChange", *OTP_DEVICE_MODELS)
    columns = ("kind", "email", "browser", "os", "device", "ip", "created_at", "last_used_at",
               "expires_at", "revoked_at")
    correctable = ("email",)

    def export(self, user):
        from accounts_app.models import ApiToken, EmailChange

        for row in stream(PersistentLogin.objects.filter(user=user).order_by("id"), self.columns[1:]):
            yield {"kind": "persistent_login", **row}
        for expires in AccountSession.objects.filter(user=user).values_list("expire_date", flat=True):
            yield {"kind": "session", "expires_at": iso(expires)}
        for created, expiry in ApiToken.objects.filter(user=user).values_list("created", "expiry"):
            yield {"kind": "api_token", "created_at": iso(created), "expires_at": iso(expiry)}
        for change in EmailChange.objects.filter(user=user).order_by("id"):
            yield {"kind": "email_change", "email": change.new_email,
                   "created_at": iso(change.requested_at), "revoked_at": iso(change.undone_at)}
        for device in _otp_devices(user):
            yield {"kind": "two_factor_device", "device": device.name,
                   "created_at": iso(getattr(device, "created_at", None))}

    def correct(self, user, changes):
        if "email" not in changes:
            return 0
        return PersistentLogin.objects.filter(user=user).update(email=changes["email"])

    def erase(self, user):
        from accounts_app.models import ApiToken, EmailChange

        erased = _delete(AccountSession.objects.filter(user=user))
        erased += _delete(ApiToken.objects.filter(user=user))
        erased += _delete(EmailChange.objects.filter(user=user))
        erased += _delete(PersistentLogin.objects.filter(user=user))
        for device in _otp_devices(user):
            device.delete()
            erased += 1
        return ErasureResult(erased=erased)

    def retention_querysets(self, *, cutoff):
        from accounts_app.models import ApiToken

        return [AccountSession.objects.filter(expire_date__lt=cutoff),
                PersistentLogin.objects.filter(Q(expires_at__lt=cutoff) | Q(revoked_at__lt=cutoff)),
                ApiToken.objects.filter(expiry__lt=cutoff)]


class PaymentReferenceSource(UserRowsSource):
    category = "payment_references"
    rule = "P09"
    retention = KEPT_WHILE_ACCOUNT_OPEN
    title = _("Payment references")
    description = _("The payment processor's reference to your card (brand, last 4 digits, "
                    "expiry), used only for payment processing. We never store the card number.")
    models = ("accounts_app.PaymentReference",)
    columns = ("processor", "processor_token", "brand", "last4", "exp_month", "exp_year",
               "created_at")


class ForumPostSource(UserRowsSource):
    category = "forum_posts"
    rule = "P21"
    retention = KEPT_WHILE_ACCOUNT_OPEN
    title = _("Forum posts")
    description = _("The posts you wrote in the forum, published or not.")
    models = ("accounts_app.ForumPost",)
    columns = ("title", "body", "published", "created_at", "updated_at")


class StaffAccessSource(EvidenceRowsSource):
    category = "staff_access"
    rule = "P18"
    title = _("Staff access to your data")
    description = _("Each time a member of staff looked at your personal data: when, what and "
                    "why.")
    models = ("accounts_app.StaffAccess",)
    columns = ("created_at", "what", "object_ref", "reason")
    user_field = "subject"
    ordering = ("created_at", "id")
    retained_reason = "audit log of staff access kept as evidence (P18)"


SOURCES = (ProfileSource, ProfileChangeSource, ContactSource, ContentFileSource,
           UsageRecordSource, UsageDailySource, VisitorLogSource, SessionSource,
           PaymentReferenceSource, ForumPostSource, StaffAccessSource)


def sources_register() -> None:
    for source in SOURCES:
        register(source)

