from django.contrib import admin
from django.urls import include, path, re_path
from django.views import defaults
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from contacts.api import ContactViewSet
from contacts_site.api import json_error_view
from conversations.api import ContactConversationsViewSet, ConversationViewSet

router = SimpleRouter()
router.trailing_slash = "/?"  # every API path answers with or without a trailing slash
router.register("contacts", ContactViewSet, basename="contact")
router.register("conversations", ConversationViewSet, basename="conversation")
router.register(
    r"contacts/(?P<contact_id>[^/\x00]+)/conversations", ContactConversationsViewSet, basename="contact-conversation"
)

api_not_found = json_error_view(404, "No such endpoint.")

urlpatterns = [
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    re_path(r"^api/", api_not_found),
    path("admin/", admin.site.urls),
    # The staff pages (login, sub-account, API keys; conversations; contacts at the root, so last).
    path("account/", include("accounts.urls")),
    path("conversations/", include("conversations.urls")),
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


bad_request = _api_aware(400, "Bad request.", defaults.bad_request)
permission_denied = _api_aware(403, "Forbidden.", defaults.permission_denied)
server_error = _api_aware(500, "Something went wrong on our side.", defaults.server_error)
