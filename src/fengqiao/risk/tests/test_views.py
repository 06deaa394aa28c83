from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from fengqiao.cases.models import EventKind, TimelineEvent
from fengqiao.risk.models import DispatchMeeting
from fengqiao.risk.templatetags.risk_nav import section_links
from fengqiao.risk.tests.conftest import reviewed

BOARD = "/risk/boards/red/"


def text(response) -> str:
    return response.content.decode()


def meeting_post(world, case, *, decision="区领导督办", **overrides) -> dict:
    today = timezone.localdate()
    data = {
        "meeting-unit": world.region.unit("A").pk,
        "meeting-held_on": today.isoformat(),
        "meeting-chair": world.user("a_leader").pk,
        "meeting-next_review_on": (today + timedelta(days=14)).isoformat(),
        "meeting-notes": "",
        "d-TOTAL_FORMS": "1",
        "d-INITIAL_FORMS": "1",
        "d-MIN_NUM_FORMS": "0",
        "d-MAX_NUM_FORMS": "1000",
        "d-0-item": f"case:{case.pk}",
        "d-0-reviewed": "on",
        "d-0-decision": decision,
        "d-0-owner_text": "",
        "d-0-owner_user": "",
        "d-0-due_on": "",
    }
    data.update(overrides)
    return data


class TestHome:
    def test_counts_per_colour_and_links(self, world, login, red_a1):
        response = login("a_leader").get(reverse("risk:home"))
        assert response.status_code == 200
        body = text(response)
        assert 'data-colour="red"' in body
        assert BOARD in body
        assert reverse("risk:meetings") in body

    def test_menu_has_risk_for_every_working_role(self, world, login):
        for who in ("a_leader", "a1_clerk", "a1a_grid", "a_analyst", "a_auditor", "a_liaison"):
            assert 'href="/risk/"' in text(login(who).get("/"))

    def test_anonymous_is_sent_to_login(self, client):
        assert client.get(reverse("risk:home")).status_code == 302


class TestBoardPage:
    def test_lists_the_item_with_its_verdict(self, world, login, red_a1):
        body = text(login("a_leader").get(BOARD))
        assert red_a1.number in body
        assert 'data-code="not_reviewed"' in body
        assert 'data-under-control="0"' in body

    @pytest.mark.parametrize("who", ["a2_clerk", "b1_clerk"])
    def test_other_township_does_not_see_the_row(self, world, login, red_a1, who):
        response = login(who).get(BOARD)
        assert response.status_code == 200
        assert red_a1.number not in text(response)

    def test_unit_outside_jurisdiction_is_404(self, world, login, red_a1):
        unit = world.region.unit("A1")
        assert login("b1_clerk").get(f"{BOARD}?unit={unit.pk}").status_code == 404

    def test_unknown_colour_is_404(self, login, world):
        assert login("a_leader").get("/risk/boards/blue/").status_code == 404

    def test_township_clerk_sees_why_it_cannot_record_red(self, world, login, red_a1):
        body = text(login("a1_clerk").get(BOARD))
        assert red_a1.number in body
        assert 'name="meeting-unit"' not in body


class TestRecordMeeting:
    def test_records_and_shows_the_item_under_control(self, world, login, red_a1):
        client = login("a_leader")
        response = client.post(
            reverse("risk:meeting_record", args=["red"]), meeting_post(world, red_a1)
        )
        assert response.status_code == 302
        meeting = DispatchMeeting.objects.get()
        assert meeting.decisions.get().case == red_a1
        assert TimelineEvent.objects.filter(case=red_a1, kind=EventKind.NOTE).exists()
        assert 'data-under-control="1"' in text(client.get(response["Location"]))

    def test_reviewed_without_decision_is_a_form_error(self, world, login, red_a1):
        response = login("a_leader").post(
            reverse("risk:meeting_record", args=["red"]), meeting_post(world, red_a1, decision="")
        )
        assert response.status_code == 422
        assert gettext("Write what the meeting decided.") in text(response)
        assert DispatchMeeting.objects.count() == 0

    def test_nothing_ticked_is_a_form_error(self, world, login, red_a1):
        data = meeting_post(world, red_a1)
        del data["d-0-reviewed"]
        response = login("a_leader").post(reverse("risk:meeting_record", args=["red"]), data)
        assert response.status_code == 422
        assert DispatchMeeting.objects.count() == 0

    def test_service_refusal_lands_on_the_field(self, world, login, red_a1):
        future = (timezone.localdate() + timedelta(days=2)).isoformat()
        data = meeting_post(world, red_a1, **{"meeting-held_on": future})
        response = login("a_leader").post(reverse("risk:meeting_record", args=["red"]), data)
        assert response.status_code == 422
        assert 'id="id_meeting-held_on_error"' in text(response)
        assert DispatchMeeting.objects.count() == 0

    def test_case_of_another_township_is_refused(self, world, login, red_b1):
        data = meeting_post(world, red_b1)
        response = login("a_leader").post(reverse("risk:meeting_record", args=["red"]), data)
        assert response.status_code == 422
        assert DispatchMeeting.objects.count() == 0

    def test_role_without_dispatch_right_gets_404(self, world, login, red_a1):
        data = meeting_post(world, red_a1)
        response = login("a_analyst").post(reverse("risk:meeting_record", args=["red"]), data)
        assert response.status_code == 404


class TestMeetingPages:
    def test_list_and_detail(self, world, login, red_a1):
        meeting_id = reviewed(world, red_a1, on=timezone.localdate()).meeting_id
        client = login("a_leader")
        assert reverse("risk:meeting_detail", args=[meeting_id]) in text(
            client.get(reverse("risk:meetings"))
        )
        detail = client.get(reverse("risk:meeting_detail", args=[meeting_id]))
        assert detail.status_code == 200
        assert red_a1.number in text(detail)

    @pytest.mark.parametrize("who", ["a2_clerk", "b1_clerk"])
    def test_other_township_neither_lists_nor_opens(self, world, login, red_a1, who):
        meeting_id = reviewed(world, red_a1, on=timezone.localdate()).meeting_id
        client = login(who)
        url = reverse("risk:meeting_detail", args=[meeting_id])
        assert url not in text(client.get(reverse("risk:meetings")))
        assert client.get(url).status_code == 404

    def test_restricted_case_decision_is_hidden_from_those_who_cannot_see_it(
        self, world, login, red_a1
    ):
        meeting_id = reviewed(world, red_a1, on=timezone.localdate()).meeting_id
        url = reverse("risk:meeting_detail", args=[meeting_id])
        client = login("a_auditor")
        assert red_a1.number in text(client.get(url))
        red_a1.restricted = True
        red_a1.save(update_fields=["restricted"])
        assert red_a1.number not in text(client.get(url))


class TestSubnav:
    def test_links_resolve_and_mark_the_current_section(self):
        links = section_links("risk:meetings")
        urls = [link.url for link in links]
        assert urls[:3] == ["/risk/", BOARD, "/risk/meetings/"]
        assert [link.active for link in links[:3]] == [False, False, True]

    def test_unresolvable_sections_are_skipped(self, monkeypatch):
        from fengqiao.risk.templatetags import risk_nav

        missing = risk_nav.Section("x", "nowhere:list")
        monkeypatch.setattr(risk_nav, "SECTIONS", (*risk_nav.SECTIONS[:1], missing))
        assert [link.url for link in section_links("")] == ["/risk/"]
