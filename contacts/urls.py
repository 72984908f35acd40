from django.urls import path

from contacts import views, workspace_views

app_name = "contacts"

urlpatterns = [
    path("", views.ContactListView.as_view(), name="list"),
    path("contacts/new/", views.ContactFormView.as_view(), name="create"),
    path("contacts/columns/", workspace_views.ColumnsView.as_view(), name="columns"),
    path("contacts/views/", workspace_views.SavedViewCreateView.as_view(), name="view-create"),
    path("contacts/views/counts/", workspace_views.SavedViewCountsView.as_view(), name="view-counts"),
    path("contacts/views/<str:pk>/", workspace_views.SavedViewChangeView.as_view(), name="view-change"),
    path("custom-fields/", workspace_views.CustomFieldListView.as_view(), name="custom-fields"),
    path("custom-fields/<str:pk>/", workspace_views.CustomFieldEditView.as_view(), name="custom-field-edit"),
    path("contacts/bulk/", views.ContactBulkView.as_view(), name="bulk"),
    path("contacts/<str:pk>/", views.ContactDetailView.as_view(), name="detail"),
    path("contacts/<str:pk>/edit/", views.ContactFormView.as_view(), name="edit"),
    path("contacts/<str:pk>/delete/", views.ContactDeleteView.as_view(), name="delete"),
    path("contacts/<str:pk>/timeline/", views.ContactTimelineView.as_view(), name="timeline"),
    path("contacts/<str:pk>/notes/", views.NoteCreateView.as_view(), name="note-create"),
    path("contacts/<str:pk>/notes/<str:note_id>/", views.NoteChangeView.as_view(), name="note-change"),
    path("contacts/<str:pk>/revert/", views.ContactRevertView.as_view(), name="revert"),
]
