from django import forms
from django.contrib.auth import get_user_model

from conversations.models import Conversation


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Reply",
        strip=False,  # the model decides what a blank body is, with the API's wording
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ConversationUpdateForm(forms.Form):
    status = forms.ChoiceField(choices=Conversation.Status.choices, label="Status")
    assignee = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(), required=False, label="Assignee", empty_label="Unassigned"
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this sub-account's staff can be chosen; anyone else is "not a valid choice".
        self.fields["assignee"].queryset = members
        self.fields["assignee"].label_from_instance = lambda user: user.get_full_name() or user.get_username()


class StartConversationForm(forms.Form):
    channel = forms.ChoiceField(choices=Conversation.Channel.choices, label="Channel")
    subject = forms.CharField(required=False, strip=False, label="Subject", max_length=255)
    body = forms.CharField(
        required=False, strip=False, label="First message (optional)", widget=forms.Textarea(attrs={"rows": 3})
    )
