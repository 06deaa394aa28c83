"""The signed-in user's notifications: the list, marking read, and the top bar's unread badge."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from fengqiao.notifications import selectors
from fengqiao.notifications.services import notification_mark_read
from fengqiao.web.http import acting_user, is_htmx, not_found_as_404

PAGE_SIZE = 50
# htmx stops polling when it receives this status.
HTMX_STOP_POLLING = 286


@require_GET
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    unread_only = request.GET.get("unread") == "1"
    notifications = selectors.notification_list(actor=actor, unread_only=unread_only)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "page_range": list(page.paginator.get_elided_page_range(page.number, on_ends=1)),
        "unread_only": unread_only,
        "unread_count": selectors.unread_count(actor=actor),
    }
    return render(request, "notifications/list.html", context)


@require_POST
@login_required
@not_found_as_404
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    actor = acting_user(request)
    notification = selectors.notification_get(actor=actor, notification_id=notification_id)
    notification_mark_read(user=actor, notification_ids=[notification.pk])
    if is_htmx(request):
        notification.refresh_from_db(fields=["read_at"])
        response = render(request, "notifications/_item.html", {"notification": notification})
        # The bell listens for this and refreshes its count.
        response["HX-Trigger"] = "notifications-changed"
        return response
    return HttpResponseRedirect(_back(request))


@require_POST
@login_required
def notification_read_all(request: HttpRequest) -> HttpResponse:
    marked = notification_mark_read(user=acting_user(request))
    messages.success(
        request,
        ngettext(
            "%(n)d notification marked as read.", "%(n)d notifications marked as read.", marked
        )
        % {"n": marked},
    )
    return HttpResponseRedirect(reverse("notifications:list"))


@require_GET
@never_cache
def badge(request: HttpRequest) -> HttpResponse:
    """The unread count for the top bar's bell, polled by htmx; a signed-out page stops polling."""
    if not request.user.is_authenticated:
        return HttpResponse(status=HTMX_STOP_POLLING)
    count = selectors.unread_count(actor=acting_user(request))
    return render(request, "notifications/_badge.html", {"unread_count": count})


def _back(request: HttpRequest) -> str:
    page = request.POST.get("page", "")
    url = reverse("notifications:list")
    return f"{url}?page={page}" if page.isdigit() else url
