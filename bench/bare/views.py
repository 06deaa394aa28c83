from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from bare.models import Row


@csrf_exempt
@require_POST
def intake(request: HttpRequest) -> HttpResponse:
    """Parse the same JSON the real intake gets and insert it as one row."""
    data = json.loads(request.body)
    row = Row.objects.create(title=data.get("title", ""), body=request.body.decode())
    return JsonResponse({"id": row.pk}, status=201)
