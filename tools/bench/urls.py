"""The product's URLs plus the naive baseline under /naive/ (outside /api/, whose catch-all answers 404)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from contacts_site.urls import handler400, handler403, handler500  # the product's error views, unchanged
from tools.bench.naive import NaiveContactViewSet

router = SimpleRouter()
router.register("contacts", NaiveContactViewSet, basename="naive-contact")

urlpatterns = [
    path("naive/api/v1/", include(router.urls)),
    path("", include("contacts_site.urls")),
]

__all__ = ["handler400", "handler403", "handler500", "urlpatterns"]
