from django import forms

from accounts.models import APIKey


class APIKeyCreateForm(forms.ModelForm):
    class Meta:
        model = APIKey
        fields = ["name"]
        labels = {"name": "Key name"}
        help_texts = {"name": "Say where it is used, e.g. “Shop integration”."}


class SubAccountSwitchForm(forms.Form):
    sub_account = forms.IntegerField(widget=forms.HiddenInput)
