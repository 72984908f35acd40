"""The import page's forms: they translate to the options of imports.services, which decides."""

from django import forms

from imports.services import BLANK, MATCH_BY, TAGS_MODE

TARGET_LABELS = [
    ("skip", "Skip"),
    ("name", "Name"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("tags", "Tags (comma-separated)"),
    ("id", "Contact id"),
]
MATCH_LABELS = {
    "email": "By email",
    "phone": "By phone",
    "id": "By contact id",
    "none": "Never: always create",
}
BLANK_LABELS = {"keep": "Leaves the field as it is", "clear": "Clears the field"}
TAGS_LABELS = {"add": "Are added to the contact's tags", "replace": "Replace the contact's tags"}


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8, UTF-16 or Windows-1252; comma, semicolon, tab or | between columns; a header row.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,text/csv"}),
    )


class ImportOptionsForm(forms.Form):
    match_by = forms.ChoiceField(
        label="Match existing contacts", choices=[(value, MATCH_LABELS[value]) for value in MATCH_BY]
    )
    blank = forms.ChoiceField(label="A blank cell", choices=[(value, BLANK_LABELS[value]) for value in BLANK])
    tags_mode = forms.ChoiceField(
        label="Tags in the file", choices=[(value, TAGS_LABELS[value]) for value in TAGS_MODE]
    )
    default_region = forms.CharField(
        label="Phone region", max_length=2, help_text="For numbers written without a country code (US, GB, DE…)."
    )
    add_tags = forms.CharField(
        label="Tags for every imported contact",
        required=False,
        help_text="Comma-separated, e.g. import-2026-12.",
    )

    def __init__(self, *args, header: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.header = header
        for index, column in enumerate(header):
            key = f"custom_fields.{column.strip()[:64]}"
            choices = (
                [*TARGET_LABELS, (key, f"Custom field “{column.strip()[:64]}”")] if column.strip() else TARGET_LABELS
            )
            self.fields[f"column_{index}"] = forms.ChoiceField(label=column or f"Column {index + 1}", choices=choices)

    @property
    def column_fields(self):
        return [self[f"column_{index}"] for index in range(len(self.header))]

    @property
    def option_fields(self):
        return [self[name] for name in ("match_by", "blank", "tags_mode", "default_region", "add_tags")]

    @staticmethod
    def initial_for(options: dict) -> dict:
        initial = {name: options[name] for name in ("match_by", "blank", "tags_mode", "default_region")}
        initial["add_tags"] = ", ".join(options["add_tags"])
        initial.update({f"column_{index}": target for index, target in enumerate(options["mapping"])})
        return initial

    def options(self) -> dict:
        data = self.cleaned_data
        return {
            "mapping": [data[f"column_{index}"] for index in range(len(self.header))],
            "match_by": data["match_by"],
            "blank": data["blank"],
            "tags_mode": data["tags_mode"],
            "default_region": data["default_region"].strip().upper(),
            "add_tags": [tag.strip() for tag in data["add_tags"].split(",") if tag.strip()],
        }
