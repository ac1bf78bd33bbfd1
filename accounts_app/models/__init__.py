"""The models of accounts_app, one module per concern; imported here so that Django finds them
and `from accounts_app.models import X` works for every model and choice.

- `users`: the user, profile changes, closures, sessions, persistent logins.
- `data`: the personal data a user keeps with us, one model per category.
- `staff`: the staff access log.
- `auth`: API tokens and pending email changes.
"""

from accounts_app.models.auth import ApiToken, EmailChange
from accounts_app.models.data import (
    ACCOUNT_FILES_STORAGE,
    REGIONS_IN_JAPAN,
    Contact,
    ContentFile,
    ForumPost,
    PaymentReference,
    StorageRegion,
    UsageDaily,
    UsageRecord,
    VisitorLog,
    content_storage,
)
from accounts_app.models.staff import StaffAccess, StaffAccessKind
from accounts_app.models.users import (
    AccountClosure,
    AccountSession,
    CaseInsensitiveUserManager,
    Language,
    PersistentLogin,
    ProfileChange,
    User,
)

__all__ = [
    "ACCOUNT_FILES_STORAGE",
    "REGIONS_IN_JAPAN",
    "AccountClosure",
    "AccountSession",
    "ApiToken",
    "CaseInsensitiveUserManager",
    "Contact",
    "ContentFile",
    "EmailChange",
    "ForumPost",
    "Language",
    "PaymentReference",
    "PersistentLogin",
    "ProfileChange",
    "StaffAccess",
    "StaffAccessKind",
    "StorageRegion",
    "UsageDaily",
    "UsageRecord",
    "User",
    "VisitorLog",
    "content_storage",
]
