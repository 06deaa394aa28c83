from django.contrib.auth import views as auth_views
from django.urls import include, path

from fengqiao.web import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("org/", include("fengqiao.orgs.urls")),
    path("", views.home, name="home"),
]
