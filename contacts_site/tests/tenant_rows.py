"""Snapshots of every row a sub-account owns, to prove that a request changed none of them."""

from django.apps import apps

from accounts.models import SubAccount


def rows_of(sub_account: SubAccount) -> dict[str, list[dict]]:
    """Every row of every model with a `sub_account` field, and the sub-account's own row."""
    rows = {"accounts.SubAccount": list(SubAccount.objects.filter(pk=sub_account.pk).values())}
    for model in apps.get_models():
        if "sub_account" in {field.name for field in model._meta.get_fields()}:
            rows[model._meta.label] = sorted(
                model.objects.filter(sub_account=sub_account).values(), key=lambda row: str(row.get("id", row))
            )
    return rows
