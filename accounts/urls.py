from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

# Not namespaced: Django's auth views and settings.LOGIN_URL look these names up as they are.
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="registration/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(extra_context={"nav": "password"}), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(extra_context={"nav": "password"}),
        name="password_change_done",
    ),
    path("switch/", views.SubAccountSwitchView.as_view(), name="sub-account-switch"),
    path("api-keys/", views.APIKeyListView.as_view(), name="api-keys"),
    path("api-keys/<int:pk>/revoke/", views.APIKeyRevokeView.as_view(), name="api-key-revoke"),
]
