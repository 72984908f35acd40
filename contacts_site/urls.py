import sys

from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path, re_path
from django.views import defaults
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from contacts.api import ContactTimelineViewSet, ContactViewSet, NoteViewSet
from contacts.workspace_api import CustomFieldViewSet, SavedViewViewSet
from contacts_site.api import (
    SERVICE_UNAVAILABLE_ERRORS,
    SERVICE_UNAVAILABLE_RETRY_AFTER,
    json_error_view,
    service_unavailable_response,
    suspicious_request_response,
)
from conversations.api import ContactConversationsViewSet, ConversationViewSet
from identity.api import ContactIdentityViewSet, DuplicateViewSet, MergeViewSet
from imports.api import ContactExportViewSet, ExportViewSet, ImportViewSet
from webhooks.api import DeliveryViewSet, WebhookViewSet

router = SimpleRouter()
router.trailing_slash = "/?"  # every API path answers with or without a trailing slash
# Before `contacts`: its detail route would read "export" as a contact id.
router.register("contacts/export", ContactExportViewSet, basename="contact-export")
router.register("contacts", ContactViewSet, basename="contact")
router.register("contacts", ContactTimelineViewSet, basename="contact-timeline")
router.register("notes", NoteViewSet, basename="note")
router.register("custom-fields", CustomFieldViewSet, basename="custom-field")
router.register("views", SavedViewViewSet, basename="view")
router.register("contacts", ContactIdentityViewSet, basename="contact-identity")
router.register("duplicates", DuplicateViewSet, basename="duplicate")
router.register("merges", MergeViewSet, basename="merge")
router.register("conversations", ConversationViewSet, basename="conversation")
router.register(
    r"contacts/(?P<contact_id>[^/\x00]+)/conversations", ContactConversationsViewSet, basename="contact-conversation"
)
router.register("webhooks", WebhookViewSet, basename="webhook")
router.register("deliveries", DeliveryViewSet, basename="delivery")
router.register("imports", ImportViewSet, basename="import")
router.register("exports", ExportViewSet, basename="export")

api_not_found = json_error_view(404, "No such endpoint.")

urlpatterns = [
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: the docs work under a CSP without inline scripts.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    re_path(r"^api/", api_not_found),
    path("admin/", admin.site.urls),
    # The staff pages (login, sub-account, API keys; conversations; webhooks; contacts at the root, so last).
    path("account/", include("accounts.urls")),
    path("conversations/", include("conversations.urls")),
    path("webhooks/", include("webhooks.urls")),
    path("identity/", include("identity.urls")),
    path("imports/", include("imports.urls")),
    path("", include("contacts.urls")),
]

handler400 = "contacts_site.urls.bad_request"
handler403 = "contacts_site.urls.permission_denied"
handler500 = "contacts_site.urls.server_error"


def _api_aware(status: int, message: str, html_view):
    """Errors raised outside DRF (a bad Host header, a crash in middleware) still answer the API's
    JSON shape under /api/, and Django's pages elsewhere."""
    json_view = json_error_view(status, message)

    def view(request, *args, **kwargs):
        if request.path.startswith("/api/"):
            return json_view(request)
        return html_view(request, *args, **kwargs)

    return view


permission_denied = _api_aware(403, "Forbidden.", defaults.permission_denied)
_server_error = _api_aware(500, "Something went wrong on our side.", defaults.server_error)

SERVICE_UNAVAILABLE_PAGE = (
    "<!doctype html><html lang=en><title>Temporarily unavailable</title>"
    "<h1>Temporarily unavailable</h1>"
    "<p>The service cannot reach its database or cache. Try again in a few seconds.</p></html>"
)


def bad_request(request, exception=None):
    """Django calls this for a SuspiciousOperation raised outside a DRF view (too many fields in middleware, …)."""
    if request.path.startswith("/api/"):
        return suspicious_request_response(exception)
    return defaults.bad_request(request, exception)


def server_error(request):
    """A crash outside a DRF view. Django calls this inside its `except`, so the exception is still at hand: a
    database or cache that cannot be reached is a transient outage (503 + Retry-After), not a bug (500)."""
    if isinstance(sys.exc_info()[1], SERVICE_UNAVAILABLE_ERRORS):
        if request.path.startswith("/api/"):
            return service_unavailable_response()
        response = HttpResponse(SERVICE_UNAVAILABLE_PAGE, status=503)
        response["Retry-After"] = str(SERVICE_UNAVAILABLE_RETRY_AFTER)
        return response
    return _server_error(request)
