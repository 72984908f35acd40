from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("", views.ImportListView.as_view(), name="list"),
    path("export/", views.ExportView.as_view(), name="export"),
    path("exports/<str:pk>/", views.ExportDetailView.as_view(), name="export-detail"),
    path("exports/<str:pk>/download/", views.ExportDownloadView.as_view(), name="export-download"),
    path("<str:pk>/", views.ImportDetailView.as_view(), name="detail"),
    path("<str:pk>/commit/", views.ImportActionView.as_view(action="commit"), name="commit"),
    path("<str:pk>/cancel/", views.ImportActionView.as_view(action="cancel"), name="cancel"),
    path("<str:pk>/revert/", views.ImportActionView.as_view(action="revert"), name="revert"),
    path("<str:pk>/failed-rows.csv", views.FailedRowsView.as_view(), name="failed-rows"),
]
