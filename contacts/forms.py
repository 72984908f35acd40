"""Contact forms. They translate HTML form data; every rule and message comes from the model layer."""

import json
import math

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError

from contacts.models import Contact, CustomFieldDefinition
from contacts.services import custom_fields_patch
from contacts.validators import normalize_phone, normalize_tags, validate_custom_fields

PHONE_REGION_CHOICES = sorted(
    (
        (region, f"{region} +{phonenumbers.country_code_for_region(region)}")
        for region in phonenumbers.SUPPORTED_REGIONS
    ),
    key=lambda choice: choice[0],
)


class TagsWidget(forms.Widget):
    """Chips posted as repeated `tags` values, plus whatever is still typed in `tags_new` (comma-separated),
    so a tag typed but not yet turned into a chip is neither lost nor silently dropped."""

    def value_from_datadict(self, data, files, name):
        names = list(data.getlist(name)) if hasattr(data, "getlist") else list(data.get(name) or [])
        names += (data.get(f"{name}_new") or "").split(",")
        kept, seen = [], set()
        for tag in names:
            tag = tag.strip()
            if tag and tag.lower() not in seen:
                seen.add(tag.lower())
                kept.append(tag)
        return kept

    def value_omitted_from_data(self, data, files, name):
        return False


class TagsField(forms.Field):
    widget = TagsWidget

    def to_python(self, value):
        return list(value or [])

    def validate(self, value):
        normalize_tags(value)  # the API's rule and wording

    def clean(self, value):
        value = super().clean(value)
        return normalize_tags(value)


def display_value(value) -> str:
    """A custom field value as text in an input: JSON spelling for booleans and numbers."""
    if value is None:
        return ""
    if isinstance(value, (bool, int, float)):
        return json.dumps(value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _number(text: str):
    try:
        number = json.loads(text.strip())
    except ValueError:
        return None
    if isinstance(number, (int, float)) and not isinstance(number, bool) and math.isfinite(number):
        return number
    return None


def defined_value(text: str, field_type: str):
    """Text from an input as the JSON value a defined field's type takes, or the text itself when it
    does not read as one (the validator then says what is expected)."""
    if field_type == "number":
        number = _number(text)
        return text if number is None else number
    if field_type == "boolean":
        answer = text.strip().lower()
        return {"true": True, "yes": True, "false": False, "no": False}.get(answer, text)
    if field_type == "multiselect":
        return [item.strip() for item in text.split(",") if item.strip()]
    return text.strip() if field_type in {"date", "select"} else text


def typed_value(text: str, original, field_type: str | None = None):
    """Text from an input back to a JSON value, keeping the stored type where the text still fits it.

    A defined field takes its definition's type. Otherwise a number edited as a number stays a number,
    `true`/`false` over a boolean stays a boolean; anything else, and every new field, is a string (so a
    zip code like `01234` keeps its leading zero).
    """
    if original is not None and display_value(original) == text:
        return original
    if field_type:
        return defined_value(text, field_type)
    if isinstance(original, bool):
        if text.strip().lower() in {"true", "false"}:
            return text.strip().lower() == "true"
    elif isinstance(original, (int, float)):
        number = _number(text)
        if number is not None:
            return number
    return text


class KeyValueWidget(forms.Widget):
    """Rows of `cf_key` / `cf_value` inputs, posted in order; rows with neither are ignored."""

    def value_from_datadict(self, data, files, name):
        keys, values = data.getlist("cf_key"), data.getlist("cf_value")
        return [(key, values[index] if index < len(values) else "") for index, key in enumerate(keys)]

    def value_omitted_from_data(self, data, files, name):
        return False


class CustomFieldsField(forms.Field):
    """Key/value rows → the dict the model validates. Per-row problems are kept for the template."""

    widget = KeyValueWidget

    def __init__(self, *args, **kwargs):
        kwargs.pop("encoder", None)
        kwargs.pop("decoder", None)
        kwargs.pop("max_length", None)
        super().__init__(*args, **kwargs)
        self.original: dict = {}
        self.definitions: dict = {}  # the sub-account's CustomFieldDefinitions by key
        self.row_errors: dict[int, dict[str, str]] = {}

    def prepare_value(self, value):
        if isinstance(value, dict):
            return [(key, display_value(item)) for key, item in value.items()]
        return value or []

    def clean(self, rows):
        self.row_errors = {}
        result: dict = {}
        for index, (raw_key, text) in enumerate(rows or []):
            key = raw_key.strip()
            if not key and not text.strip():
                continue
            if not key:
                self.row_errors[index] = {"key": "Give this field a name."}
                continue
            if key in result:
                self.row_errors[index] = {"key": f"“{key}” is already used by another field above."}
                continue
            definition = self.definitions.get(key)
            original = self.original.get(key)
            value = typed_value(text, original, definition.type if definition else None)
            unchanged = key in self.original and value == original  # a flagged old value may stay as it is
            try:
                # The model's rule and wording, pinned to this row.
                validate_custom_fields({key: value}, self.definitions, checked_keys=set() if unchanged else None)
            except ValidationError as error:
                self.row_errors[index] = {
                    "value" if key and error.code == "invalid_value" else "key": error.messages[0]
                }
                continue
            result[key] = value
        if self.row_errors:
            raise ValidationError("Fix the custom fields marked below.", code="invalid_rows")
        return result


class ContactForm(forms.ModelForm):
    phone_region = forms.ChoiceField(
        label="Country", choices=PHONE_REGION_CHOICES, help_text="Used to read a number typed without +country code."
    )
    tags = TagsField(required=False, label="Tags")

    field_order = ["name", "email", "phone_region", "phone", "tags", "custom_fields"]

    class Meta:
        model = Contact
        fields = ["name", "email", "phone", "custom_fields"]
        field_classes = {"custom_fields": CustomFieldsField}
        labels = {"phone": "Phone", "custom_fields": "Custom fields"}
        help_texts = {"phone": "Any format; saved as E.164 (+14155552671)."}
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "off"}),
            "email": forms.TextInput(attrs={"type": "email", "autocomplete": "off", "spellcheck": "false"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }

    def __init__(self, *args, sub_account, **kwargs):
        super().__init__(*args, **kwargs)
        self.sub_account = sub_account
        if self.instance._state.adding:
            self.instance.sub_account = sub_account
        # Rules come from the model: the form fields only carry data to it.
        self.fields["email"].validators = []
        self.fields["name"].error_messages["required"] = Contact._meta.get_field("name").error_messages["blank"]
        self.fields["custom_fields"].original = dict(self.instance.custom_fields or {})
        self.fields["custom_fields"].definitions = CustomFieldDefinition.objects.for_account(sub_account).by_key()
        self.fields["custom_fields"].required = False
        self.fields["phone_region"].initial = (
            self._phone_region(self.instance.phone) or sub_account.default_phone_region
        )
        if not self.instance._state.adding:
            self.initial["tags"] = self.instance.tag_names
        self.conflicts = {}  # filled by contacts_site.forms.add_domain_error

    @staticmethod
    def _phone_region(phone: str | None) -> str | None:
        if not phone:
            return None
        try:
            return phonenumbers.region_code_for_number(phonenumbers.parse(phone))
        except phonenumbers.NumberParseException:
            return None

    def clean_phone(self):
        raw = (self.cleaned_data.get("phone") or "").strip()
        if not raw:
            return None
        region = self.cleaned_data.get("phone_region") or self.sub_account.default_phone_region
        return normalize_phone(raw, region)

    def clean_email(self):
        return self.cleaned_data.get("email") or None

    def clean(self):
        cleaned = super().clean()
        # Only the keys this form changes are checked against their definitions by the model (a value stored
        # before its field's definition changed may stay until it is edited), as through the service.
        wanted = cleaned.get("custom_fields") or {}
        self.instance.custom_fields_written = set(custom_fields_patch(self.fields["custom_fields"].original, wanted))
        return cleaned

    @property
    def email_conflict(self):
        """The EmailTaken the service raised, if it did: the page links to the contact holding the email."""
        return self.conflicts.get("email")

    @property
    def custom_field_rows(self) -> list[dict]:
        """What the rows show: as typed when the form comes back, else as stored; one empty row if none."""
        rows = self["custom_fields"].value()
        errors = self.fields["custom_fields"].row_errors
        result = [
            {"index": index, "key": key, "value": value, "errors": errors.get(index, {})}
            for index, (key, value) in enumerate(rows)
        ]
        return result or [{"index": 0, "key": "", "value": "", "errors": {}}]

    @property
    def tag_values(self) -> list[str]:
        value = self["tags"].value()
        return list(value or [])

    def changes(self) -> dict:
        """Keyword arguments for contacts.services: normalized values from the model instance."""
        data = {
            "name": self.instance.name,
            "email": self.instance.email,
            "phone": self.instance.phone,
            "tags": self.cleaned_data["tags"],
        }
        # The form edits the whole set; the services merge key by key.
        data["custom_fields"] = custom_fields_patch(
            self.fields["custom_fields"].original, self.cleaned_data["custom_fields"]
        )
        return data


BULK_ACTIONS = [("add_tag", "Add tag"), ("remove_tag", "Remove tag"), ("delete", "Delete")]
MAX_BULK_IDS = 1000


class BulkActionForm(forms.Form):
    action = forms.ChoiceField(choices=BULK_ACTIONS, label="Action")
    scope = forms.ChoiceField(choices=[("selected", "Selected"), ("all", "All matching")], initial="selected")
    ids = forms.MultipleChoiceField(required=False)
    bulk_tag = forms.CharField(required=False, label="Tag", max_length=200)
    confirmed = forms.BooleanField(required=False)
    expected = forms.IntegerField(required=False, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].valid_value = lambda value: isinstance(value, str) and 0 < len(value) <= 32

    def clean_ids(self):
        ids = self.cleaned_data["ids"]
        if len(ids) > MAX_BULK_IDS:
            raise ValidationError(f"Select at most {MAX_BULK_IDS} contacts, or use “all matching”.")
        return ids

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scope") == "selected" and not cleaned.get("ids"):
            raise ValidationError("Select at least one contact.")
        if cleaned.get("action") in {"add_tag", "remove_tag"}:
            try:
                cleaned["bulk_tag"] = normalize_tags([cleaned.get("bulk_tag") or ""])[0]
            except ValidationError as error:
                self.add_error("bulk_tag", error)
        return cleaned


class NoteForm(forms.Form):
    """A note's text; its rules (length, blank, characters) are the model's, shown by the service's error."""

    body = forms.CharField(label="Add a note", strip=False, widget=forms.Textarea(attrs={"rows": 3}))


class RevertForm(forms.Form):
    change_id = forms.CharField(max_length=32)
    field = forms.CharField(max_length=80)
    # The contact's ETag when the page was shown: a revert of a contact changed since is refused, not guessed.
    version = forms.CharField(required=False, max_length=100)
