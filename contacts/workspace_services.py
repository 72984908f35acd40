"""Writes of the staff workspace (docs/workspace.md): custom-field definitions, saved views, list
preferences. Keyword-only, atomic, validated by the model layer, raising domain errors."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import SubAccount
from contacts.definitions import MAX_DEFINITIONS, CustomFieldDefinition
from contacts_site.updates import UNSET, given, locked_row, model_update


def _validated(instance):
    try:
        instance.full_clean(exclude=["sub_account"], validate_unique=False)
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None
    return instance


def _saved(instance, **kwargs):
    """Saved in a savepoint: a unique constraint lost to a concurrent writer is the constraint's message."""
    try:
        with transaction.atomic():
            instance.save(**kwargs)
    except IntegrityError:
        for constraint in instance._meta.constraints:
            fields = getattr(constraint, "fields", ())
            raise ValidationError({fields[-1]: [constraint.violation_error_message]}) from None
        raise
    return instance


@transaction.atomic
def custom_field_definition_create(
    *,
    sub_account: SubAccount,
    key: str,
    label: str,
    type: str,
    options: list[str] | None = None,
    show_as_column: bool = False,
    position: int | None = None,
) -> CustomFieldDefinition:
    """Define a custom-field key. Values already stored under it are not rewritten (docs/workspace.md)."""
    SubAccount.objects.select_for_update().filter(pk=sub_account.pk).first()  # serialise the count below
    existing = CustomFieldDefinition.objects.for_account(sub_account)
    if existing.count() >= MAX_DEFINITIONS:
        raise ValidationError({"key": [f"A sub-account defines at most {MAX_DEFINITIONS} custom fields."]})
    if position is None:
        position = (existing.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    definition = CustomFieldDefinition(
        sub_account=sub_account,
        key=key,
        label=label,
        type=type,
        options=options or [],
        show_as_column=show_as_column,
        position=position,
    )
    return _saved(_validated(definition), force_insert=True)


@transaction.atomic
def custom_field_definition_update(
    *,
    definition: CustomFieldDefinition,
    label: str = UNSET,
    type: str = UNSET,
    options: list[str] = UNSET,
    show_as_column: bool = UNSET,
    position: int = UNSET,
) -> CustomFieldDefinition:
    """Change the fields given (the key is fixed: it names the values). Stored values are not rewritten;
    one that no longer fits is shown flagged and refused when that key is next written."""
    definition = locked_row(CustomFieldDefinition.objects.for_account(definition.sub_account_id), definition.pk)
    changes = given(label=label, type=type, options=options, show_as_column=show_as_column, position=position)
    if "type" in changes and "options" not in changes and changes["type"] not in {"select", "multiselect"}:
        changes["options"] = []  # options belong to the select types only
    changed = model_update(definition, changes, clean=_validated)
    if changed:
        definition.save(update_fields=[*changed, "updated_at"])
    return definition


@transaction.atomic
def custom_field_definition_delete(*, definition: CustomFieldDefinition) -> None:
    """Forget the definition; the values stay, free-form again."""
    CustomFieldDefinition.objects.for_account(definition.sub_account_id).filter(pk=definition.pk).delete()
