from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import APIKey, SubAccount


@transaction.atomic
def api_key_create(
    *, sub_account: SubAccount, name: str = "API key", expires_at: datetime | None = None
) -> tuple[APIKey, str]:
    """Create a key (optionally expiring); returns it and its secret, which is shown once and never stored."""
    api_key = APIKey(sub_account=sub_account, name=name, expires_at=expires_at)
    raw_key = api_key.set_new_secret()
    api_key.save()
    return api_key, raw_key


def api_key_revoke(*, api_key: APIKey) -> None:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
