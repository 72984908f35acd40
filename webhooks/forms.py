"""The endpoint form. It translates HTML form data; the rules and messages are the model's."""

from django import forms

from webhooks.events import ALL_EVENTS, EVENT_TYPES
from webhooks.models import Endpoint

EVENT_CHOICES = [(ALL_EVENTS, "All events, including ones added later"), *((t, t) for t in EVENT_TYPES)]


class EndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        choices=EVENT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        label="Events to send",
        error_messages={"required": "Pick at least one event type."},
    )

    class Meta:
        model = Endpoint
        fields = ["url", "description", "events", "enabled"]
        labels = {"url": "Endpoint URL", "enabled": "Send events to this endpoint"}
        help_texts = {
            "url": "Where we POST each event, e.g. https://example.com/webhooks/contacts.",
            "description": "Optional: what this endpoint is for, e.g. “CRM sync”.",
        }
        widgets = {"url": forms.URLInput(attrs={"spellcheck": "false", "autocomplete": "off"})}

    def changes(self) -> dict:
        """The cleaned fields, as keyword arguments for webhooks.services."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
