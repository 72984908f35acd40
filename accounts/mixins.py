"""The tenant wall of the staff pages: which sub-account a request works in, checked against memberships.
Also the one-time form tokens that make a POST which creates something safe to repeat."""

import secrets

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render

from accounts.models import Membership, SubAccount

SESSION_KEY = "current_sub_account_id"
USED_FORM_TOKENS_SESSION_KEY = "used_form_tokens"
MAX_USED_FORM_TOKENS = 50


def user_memberships(user) -> list[Membership]:
    return list(
        Membership.objects.filter(user=user)
        .select_related("sub_account")
        .order_by("sub_account__name", "sub_account_id")
    )


def resolve_membership(request) -> tuple[Membership | None, list[Membership]]:
    """The membership the session points at, or the user's first one; never one the user does not hold.

    One query. The session only ever holds a choice; the membership rows decide, so a revoked
    membership or a tampered session falls back to what the user may still see.
    """
    memberships = user_memberships(request.user)
    wanted = request.session.get(SESSION_KEY)
    current = next((m for m in memberships if m.sub_account_id == wanted), None)
    if current is None and memberships:
        current = memberships[0]
    return current, memberships


def switch_sub_account(request, sub_account: SubAccount) -> None:
    request.session[SESSION_KEY] = sub_account.pk


def form_already_carried_out(request) -> bool:
    """Whether this POST repeats one already carried out: the same form (its `form_token`) sent again, by a
    reload of the page that answered it or a resubmission after Back. Such a POST must not create again."""
    token = request.POST.get("form_token", "")
    return bool(token) and token in request.session.get(USED_FORM_TOKENS_SESSION_KEY, [])


def remember_form_carried_out(request) -> None:
    token = request.POST.get("form_token", "")
    if token:
        used = request.session.get(USED_FORM_TOKENS_SESSION_KEY, [])
        request.session[USED_FORM_TOKENS_SESSION_KEY] = [*used, token][-MAX_USED_FORM_TOKENS:]


class SubAccountMixin(LoginRequiredMixin):
    """For every staff page: login required, `self.sub_account` resolved, admins-only pages refused to agents.

    Pages reach tenant data only through `get_queryset()` and `get_object()`: the page's `model` (or the
    one named) within `self.sub_account`, so another sub-account's object is simply not found: a 404,
    like a missing one. Like the API's TenantScopedViewSet, a subclass cannot override them (checked at
    class creation); it narrows its model's rows in `scope_queryset()`.
    """

    admin_only = False
    nav = "contacts"  # which header link is the current page
    model = None  # the tenant model this page shows, if any
    pk_url_kwarg = "pk"

    GUARDED = frozenset({"dispatch", "get_queryset", "get_object"})

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        overridden = sorted(cls.GUARDED & set(cls.__dict__))
        if overridden:
            raise TypeError(f"{cls.__name__} must not override {', '.join(overridden)}(); override scope_queryset().")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.membership, self.memberships = resolve_membership(request)
        if self.membership is None:
            return render(request, "accounts/no_sub_account.html", status=403)
        if self.admin_only and not self.membership.is_admin:
            raise PermissionDenied("Only admins of this sub-account can do this.")
        self.sub_account = self.membership.sub_account
        request.sub_account = self.sub_account
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self, model=None):
        """The current sub-account's rows of `model` (by default the page's, narrowed by scope_queryset())."""
        queryset = (model or self.model).objects.for_account(self.sub_account)
        return self.scope_queryset(queryset) if model in (None, self.model) else queryset

    def scope_queryset(self, queryset):
        return queryset

    def get_object(self, model=None, pk: str | None = None):
        """The object of `model` (by default the page's) whose id is `pk` (by default the URL's), within
        the current sub-account; Http404 otherwise, as for an id that exists nowhere."""
        # A URL holding a NUL (which PostgreSQL refuses outright) never gets here: RequestSizeLimitMiddleware
        # answers every path with a control character 404 before any view runs.
        pk = self.kwargs[self.pk_url_kwarg] if pk is None else pk
        return get_object_or_404(self.get_queryset(model), pk=pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            sub_account=self.sub_account, membership=self.membership, memberships=self.memberships, nav=self.nav
        )
        # For forms whose POST creates something: sent back as `form_token`, see form_already_carried_out.
        context.setdefault("form_token", secrets.token_urlsafe(24))
        return context
