"""The contact page's "Start a conversation" form, rendered by the conversations app (contacts sits below
it and does not know its channels)."""

from django import template

from conversations.forms import StartConversationForm

register = template.Library()


@register.inclusion_tag("conversations/_start.html")
def start_conversation_form(contact) -> dict:
    # Its own ids: the contact page has another form with a `body` field (the timeline's note box).
    return {"contact": contact, "form": StartConversationForm(auto_id="start_%s")}
