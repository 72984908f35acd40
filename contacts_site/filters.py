"""Filter pieces every app's FilterSet shares (the query parameters' rules, not any app's data)."""

import copy

import django_filters
import django_filters.fields
from django import forms
from django.http import QueryDict

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


class _SharedFields(dict):
    """A form class's fields, which its forms share instead of deep-copying them (see BuiltOnceFilterSet)."""

    def __deepcopy__(self, memo):
        return dict(self)


class BuiltOnceFilterSet(django_filters.FilterSet):
    """A FilterSet whose filters' form fields and form class are built once per process, not per request.

    Benchmark scenario `list`: django-filter deep-copies every filter, builds each one's form field and a
    form class from them, and the form deep-copies those fields again, on every request: 0.61 → 0.11 ms of
    the 25-contact page (docs/performance.md, "Request overhead", round 2). The fields hold rules
    (choices, lengths, messages) that cleaning a value never changes, so the form shares them; each request
    still gets its own form (data, errors, cleaned data) and its own shallow copy of each filter, pointing
    back at its own FilterSet. A subclass that changes a filter or a form field per request cannot use this.
    """

    _built = None  # per class: (model, the filters with their fields, the form class), made by _build()

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # django-filter's own __init__, without its copy.deepcopy(self.base_filters).
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {}
        for name, built in self._build(queryset.model)[1].items():
            filter_ = copy.copy(built)
            filter_.parent = self
            if filter_.method is not None:
                filter_.method = filter_.method  # its FilterMethod calls this copy's parent, not the built one's
            self.filters[name] = filter_

    @classmethod
    def _build(cls, model):
        built = cls.__dict__.get("_built")
        if built is None or built[0] is not model:
            filters = copy.deepcopy(cls.base_filters)
            for filter_ in filters.values():
                filter_.model = model
            fields = {name: filter_.field for name, filter_ in filters.items()}
            form_class = type(f"{cls.__name__}Form", (cls._meta.form,), fields)
            form_class.base_fields = _SharedFields(form_class.base_fields)
            built = cls._built = (model, filters, form_class)
        return built

    def get_form_class(self):
        return self._build(self.queryset.model)[2]
