from django.urls import path

from contacts import views

app_name = "contacts"

urlpatterns = [
    path("", views.ContactListView.as_view(), name="list"),
    path("contacts/new/", views.ContactFormView.as_view(), name="create"),
    path("contacts/bulk/", views.ContactBulkView.as_view(), name="bulk"),
    path("contacts/<str:pk>/", views.ContactDetailView.as_view(), name="detail"),
    path("contacts/<str:pk>/edit/", views.ContactFormView.as_view(), name="edit"),
    path("contacts/<str:pk>/delete/", views.ContactDeleteView.as_view(), name="delete"),
]
