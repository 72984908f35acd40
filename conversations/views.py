"""The conversation pages: the inbox, a thread with its reply box, status and assignee, and starting a
conversation from a contact. Writes go through conversations.services."""

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Substr
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from accounts.mixins import SubAccountMixin
from contacts.models import Contact
from contacts_site.forms import add_domain_error
from conversations import services
from conversations.forms import ConversationUpdateForm, ReplyForm, StartConversationForm
from conversations.models import Conversation, Message

THREAD_LENGTH = 100


def agent_name(user) -> str:
    return user.get_full_name() or user.get_username()


class ConversationMixin(SubAccountMixin):
    template_name = "conversations/detail.html"
    model = Conversation

    def scope_queryset(self, queryset):
        return queryset.select_related("contact", "assignee")

    def members(self):
        return (
            get_user_model()
            .objects.filter(memberships__sub_account=self.sub_account, is_active=True)
            .order_by("username")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        conversation = kwargs.get("conversation") or self.get_object()
        # The latest messages, shown oldest first as a thread is read.
        latest = list(
            self.get_queryset(Message).filter(conversation=conversation).order_by("-created_at", "-id")[:THREAD_LENGTH]
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
        conversation = self.get_object()
        form = ReplyForm(request.POST)
        if form.is_valid():
            try:
                services.message_create(
                    conversation=conversation,
                    body=form.cleaned_data["body"],
                    direction=Message.Direction.OUTBOUND,
                    sender=Message.Sender.AGENT,
                    author_name=agent_name(request.user),
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
        conversation = self.get_object()
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


INBOX_PER_PAGE = 25
# Counting the matches of a filter over hundreds of thousands of conversations costs more than the page
# itself; above this many the inbox says "10,000+" and numbers its pages up to there.
INBOX_COUNT_LIMIT = 10_000
PREVIEW_LENGTH = 200
ASSIGNEE_FILTERS = {"": "Anyone", "mine": "Mine", "unassigned": "Unassigned"}


@dataclass(frozen=True)
class InboxState:
    """The inbox's filters and page, all in the URL (`?status=open&channel=email&assignee=mine&page=2`)."""

    status: str = ""
    channel: str = ""
    assignee: str = ""
    page: int = 1

    @classmethod
    def from_data(cls, data) -> "InboxState":
        """A bad value falls back to its default, never an error page."""
        status = data.get("status") if data.get("status") in Conversation.Status.values else ""
        channel = data.get("channel") if data.get("channel") in Conversation.Channel.values else ""
        assignee = data.get("assignee") if data.get("assignee") in ASSIGNEE_FILTERS else ""
        page = data.get("page") or ""
        page = int(page) if page.isdigit() and 0 < len(page) < 7 else 1
        return cls(status=status, channel=channel, assignee=assignee, page=max(page, 1))

    def params(self) -> list[tuple[str, str]]:
        names = ("status", "channel", "assignee")
        params = [(name, getattr(self, name)) for name in names if getattr(self, name)]
        return params + ([("page", str(self.page))] if self.page != 1 else [])

    def url(self, **changes) -> str:
        query = urlencode(replace(self, **changes).params())
        return reverse("conversations:inbox") + (f"?{query}" if query else "")


class BoundedPaginator(Paginator):
    """Counts at most INBOX_COUNT_LIMIT + 1 rows (see there), on `matching`: the filtered conversations
    without the page's joins and last-message subquery, which a count need not run."""

    def __init__(self, object_list, per_page, *, matching):
        super().__init__(object_list, per_page)
        self.matching = matching

    @cached_property
    def count(self) -> int:
        return self.matching.order_by()[: INBOX_COUNT_LIMIT + 1].count()


class InboxView(SubAccountMixin, TemplateView):
    """Conversations across contacts, newest activity first, filtered by status, channel and assignee.
    An htmx request aimed at `#inbox-results` (a filter change, the periodic refresh) gets just the results."""

    template_name = "conversations/inbox.html"
    partial_template_name = "conversations/_inbox_results.html"
    model = Conversation
    nav = "inbox"

    def get_template_names(self):
        headers = self.request.headers
        if headers.get("HX-Target") == "inbox-results" and not headers.get("HX-History-Restore-Request"):
            return [self.partial_template_name]
        return [self.template_name]

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        patch_vary_headers(response, ["HX-Request", "HX-Target"])
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        state = InboxState.from_data(self.request.GET)
        conversations = self.get_queryset()
        if state.status:
            conversations = conversations.with_status(state.status)
        if state.channel:
            conversations = conversations.on_channel(state.channel)
        if state.assignee == "mine":
            conversations = conversations.filter(assignee=self.request.user)
        elif state.assignee == "unassigned":
            conversations = conversations.filter(assignee__isnull=True)
        last_message = (
            self.get_queryset(Message)
            .filter(conversation=OuterRef("pk"))
            .order_by("-created_at", "-id")
            .values("body")[:1]
        )
        matching = conversations
        conversations = (
            conversations.by_recent_activity()
            .select_related("contact", "assignee")
            .only(
                "id",
                "subject",
                "channel",
                "status",
                "last_activity_at",
                "message_count",
                "contact__id",
                "contact__name",
                "assignee__username",
                "assignee__first_name",
                "assignee__last_name",
            )
            .annotate(last_body=Substr(Subquery(last_message), 1, PREVIEW_LENGTH))
        )
        page = BoundedPaginator(conversations, INBOX_PER_PAGE, matching=matching).get_page(state.page)
        rows = list(page.object_list)
        for conversation in rows:
            conversation.preview = (conversation.last_body or "").strip().split("\n", 1)[0]
        total = page.paginator.count
        context.update(
            state=state,
            page=page,
            conversations=rows,
            total_label=f"{INBOX_COUNT_LIMIT:,}+" if total > INBOX_COUNT_LIMIT else f"{total:,}",
            total=total,
            statuses=Conversation.Status.choices,
            channels=Conversation.Channel.choices,
            assignees=ASSIGNEE_FILTERS,
            previous_url=state.url(page=page.number - 1) if page.has_previous() else None,
            next_url=state.url(page=page.number + 1) if page.has_next() else None,
            inbox_url=state.url(),
        )
        return context


class ConversationStartView(SubAccountMixin, TemplateView):
    """Start a conversation with a contact from the contact page (its first message optional)."""

    http_method_names = ["post"]
    model = Contact

    def post(self, request, pk):
        contact = self.get_object()
        form = StartConversationForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect("contacts:detail", pk=contact.pk)
        data = form.cleaned_data
        first = None
        if data["body"].strip():
            first = {"body": data["body"], "direction": "outbound", "sender": "agent"}
        try:
            conversation = services.conversation_create(
                sub_account=self.sub_account,
                contact=contact,
                channel=data["channel"],
                subject=data["subject"],
                assignee=request.user,
                first_message=first,
                author_name=agent_name(request.user),
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("contacts:detail", pk=contact.pk)
        messages.success(request, "Conversation started.")
        return redirect("conversations:detail", pk=conversation.pk)
