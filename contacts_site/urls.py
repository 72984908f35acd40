from django.contrib import admin
from django.urls import include, path, re_path
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

handler500 = "contacts_site.urls.server_error"


def server_error(request):
    if request.path.startswith("/api/"):
        return json_error_view(500, "Something went wrong on our side.")(request)
    from django.views.defaults import server_error as html_server_error

    return html_server_error(request)
