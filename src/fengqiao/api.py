"""The JSON API at /api/v1/: one NinjaAPI, domain routers, one domain-error handler."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from fengqiao.accounts.api import router as accounts_router
from fengqiao.accounts.auth import api_token_authenticate
from fengqiao.cases.api import router as cases_router
from fengqiao.core.errors import DomainError
from fengqiao.early_warning.api import router as early_warning_router
from fengqiao.hotspots.api import router as hotspots_router
from fengqiao.labour.api import router as labour_router
from fengqiao.metrics.api import router as metrics_router
from fengqiao.orgs.api import router as orgs_router
from fengqiao.reports.api import router as reports_router
from fengqiao.revisits.api import router as revisits_router
from fengqiao.risk.api import router as risk_router
from fengqiao.safety.api import router as safety_router
from fengqiao.service_circle.api import router as service_circle_router
from fengqiao.signals.api import router as signals_router
from fengqiao.taxonomy.api import router as taxonomy_router


class TokenAuth(HttpBearer):
    """``Authorization: Bearer fq_…`` tokens issued by ``fengqiao token USERNAME``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Fengqiao API",
    version="1.0.0",
    description="Register, route and follow disputes and risks across five administrative levels.",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api-v1",
)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status_code)


api.add_router("/", accounts_router)
api.add_router("/", orgs_router)
api.add_router("/", taxonomy_router)
api.add_router("/", cases_router)
api.add_router("/", risk_router)
api.add_router("/", signals_router)
api.add_router("/", early_warning_router)
api.add_router("/", hotspots_router)
api.add_router("/", labour_router)
api.add_router("/", safety_router)
api.add_router("/", metrics_router)
api.add_router("/", reports_router)
api.add_router("/", service_circle_router)
api.add_router("/", revisits_router)
