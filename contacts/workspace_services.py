"""Writes of the staff workspace (docs/workspace.md): custom-field definitions, saved views, list
preferences. Keyword-only, atomic, validated by the model layer, raising domain errors."""

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import SubAccount
from contacts.definitions import MAX_DEFINITIONS, CustomFieldDefinition
from contacts.saved_views import MAX_VIEWS_PER_USER, ListPreference, SavedView, view_parameters
from contacts_site.errors import NotFound
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


def _next_position(queryset) -> int:
    return (queryset.order_by("-position").values_list("position", flat=True).first() or 0) + 1


@transaction.atomic
def saved_view_create(
    *, sub_account: SubAccount, owner_id: int | None, name: str, query: str = "", shared: bool = False
) -> SavedView:
    """Save the list's state (`query`, its query string: only the parameters a view keeps are kept) under a
    name, private to `owner_id` or shared with the sub-account (always shared when made by an API key)."""
    views = SavedView.objects.for_account(sub_account)
    if views.filter(owner_id=owner_id).count() >= MAX_VIEWS_PER_USER:
        raise ValidationError({"name": [f"At most {MAX_VIEWS_PER_USER} saved views each."]})
    view = SavedView(
        sub_account=sub_account,
        owner_id=owner_id,
        name=name,
        shared=shared or owner_id is None,
        query=urlencode(view_parameters(query)) if isinstance(query, str) else query,
        position=_next_position(views),
    )
    return _saved(_validated(view), force_insert=True)


@transaction.atomic
def saved_view_update(
    *, view: SavedView, name: str = UNSET, query: str = UNSET, shared: bool = UNSET, position: int = UNSET
) -> SavedView:
    """Rename, re-filter, share or unshare, or move a view; nothing written if nothing changes."""
    view = locked_row(SavedView.objects.for_account(view.sub_account_id), view.pk)
    changes = given(name=name, query=query, shared=shared, position=position)
    if isinstance(changes.get("query"), str):
        changes["query"] = urlencode(view_parameters(changes["query"]))
    changed = model_update(view, changes, clean=_validated)
    if changed:
        view.save(update_fields=[*changed, "updated_at"])
    return view


@transaction.atomic
def saved_view_move(*, view: SavedView, visible_to: int | None, offset: int) -> SavedView:
    """Move a view up (`offset=-1`) or down (`+1`) among the views `visible_to` that user, renumbering them."""
    views = list(
        SavedView.objects.for_account(view.sub_account_id).visible_to(visible_to).in_order().select_for_update()
    )
    index = next((i for i, one in enumerate(views) if one.pk == view.pk), None)
    if index is None:
        raise NotFound()
    target = min(max(index + offset, 0), len(views) - 1)
    views.insert(target, views.pop(index))
    for position, one in enumerate(views, start=1):
        if one.position != position:
            one.position = position
            one.save(update_fields=["position", "updated_at"])
    return views[target]


@transaction.atomic
def saved_view_delete(*, view: SavedView) -> None:
    SavedView.objects.for_account(view.sub_account_id).filter(pk=view.pk).delete()


@transaction.atomic
def list_preference_set(*, sub_account: SubAccount, user_id: int, columns: list[str] = UNSET, compact: bool = UNSET):
    """Remember a user's columns and density of the contact list in this sub-account."""
    preference, _ = ListPreference.objects.for_account(sub_account).get_or_create(
        sub_account=sub_account, user_id=user_id
    )
    changed = model_update(preference, given(columns=columns, compact=compact), clean=_validated)
    if changed:
        preference.save(update_fields=[*changed, "updated_at"])
    return preference
