"""The Webhooks pages of the staff app (admins of a sub-account): endpoints, their delivery log, and the
actions of the API (test, redeliver, rotate the secret). Every write goes through webhooks.services."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from accounts.mixins import SubAccountMixin, form_already_carried_out, remember_form_carried_out
from contacts_site.errors import Conflict
from webhooks import services
from webhooks.forms import EndpointForm
from webhooks.models import Delivery, DeliveryAttempt, Endpoint

DELIVERIES_PER_PAGE = 25


class WebhooksMixin(SubAccountMixin):
    admin_only = True
    nav = "webhooks"
    model = Endpoint

    def render_detail(self, endpoint: Endpoint, *, status: int = 200, **extra):
        """The endpoint's page as the answer to this POST: how a new secret is shown once, and only here
        (a redirect would have to park the secret in the session to show it)."""
        detail = WebhookDetailView()
        detail.setup(self.request, pk=endpoint.pk)
        detail.sub_account, detail.membership, detail.memberships = self.sub_account, self.membership, self.memberships
        response = detail.render_to_response(detail.get_context_data(endpoint=endpoint, **extra), status=status)
        add_never_cache_headers(response)
        return response


class WebhookListView(WebhooksMixin, TemplateView):
    template_name = "webhooks/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["endpoints"] = list(self.get_queryset().order_by("-created_at", "-id"))
        return context


@method_decorator(never_cache, name="dispatch")
class WebhookDetailView(WebhooksMixin, TemplateView):
    """The endpoint and its delivery log. After creation or rotation it is rendered (not redirected to)
    with the secret, so the secret is in that one response and nowhere else."""

    template_name = "webhooks/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        endpoint = context.get("endpoint") or self.get_object()
        status = self.request.GET.get("status", "")
        deliveries = self.get_queryset(Delivery).filter(endpoint=endpoint)
        if status in Delivery.Status.values:
            deliveries = deliveries.filter(status=status)
        else:
            status = ""
        deliveries = (
            deliveries.newest_first()
            .select_related("event")
            .prefetch_related(
                Prefetch("attempts", queryset=self.get_queryset(DeliveryAttempt).order_by("-attempted_at", "-id"))
            )
        )
        page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(self.request.GET.get("page"))
        context.update(
            endpoint=endpoint, page=page, status=status, statuses=Delivery.Status.choices, now=timezone.now()
        )
        return context


class WebhookFormView(WebhooksMixin, TemplateView):
    """Add (no pk) or edit an endpoint."""

    template_name = "webhooks/form.html"

    def get_form(self, data=None) -> EndpointForm:
        endpoint = self.get_object() if "pk" in self.kwargs else Endpoint(sub_account=self.sub_account)
        return EndpointForm(data, instance=endpoint)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context.setdefault("form", self.get_form())
        context["is_new"] = form.instance._state.adding
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        if form.instance._state.adding:
            if form_already_carried_out(request):
                messages.info(
                    request, "That endpoint was already added; its secret was shown once (rotate it if needed)."
                )
                return redirect("webhooks:list")
            endpoint = services.endpoint_create(sub_account=self.sub_account, **form.changes())
            remember_form_carried_out(request)
            return self.render_detail(endpoint, status=201, secret=endpoint.secret, just_created=True)
        services.endpoint_update(endpoint=self.get_object(), **form.changes())
        messages.success(request, "Saved your changes.")
        return redirect("webhooks:detail", pk=self.kwargs["pk"])


class WebhookRotateView(WebhooksMixin, TemplateView):
    template_name = "webhooks/rotate.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["endpoint"] = self.get_object()
        return context

    def post(self, request, pk):
        if form_already_carried_out(request):
            # A second rotation would replace the secret just shown before anyone could copy it.
            messages.info(request, "The secret was already rotated; the new one was shown once.")
            return redirect("webhooks:detail", pk=pk)
        endpoint = services.endpoint_rotate_secret(endpoint=self.get_object())
        remember_form_carried_out(request)
        return self.render_detail(endpoint, secret=endpoint.secret, rotated=True)


class WebhookDeleteView(WebhooksMixin, TemplateView):
    template_name = "webhooks/delete.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["endpoint"] = self.get_object()
        return context

    def post(self, request, pk):
        endpoint = self.get_object()
        services.endpoint_delete(endpoint=endpoint)
        messages.success(request, f"Deleted the endpoint {endpoint.url} and its delivery log.")
        return redirect("webhooks:list")


class WebhookTestView(WebhooksMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        try:
            services.endpoint_send_test(endpoint=self.get_object())
        except Conflict as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Test event queued: it appears in the log below within seconds.")
        return redirect("webhooks:detail", pk=pk)


class DeliveryRedeliverView(WebhooksMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        delivery = self.get_object(Delivery, pk)
        try:
            services.delivery_redeliver(delivery=delivery)
        except Conflict as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Delivery of {delivery.event_id} queued again.")
        return redirect("webhooks:detail", pk=delivery.endpoint_id)
