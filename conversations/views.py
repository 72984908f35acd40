"""The conversation page: the thread, a reply box, status and assignee. Writes go through conversations.services."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import TemplateView

from accounts.mixins import SubAccountMixin
from contacts_site.forms import add_domain_error
from conversations import services
from conversations.forms import ConversationUpdateForm, ReplyForm
from conversations.models import Conversation, Message

THREAD_LENGTH = 100


class ConversationMixin(SubAccountMixin):
    template_name = "conversations/detail.html"

    def get_conversation(self) -> Conversation:
        return get_object_or_404(
            Conversation.objects.for_account(self.sub_account).select_related("contact", "assignee"),
            pk=self.kwargs["pk"],
        )

    def members(self):
        return (
            get_user_model()
            .objects.filter(memberships__sub_account=self.sub_account, is_active=True)
            .order_by("username")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        conversation = kwargs.get("conversation") or self.get_conversation()
        # The latest messages, shown oldest first as a thread is read.
        latest = list(
            Message.objects.filter(sub_account=self.sub_account, conversation=conversation).order_by(
                "-created_at", "-id"
            )[:THREAD_LENGTH]
        )
        context.update(
            conversation=conversation,
            contact=conversation.contact,
            thread=latest[::-1],
            earlier_count=max(0, conversation.message_count - len(latest)),
        )
        context.setdefault("reply_form", ReplyForm())
        context.setdefault(
            "update_form",
            ConversationUpdateForm(
                initial={"status": conversation.status, "assignee": conversation.assignee_id}, members=self.members()
            ),
        )
        return context


class ConversationDetailView(ConversationMixin, TemplateView):
    pass


class ConversationReplyView(ConversationMixin, TemplateView):
    """Adds an outbound message from an agent."""

    http_method_names = ["post"]

    def post(self, request, pk):
        conversation = self.get_conversation()
        form = ReplyForm(request.POST)
        if form.is_valid():
            try:
                services.message_create(
                    conversation=conversation,
                    body=form.cleaned_data["body"],
                    direction=Message.Direction.OUTBOUND,
                    sender=Message.Sender.AGENT,
                )
            except ValidationError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, "Reply sent.")
                return redirect("conversations:detail", pk=conversation.pk)
        context = self.get_context_data(conversation=conversation, reply_form=form)
        return self.render_to_response(context, status=400)


class ConversationUpdateView(ConversationMixin, TemplateView):
    """Changes status and assignee."""

    http_method_names = ["post"]

    def post(self, request, pk):
        conversation = self.get_conversation()
        form = ConversationUpdateForm(request.POST, members=self.members())
        if form.is_valid():
            try:
                services.conversation_update(
                    conversation=conversation,
                    status=form.cleaned_data["status"],
                    assignee=form.cleaned_data["assignee"],
                )
            except ValidationError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, "Conversation updated.")
                return redirect("conversations:detail", pk=conversation.pk)
        context = self.get_context_data(conversation=conversation, update_form=form)
        return self.render_to_response(context, status=400)
