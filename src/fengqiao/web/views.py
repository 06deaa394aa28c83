from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from fengqiao.web.home import home_context
from fengqiao.web.http import acting_user


class LoginView(auth_views.LoginView):
    """Django's login, plus a distinct message while the account is temporarily locked."""

    template_name = "web/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        throttled = bool(getattr(self.request, "fengqiao_login_throttled", False))
        return self.render_to_response(self.get_context_data(form=form, login_throttled=throttled))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["lockout_minutes"] = max(settings.FENGQIAO_LOGIN_WINDOW_SECONDS // 60, 1)
        return context


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    return render(request, "web/home.html", home_context(request, actor))
