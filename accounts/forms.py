from django import forms

from accounts.models import APIKey


class APIKeyCreateForm(forms.ModelForm):
    # Set when the form is shown; a second POST carrying the same token (a reload, a resent form) creates nothing.
    form_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    class Meta:
        model = APIKey
        fields = ["name"]
        labels = {"name": "Key name"}
        help_texts = {"name": "Say where it is used, e.g. “Shop integration”."}


class SubAccountSwitchForm(forms.Form):
    sub_account = forms.IntegerField(widget=forms.HiddenInput)
