"""Filter pieces every app's FilterSet shares (the query parameters' rules, not any app's data)."""

import django_filters
import django_filters.fields
from django import forms

from contacts_site.forms import SingleLineTextField


class PresentChoiceField(django_filters.fields.ChoiceField):
    """A choice that may be absent but not blank: `?sort=` is refused rather than read as the default."""

    def clean(self, value):
        if value == "":
            raise forms.ValidationError("Blank is not one of the available choices.", code="invalid_choice")
        return super().clean(value)


class PresentChoiceFilter(django_filters.ChoiceFilter):
    field_class = PresentChoiceField


class TextFilter(django_filters.CharFilter):
    """A text parameter held to the single-line text rule, with its one message."""

    field_class = SingleLineTextField
