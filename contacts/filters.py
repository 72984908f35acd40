"""The contact list's query: one FilterSet for the API and the staff pages."""

import django_filters
from django import forms
from django.db.models import F

SORT_FIELDS = {
    # sort name → (model field, default direction)
    "created": ("created_at", "desc"),
    "updated": ("updated_at", "desc"),
    "name": ("name", "asc"),
    # "Recently active customers"; contacts never in a conversation (null) come last either way.
    "last_conversation": ("last_conversation", "desc"),
}
NULLABLE_SORT_FIELDS = {"last_conversation"}


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
    sort = django_filters.ChoiceFilter(
        choices=[(name, name) for name in SORT_FIELDS], method="filter_noop", empty_label=None
    )
    direction = django_filters.ChoiceFilter(
        choices=[("asc", "asc"), ("desc", "desc")], method="filter_noop", empty_label=None
    )

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

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        sort = self.form.cleaned_data.get("sort") or "created"
        field, default_direction = SORT_FIELDS[sort]
        direction = self.form.cleaned_data.get("direction") or default_direction
        prefix = "-" if direction == "desc" else ""
        order = f"{prefix}{field}"
        if field in NULLABLE_SORT_FIELDS:
            order = F(field).desc(nulls_last=True) if direction == "desc" else F(field).asc(nulls_last=True)
        # Ties broken by id so that pages never repeat or skip a row.
        return queryset.order_by(order, f"{prefix}id")
