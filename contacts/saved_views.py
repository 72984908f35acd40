"""Saved views and per-user list preferences (docs/workspace.md).

A saved view is the contact list's URL state with a name: its filters, search, sort and columns kept as
the query string the API's list reads (`search=…&tag=…&tag_match=…&custom_field…&sort=…&columns=…`).
Opening one is navigating to that list; `GET /api/v1/contacts?view=<id>` reads the same string.
Private views belong to their owner; shared ones to everyone in the sub-account (and to its API keys).
"""

from urllib.parse import parse_qsl

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from accounts.models import SubAccount, TenantModel, TenantQuerySet
from contacts_site.ids import prefixed_id
from contacts_site.validation import validate_single_line_text, validate_text

MAX_VIEW_NAME_LENGTH = 80
MAX_VIEW_QUERY_LENGTH = 4000
MAX_VIEWS_PER_USER = 100
# The parameters a view keeps: the list's filters, search, sort and columns (never a page or a cursor).
VIEW_PARAMETERS = ("search", "tag", "tag_match", "sort", "direction", "columns")
VIEW_PARAMETER_PREFIXES = ("custom_field",)


def new_view_id() -> str:
    return prefixed_id("sv")


def view_parameters(query: str) -> list[tuple[str, str]]:
    """The parameters of a view's query string that a view may hold, in order."""
    return [
        (name, value)
        for name, value in parse_qsl(query, keep_blank_values=False)
        if name in VIEW_PARAMETERS or name.startswith(VIEW_PARAMETER_PREFIXES)
    ]


def validate_view_query(value) -> None:
    validate_text(value)
    if len(value) > MAX_VIEW_QUERY_LENGTH:
        raise ValidationError(f"A view's query has at most {MAX_VIEW_QUERY_LENGTH} characters.", code="max_length")


class SavedViewQuerySet(TenantQuerySet):
    def visible_to(self, user_id: int | None):
        """Shared views, and the user's own private ones (a key, `user_id=None`, sees the shared ones)."""
        condition = Q(shared=True)
        if user_id is not None:
            condition |= Q(owner_id=user_id)
        return self.filter(condition)

    def in_order(self):
        return self.order_by("position", "name", "id")


class SavedView(TenantModel):
    id = models.CharField(primary_key=True, max_length=32, default=new_view_id, editable=False)
    sub_account = models.ForeignKey(SubAccount, on_delete=models.CASCADE, related_name="+", db_index=False)
    # Who made it (null: an API key, whose views are always shared).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(max_length=MAX_VIEW_NAME_LENGTH, validators=[validate_single_line_text])
    shared = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)
    query = models.TextField(blank=True, default="", validators=[validate_view_query])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SavedViewQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["sub_account", "position"], name="savedview_account_position")]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.owner_id is None and not self.shared:
            raise ValidationError({"shared": ["A view made by an API key is shared with the sub-account."]})

    @property
    def parameters(self) -> list[tuple[str, str]]:
        return view_parameters(self.query)


class ListPreference(TenantModel):
    """One user's settings of the contact list in one sub-account: its columns and density."""

    sub_account = models.ForeignKey(SubAccount, on_delete=models.CASCADE, related_name="+", db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    columns = models.JSONField(default=list, blank=True)
    compact = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sub_account", "user"], name="listpreference_unique_user"),
        ]
