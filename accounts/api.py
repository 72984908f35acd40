"""The tenant wall of the API: every viewset over tenant data inherits from TenantScopedViewSet."""

import functools

from rest_framework import viewsets

from accounts.idempotency import run_idempotently
from accounts.models import SubAccount
from contacts_site.actions import act, action_scope, api_key_label


@functools.lru_cache(maxsize=1024)
def _scope_built_once(viewset_class, sub_account_id: int):
    """The scoped queryset of a viewset with `scope_built_once`, for one sub-account. Never read itself: each
    request reads a copy, as DRF copies a viewset's class-level `queryset` with `.all()`. ~18 KiB each (the
    contacts' with its tag-name subquery, tracemalloc), so at most ~18 MB a worker for 1,024 sub-accounts."""
    return viewset_class().scope_queryset(viewset_class.model.objects.for_account(sub_account_id))


class TenantScopedViewSet(viewsets.GenericViewSet):
    """Scopes every object a viewset can touch to the calling key's sub-account.

    Subclasses name a `model` whose manager has `for_account()`, and may narrow the result in
    `scope_queryset()`; they cannot override `get_queryset()` (checked at class creation), so no
    endpoint can forget the wall. Another sub-account's objects are then simply "not found".
    """

    model = None
    # True where scope_queryset() depends on nothing but the queryset it is given (not the request, its user or
    # its parameters): the scoped queryset is then built once per process and sub-account, and each request
    # reads a copy of it (see get_queryset).
    scope_built_once = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(f"{cls.__name__} must not override get_queryset(); override scope_queryset().")

    @property
    def sub_account(self) -> SubAccount:
        return self.request.auth.sub_account

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no caller
            return self.model.objects.none()
        if self.scope_built_once:
            return _scope_built_once(type(self), self.sub_account.pk).naming(self.sub_account)
        return self.scope_queryset(self.model.objects.for_account(self.sub_account))

    def scope_queryset(self, queryset):
        return queryset

    def dispatch(self, request, *args, **kwargs):
        # Who acts is this request's alone, even where no middleware opened a scope (a view called directly).
        with action_scope():
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        """After authentication and throttling: the key becomes who acts; every POST honours `Idempotency-Key` (see accounts.idempotency)."""
        super().initial(request, *args, **kwargs)
        # Who acts, for the contact history: this key, for the rest of the request (the request middleware's
        # action scope forgets it afterwards).
        api_key = request.auth
        act(source="api", api_key_id=api_key.pk, actor_label=api_key_label(api_key.name, api_key.display_prefix))
        handler = getattr(self, "post", None)
        if request.method == "POST" and handler is not None:
            # dispatch() looks the handler up after initial(), so this instance's POST runs through the guard.
            self.post = functools.partial(run_idempotently, self, handler)
