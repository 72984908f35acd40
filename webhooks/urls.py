from django.urls import path

from webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.WebhookListView.as_view(), name="list"),
    path("new/", views.WebhookFormView.as_view(), name="create"),
    path("<str:pk>/", views.WebhookDetailView.as_view(), name="detail"),
    path("<str:pk>/edit/", views.WebhookFormView.as_view(), name="edit"),
    path("<str:pk>/rotate-secret/", views.WebhookRotateView.as_view(), name="rotate"),
    path("<str:pk>/delete/", views.WebhookDeleteView.as_view(), name="delete"),
    path("<str:pk>/test/", views.WebhookTestView.as_view(), name="test"),
    path("deliveries/<str:pk>/redeliver/", views.DeliveryRedeliverView.as_view(), name="redeliver"),
]
