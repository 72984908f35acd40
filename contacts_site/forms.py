"""What every staff page's form shares: a service's refusal shown as form errors, in the API's words."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator

from contacts_site.errors import Conflict, DomainError
from contacts_site.validation import validate_single_line_text


class SingleLineTextField(forms.CharField):
    """A form's CharField with the service's single-line text rule in place of Django's own NUL check, so that
    one problem gets one message (the API's and the model's)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [
            validator for validator in self.validators if not isinstance(validator, ProhibitNullCharactersValidator)
        ] + [validate_single_line_text]


def add_domain_error(form: forms.BaseForm, error: DomainError | ValidationError) -> None:
    """Show `error` (raised by a service) on `form`: next to its field when it names one of the form's
    fields, else at the top. A conflict is also kept in `form.conflicts[field]`, for a link to the object
    it conflicts with."""
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return
    field = getattr(error, "field", None)
    if field not in form.fields:
        field = None
    if isinstance(error, Conflict) and field:
        form.conflicts = {**getattr(form, "conflicts", {}), field: error}
    form.add_error(field, ValidationError(error.message, code=type(error).__name__))
