"""The contact list's query: one FilterSet for the API and the staff pages."""

import django_filters
import django_filters.fields
from django import forms
from django.db.models import F

from contacts.validators import MAX_CUSTOM_FIELD_KEY_LENGTH

CUSTOM_FIELD_PREFIX = "custom_field."

SORT_FIELDS = {
    # sort name → (model field, default direction)
    "created": ("created_at", "desc"),
    "updated": ("updated_at", "desc"),
    "name": ("name", "asc"),
    # "Recently active customers"; contacts never in a conversation (null) come last either way.
    "last_conversation": ("last_conversation", "desc"),
}
NULLABLE_SORT_FIELDS = {"last_conversation"}


class PresentChoiceField(django_filters.fields.ChoiceField):
    """A choice that may be absent but not blank: `?sort=` is refused rather than read as the default."""

    def clean(self, value):
        if value == "":
            raise forms.ValidationError("Blank is not one of the available choices.", code="invalid_choice")
        return super().clean(value)


class PresentChoiceFilter(django_filters.ChoiceFilter):
    field_class = PresentChoiceField


class AnyTagField(forms.MultipleChoiceField):
    """Any tag name is a valid filter value: one the sub-account does not use simply matches nothing."""

    def valid_value(self, value):
        return isinstance(value, str) and 0 < len(value) <= 100


class TagFilter(django_filters.MultipleChoiceFilter):
    field_class = AnyTagField


class ContactFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", help_text="Substring of name or email, or a phone.")
    tag = TagFilter(
        method="filter_tags",
        help_text="Repeatable: contacts carrying every tag given.",
    )
    sort = PresentChoiceFilter(choices=[(name, name) for name in SORT_FIELDS], method="filter_noop", empty_label=None)
    direction = PresentChoiceFilter(choices=[("asc", "asc"), ("desc", "desc")], method="filter_noop", empty_label=None)

    def __init__(self, data=None, *args, sub_account, **kwargs):
        self.sub_account = sub_account
        super().__init__(data, *args, **kwargs)

    def filter_noop(self, queryset, name, value):
        return queryset  # applied together in filter_queryset, after the filters

    def filter_search(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.search(value, region=self.sub_account.default_phone_region)

    def filter_tags(self, queryset, name, value):
        return queryset.tagged(value) if value else queryset

    @property
    def custom_field_filters(self) -> dict[str, str]:
        """`?custom_field.<key>=<value>` pairs (keys are dynamic, so they live outside the form)."""
        return {
            name.removeprefix(CUSTOM_FIELD_PREFIX): value
            for name, value in self.data.items()
            if name.startswith(CUSTOM_FIELD_PREFIX)
        }

    @property
    def is_filtered(self) -> bool:
        """Whether the result may be narrower than the whole sub-account (sorting does not narrow)."""
        data = self.form.cleaned_data
        return bool((data.get("search") or "").strip() or data.get("tag") or self.custom_field_filters)

    def is_valid(self):
        valid = super().is_valid()
        for key, value in self.custom_field_filters.items():
            if not 0 < len(key) <= MAX_CUSTOM_FIELD_KEY_LENGTH or "\x00" in key + value:
                self.form.add_error(None, f"Invalid custom field filter “{CUSTOM_FIELD_PREFIX}{key[:70]}”.")
                valid = False
        return valid

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        for key, value in self.custom_field_filters.items():
            queryset = queryset.with_custom_field(key, value)
        sort = self.form.cleaned_data.get("sort") or "created"
        field, default_direction = SORT_FIELDS[sort]
        direction = self.form.cleaned_data.get("direction") or default_direction
        prefix = "-" if direction == "desc" else ""
        order = f"{prefix}{field}"
        if field in NULLABLE_SORT_FIELDS:
            order = F(field).desc(nulls_last=True) if direction == "desc" else F(field).asc(nulls_last=True)
        # Ties broken by id so that pages never repeat or skip a row.
        return queryset.order_by(order, f"{prefix}id")
