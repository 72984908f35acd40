from django.urls import path

from identity import views

app_name = "identity"

urlpatterns = [
    path("duplicates/", views.DuplicateListView.as_view(), name="duplicates"),
    path("contacts/<str:pk>/merge/", views.MergeView.as_view(), name="merge"),
    path("merges/<str:merge_id>/", views.MergeDetailView.as_view(), name="merge-detail"),
    path("merges/<str:merge_id>/undo/", views.MergeUndoView.as_view(), name="undo"),
]
