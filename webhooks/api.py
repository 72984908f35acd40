from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api import TenantScopedViewSet
from contacts_site.api import error_responses, list_envelope_schema
from contacts_site.errors import NotFound
from contacts_site.pagination import page_parameters, paginated_response
from webhooks import services
from webhooks.models import Delivery, DeliveryAttempt, Endpoint
from webhooks.serializers import (
    DeliveryDetailSchemaSerializer,
    DeliveryListParams,
    DeliverySchemaSerializer,
    EndpointSchemaSerializer,
    EndpointWithSecretSchemaSerializer,
    EndpointWriteSerializer,
    delivery_to_dict,
    endpoint_to_dict,
)

EndpointListSchema = list_envelope_schema("WebhookList", EndpointSchemaSerializer)
DeliveryListSchema = list_envelope_schema("DeliveryList", DeliverySchemaSerializer)
PAGE_PARAMETERS = page_parameters(default_limit=25, cursor=False)


def with_log(deliveries):
    """One sub-account's deliveries with their event type and attempts, in three queries for a whole page."""
    attempts = DeliveryAttempt.objects.for_account(deliveries.tenant_id).order_by("attempted_at", "id")
    return deliveries.select_related("event").prefetch_related(Prefetch("attempts", queryset=attempts))


class WebhookViewSet(TenantScopedViewSet):
    """A sub-account's webhook endpoints, their delivery logs, test pings and secret rotation."""

    model = Endpoint
    lookup_url_kwarg = "webhook_id"
    lookup_value_regex = r"[^/\x00]+"  # a NUL can reach neither PostgreSQL nor the 404

    def _write_data(self, *, partial: bool) -> dict:
        serializer = EndpointWriteSerializer(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(parameters=PAGE_PARAMETERS, responses={200: EndpointListSchema, **error_responses(400, 401)})
    def list(self, request):
        """List the sub-account's webhook endpoints, newest first."""
        return paginated_response(request, self.get_queryset().order_by("-created_at", "-id"), endpoint_to_dict)

    @extend_schema(
        request=EndpointWriteSerializer,
        responses={201: EndpointWithSecretSchemaSerializer, **error_responses(400, 401, 415)},
    )
    def create(self, request):
        """Create an endpoint. The answer carries its `secret` (whsec_…), shown this once."""
        endpoint = services.endpoint_create(sub_account=self.sub_account, **self._write_data(partial=False))
        location = f"{request.build_absolute_uri('/api/v1/webhooks/')}{endpoint.pk}"
        return Response(
            {**endpoint_to_dict(endpoint), "secret": endpoint.secret}, status=201, headers={"Location": location}
        )

    @extend_schema(responses={200: EndpointSchemaSerializer, **error_responses(401, 404)})
    def retrieve(self, request, webhook_id=None):
        return Response(endpoint_to_dict(self.get_object()))

    @extend_schema(
        request=EndpointWriteSerializer,
        responses={200: EndpointSchemaSerializer, **error_responses(400, 401, 404, 415)},
    )
    def partial_update(self, request, webhook_id=None):
        """Change the fields given. `"enabled": true` turns a disabled endpoint back on."""
        endpoint = services.endpoint_update(endpoint=self.get_object(), **self._write_data(partial=True))
        return Response(endpoint_to_dict(endpoint))

    @extend_schema(
        request=EndpointWriteSerializer(partial=True),
        responses={200: EndpointSchemaSerializer, **error_responses(400, 401, 404, 415)},
        description="Same partial meaning as PATCH.",
    )
    def update(self, request, webhook_id=None):
        return self.partial_update(request, webhook_id=webhook_id)

    @extend_schema(responses={204: None, **error_responses(401, 404)})
    def destroy(self, request, webhook_id=None):
        """Delete the endpoint and its delivery log."""
        services.endpoint_delete(endpoint=self.get_object())
        return Response(status=204)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=[s for s, _ in Delivery.Status.choices]),
            *PAGE_PARAMETERS,
        ],
        responses={200: DeliveryListSchema, **error_responses(400, 401, 404)},
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request, webhook_id=None):
        """The endpoint's delivery log, newest first: each delivery with every attempt and the next retry."""
        endpoint = self.get_object()
        params = DeliveryListParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        params = params.validated_data
        deliveries = Delivery.objects.for_account(self.sub_account).filter(endpoint=endpoint)
        if "status" in params:
            deliveries = deliveries.filter(status=params["status"])
        return paginated_response(request, with_log(deliveries.newest_first()), delivery_to_dict)

    @extend_schema(request=None, responses={202: DeliverySchemaSerializer, **error_responses(401, 404, 409)})
    @action(detail=True, methods=["post"])
    def test(self, request, webhook_id=None):
        """Send a `ping` event to this endpoint now (whatever it subscribes to); answers the queued delivery."""
        delivery = services.endpoint_send_test(endpoint=self.get_object())
        # Read back with its log; gone only if a concurrent request deleted the endpoint (and it) meanwhile.
        queued = with_log(Delivery.objects.for_account(self.sub_account).filter(pk=delivery.pk)).first()
        if queued is None:
            raise NotFound()
        return Response(delivery_to_dict(queued), status=202)

    @extend_schema(request=None, responses={200: EndpointWithSecretSchemaSerializer, **error_responses(401, 404)})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, webhook_id=None):
        """Give the endpoint a new secret, shown this once. The old one also signs for 24 hours."""
        endpoint = services.endpoint_rotate_secret(endpoint=self.get_object())
        return Response({**endpoint_to_dict(endpoint), "secret": endpoint.secret})


class DeliveryViewSet(TenantScopedViewSet):
    """One delivery (with the payload sent) and manual redelivery."""

    model = Delivery
    lookup_url_kwarg = "delivery_id"
    lookup_value_regex = r"[^/\x00]+"  # a NUL can reach neither PostgreSQL nor the 404

    def scope_queryset(self, queryset):
        return with_log(queryset)

    @extend_schema(responses={200: DeliveryDetailSchemaSerializer, **error_responses(401, 404)})
    def retrieve(self, request, delivery_id=None):
        return Response(delivery_to_dict(self.get_object(), with_payload=True))

    @extend_schema(request=None, responses={202: DeliverySchemaSerializer, **error_responses(401, 404, 409)})
    @action(detail=True, methods=["post"])
    def redeliver(self, request, delivery_id=None):
        """Send the delivery again now, with the same `webhook-id`, as a fresh round of retries."""
        delivery = services.delivery_redeliver(delivery=self.get_object())
        return Response(delivery_to_dict(self.get_queryset().get(pk=delivery.pk)), status=202)
