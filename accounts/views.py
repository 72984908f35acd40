from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from accounts.forms import APIKeyCreateForm, SubAccountSwitchForm
from accounts.mixins import (
    SubAccountMixin,
    form_already_carried_out,
    remember_form_carried_out,
    switch_sub_account,
)
from accounts.models import APIKey
from accounts.services import api_key_create, api_key_revoke


class SubAccountSwitchView(SubAccountMixin, View):
    """Make another of the user's sub-accounts the current one. Not a member → 404, as for anything foreign."""

    http_method_names = ["post"]

    def post(self, request):
        form = SubAccountSwitchForm(request.POST)
        if not form.is_valid():
            raise Http404
        wanted = form.cleaned_data["sub_account"]
        membership = next((m for m in self.memberships if m.sub_account_id == wanted), None)
        if membership is None:
            raise Http404
        switch_sub_account(request, membership.sub_account)
        messages.success(request, f"Now working in {membership.sub_account.name}.")
        # Always to the new sub-account's home: the page we came from belongs to the old one.
        return redirect("contacts:list")


@method_decorator(never_cache, name="dispatch")
class APIKeyListView(SubAccountMixin, TemplateView):
    """List and create keys. A new key's secret is in the one response that creates it and nowhere else."""

    admin_only = True
    nav = "api-keys"
    template_name = "accounts/api_keys.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["api_keys"] = list(APIKey.objects.filter(sub_account=self.sub_account).order_by("-created_at", "-id"))
        context.setdefault("form", APIKeyCreateForm())
        return context

    def post(self, request):
        if form_already_carried_out(request):
            # The same form again (a reload of the answer, a resubmission): safe to repeat, so nothing new.
            messages.info(request, "That key was already created; its secret was shown once. Create another if needed.")
            return redirect("api-keys")
        form = APIKeyCreateForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        api_key, raw_key = api_key_create(sub_account=self.sub_account, name=form.cleaned_data["name"])
        remember_form_carried_out(request)
        # Rendered, not redirected: a redirect would have to park the secret in the session to show it. The
        # form token makes this POST safe to repeat instead, and the page replaces its URL (no resubmission).
        return self.render_to_response(self.get_context_data(new_key=api_key, raw_key=raw_key), status=201)


class APIKeyRevokeView(SubAccountMixin, TemplateView):
    admin_only = True
    nav = "api-keys"
    template_name = "accounts/api_key_revoke.html"

    def get_api_key(self) -> APIKey:
        return get_object_or_404(APIKey.objects.active().filter(sub_account=self.sub_account), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["api_key"] = self.get_api_key()
        return context

    def post(self, request, pk):
        api_key = self.get_api_key()
        api_key_revoke(api_key=api_key)
        messages.success(request, f"Revoked “{api_key.name}” ({api_key.display_prefix}…). It stops working now.")
        return redirect("api-keys")
