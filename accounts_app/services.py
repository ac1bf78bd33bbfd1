from django.db import transaction

from accounts_app.models import Language, User


@transaction.atomic
def user_create(
    *,
    username: str,
    email: str,
    password: str | None,
    language: str = Language.JA,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create an account after validating the case-insensitive uniqueness constraints."""
    user = User(
        username=username,
        email=User.objects.normalize_email(email),
        language=language,
        is_staff=is_staff or is_superuser,
        is_superuser=is_superuser,
    )
    user.set_password(password) if password else user.set_unusable_password()
    user.full_clean()
    user.save()
    return user
