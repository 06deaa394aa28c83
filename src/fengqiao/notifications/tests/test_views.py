from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fengqiao.cases.services import case_register
from fengqiao.notifications.models import Notification, NotificationKind
from fengqiao.notifications.services import notify
from fengqiao.testing.cases import case_in


@pytest.fixture
def login(world, client: Client):
    def as_user(key: str) -> Client:
        client.force_login(world.user(key))
        return client

    return as_user


@pytest.fixture
def mine(world) -> list[Notification]:
    user = world.user("a1_clerk")
    return [
        *notify(users=[user], kind=NotificationKind.DEADLINE, message="给A1的第一条"),
        *notify(users=[user], kind=NotificationKind.STATUS, message="给A1的第二条"),
    ]


@pytest.fixture
def theirs(world) -> list[Notification]:
    return notify(users=[world.user("b1_clerk")], kind=NotificationKind.OVERDUE, message="给B1的")


class TestList:
    def test_shows_only_my_notifications_newest_first(self, login, mine, theirs):
        response = login("a1_clerk").get("/notifications/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "给A1的第一条" in html
        assert "给B1的" not in html
        assert html.index("给A1的第二条") < html.index("给A1的第一条")
        assert html.count("notif unread") == 2

    def test_links_to_the_case(self, world, login):
        case = case_register(actor=world.user("a1_clerk"), data=case_in()).case
        # Registration hands the case to the community team, whose liaison is notified.
        html = login("a1_community").get("/notifications/").content.decode()
        assert case.number in html
        assert f'href="/cases/{case.pk}/"' in html

    def test_unread_filter(self, login, mine):
        Notification.objects.filter(pk=mine[0].pk).update(read_at=mine[0].created_at)
        html = login("a1_clerk").get("/notifications/?unread=1").content.decode()
        assert "给A1的第二条" in html
        assert "给A1的第一条" not in html

    def test_anonymous_is_sent_to_login(self, client):
        assert client.get("/notifications/").status_code == 302


class TestBadge:
    def test_counts_only_my_unread(self, login, mine, theirs):
        response = login("a1_clerk").get("/notifications/badge/")
        assert response.status_code == 200
        assert '<span class="bell-count" aria-hidden="true">2</span>' in response.content.decode()

    def test_nothing_unread(self, login, theirs):
        html = login("a1_clerk").get("/notifications/badge/").content.decode()
        assert "bell-count" not in html

    def test_signed_out_stops_polling(self, client):
        assert client.get("/notifications/badge/").status_code == 286

    def test_page_loads_the_badge_lazily(self, login, mine):
        client = login("a1_clerk")
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/").content.decode()
        assert 'hx-get="/notifications/badge/"' in html
        assert "load, every 60s" in html
        assert not [q for q in queries if "notifications_notification" in q["sql"]]


class TestMarkRead:
    def test_one(self, login, mine):
        response = login("a1_clerk").post(f"/notifications/{mine[0].pk}/read/")
        assert response.status_code == 302
        mine[0].refresh_from_db()
        mine[1].refresh_from_db()
        assert mine[0].read_at is not None
        assert mine[1].read_at is None

    def test_one_with_htmx_returns_the_item(self, login, mine):
        response = login("a1_clerk").post(
            f"/notifications/{mine[0].pk}/read/", HTTP_HX_REQUEST="true"
        )
        html = response.content.decode()
        assert f'id="notification-{mine[0].pk}"' in html
        assert "unread" not in html.split(">")[0]
        assert response["HX-Trigger"] == "notifications-changed"

    def test_someone_elses_is_404(self, login, theirs):
        response = login("a1_clerk").post(f"/notifications/{theirs[0].pk}/read/")
        assert response.status_code == 404
        theirs[0].refresh_from_db()
        assert theirs[0].read_at is None

    def test_get_is_not_allowed(self, login, mine):
        assert login("a1_clerk").get(f"/notifications/{mine[0].pk}/read/").status_code == 405

    def test_all_marks_only_mine(self, login, mine, theirs):
        response = login("a1_clerk").post("/notifications/read-all/")
        assert response.status_code == 302
        assert not Notification.objects.filter(user__username="a1_clerk", read_at__isnull=True)
        theirs[0].refresh_from_db()
        assert theirs[0].read_at is None
        page = login("a1_clerk").get(response["Location"]).content.decode()
        assert "notif unread" not in page
