from django.urls import path

from conversations import views

app_name = "conversations"

urlpatterns = [
    path("", views.InboxView.as_view(), name="inbox"),
    path("start/<str:pk>/", views.ConversationStartView.as_view(), name="start"),
    path("<str:pk>/", views.ConversationDetailView.as_view(), name="detail"),
    path("<str:pk>/reply/", views.ConversationReplyView.as_view(), name="reply"),
    path("<str:pk>/update/", views.ConversationUpdateView.as_view(), name="update"),
]
