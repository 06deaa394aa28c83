"""Demo cases: seeded, loaded once, consistent in time, shaped like real intake; four stories."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fengqiao.accounts.models import User
from fengqiao.cases.handling.models import (
    Assignment,
    ConfirmationStatus,
    JudicialConfirmation,
    ProtectiveOrder,
    Referral,
)
from fengqiao.cases.models import Case, Party, TimelineEvent
from fengqiao.cases.pii import normalise_id_number, normalise_phone
from fengqiao.cases.routing.services import load_default_rules
from fengqiao.cases.selectors import case_queryset
from fengqiao.cases.states import TRANSITIONS
from fengqiao.demo.cases import load_demo_cases, plan_demo_cases
from fengqiao.demo.plan import RegionSize
from fengqiao.demo.region import load_demo_region
from fengqiao.demo.stories import STORY_IDS
from fengqiao.orgs.models import Level, OrgUnit
from fengqiao.taxonomy.services import load_default_channels, load_default_taxonomy

SMALL = RegionSize(townships=(2, 3), villages=(2, 3), grids=(2, 3))
TODAY = timezone.localdate()


@pytest.fixture
def demo_region(db: None) -> None:
    """What ``init --demo`` has loaded before the cases: taxonomy, channels, rules, region."""
    load_default_taxonomy()
    load_default_channels()
    load_default_rules()
    load_demo_region(size=SMALL)


def story(key: str) -> Case:
    return Case.objects.get(reports__external_id=STORY_IDS[key])


def fingerprint(day: date, seed: int) -> list[tuple[object, ...]]:
    return [
        (
            b.report.external_id,
            b.case.category.code,
            b.case.territory.code,
            b.case.created_at,
            b.case.status,
            b.case.resolved_at,
            [(p.name, p.id_number, p.phone) for p in b.parties],
            [(e.at, e.action) for e in b.events],
        )
        for b in plan_demo_cases(seed=seed, count=60, today=day)
    ]


class TestPlan:
    def test_a_seed_and_a_date_always_give_the_same_cases(self, demo_region):
        assert fingerprint(TODAY, 7) == fingerprint(TODAY, 7)
        assert fingerprint(TODAY, 7) != fingerprint(TODAY, 8)

    def test_cases_spread_over_the_last_eighteen_months(self, demo_region):
        bundles = plan_demo_cases(seed=3, count=300, today=TODAY)
        days = [timezone.localtime(b.case.created_at).date() for b in bundles]
        assert TODAY - timedelta(days=549) <= min(days) < TODAY - timedelta(days=400)
        assert TODAY - timedelta(days=30) < max(days) < TODAY
        weekdays = Counter(day.weekday() < 5 for day in days)
        assert weekdays[True] / 5 > 1.3 * weekdays[False] / 2  # fewer cases at weekends


@pytest.mark.django_db
class TestLoad:
    @pytest.fixture
    def loaded(self, demo_region: None) -> None:
        summary = load_demo_cases(seed=11, count=400, stories=False)
        assert summary.created
        assert summary.cases == 400

    def test_loading_twice_creates_nothing_more(self, loaded):
        before = (Case.objects.count(), TimelineEvent.objects.count(), Assignment.objects.count())

        again = load_demo_cases(seed=11, count=400, stories=False)

        assert not again.created
        assert again.cases == 400
        assert (
            Case.objects.count(),
            TimelineEvent.objects.count(),
            Assignment.objects.count(),
        ) == before

    def test_timestamps_follow_each_other_and_the_timeline_walks_the_lifecycle(self, loaded):
        for case in Case.objects.prefetch_related("events"):
            times = [case.created_at, case.accepted_at, case.resolved_at, case.closed_at]
            present = [moment for moment in times if moment is not None]
            assert present == sorted(present), case.number
            status = "registered"
            for event in sorted(case.events.all(), key=lambda e: (e.at, e.pk)):
                assert event.at >= case.created_at, case.number
                if event.kind == "transition":
                    assert (event.action, event.from_status) in TRANSITIONS, case.number
                    assert event.from_status == status, case.number
                    assert TRANSITIONS[(event.action, event.from_status)] == event.to_status
                    status = event.to_status
            assert status == case.status, case.number

    def test_statuses_and_levels_look_like_real_intake(self, loaded):
        cases = Case.objects.filter(reports__external_id__startswith="DEMO-")
        statuses = Counter(cases.values_list("status", flat=True))
        assert statuses["closed"] / 400 > 0.8
        assert 0 < statuses["withdrawn"] / 400 < 0.1
        assert sum(statuses[s] for s in ("in_handling", "accepted", "resolved", "referred")) > 0
        ended = cases.filter(status__in=["resolved", "closed"], escalation_count=0)
        at_front = ended.filter(lead_unit__level__in=[Level.GRID, Level.VILLAGE]).count()
        assert 0.6 < at_front / cases.filter(status__in=["resolved", "closed"]).count() < 0.95
        assert 0 < cases.filter(escalation_count__gt=0).count() / 400 < 0.2
        assert 0 < cases.filter(overdue=True).count() / 400 < 0.1
        majors = Counter(cases.values_list("category__parent__code", flat=True))
        assert majors.most_common(1)[0][0] in {"M02", "M01"}

    def test_parties_carry_valid_id_numbers_and_phones(self, loaded):
        people = Party.objects.filter(kind="person")
        for id_number in people.exclude(id_number="").values_list("id_number", flat=True):
            assert normalise_id_number(id_number) == id_number
        for phone in people.exclude(phone="").values_list("phone", flat=True):
            assert normalise_phone(phone) == phone
        assert people.exclude(id_number="").count() > 200

    def test_assignments_go_to_departments_of_the_region_and_match_the_ending(self, loaded):
        city = OrgUnit.objects.get(code="500000000000")
        assignments = Assignment.objects.filter(case__reports__external_id__startswith="DEMO-")
        assert assignments.exists()
        assert not assignments.exclude(department__org_unit__path__startswith=city.path).exists()
        assert not assignments.filter(case__status="closed", status="pending").exists()
        escalated = Case.objects.filter(escalation_count__gt=0, status="closed")
        assert Assignment.objects.filter(case__in=escalated, status="returned").exists()
        referred = Referral.objects.filter(case__reports__external_id__startswith="DEMO-")
        assert referred.exists()


@pytest.mark.django_db
class TestStories:
    @pytest.fixture
    def stories(self, demo_region: None) -> None:
        assert len(load_demo_cases(seed=5, count=20).stories) == 4

    def test_domestic_violence_is_restricted_with_a_protective_order(self, stories):
        case = story("dv")
        assert case.category.code == "M01.09"
        assert case.restricted
        assert case.status == "closed"
        order = ProtectiveOrder.objects.get(case=case)
        assert order.court.department_type == "court"
        assert order.valid_until > TODAY
        assert Referral.objects.get(case=case).kind == "litigation"
        assert "李云琴（化名）" in case.parties.values_list("name", flat=True)
        teams = set(case.assignments.values_list("department__department_type", flat=True))
        assert {"police", "women", "court"} <= teams
        assert case in case_queryset(User.objects.get(username="leader"))
        assert case in case_queryset(User.objects.get(username="liaison"))  # named handler
        assert case not in case_queryset(User.objects.get(username="mediator"))

    def test_wage_arrears_of_160_workers_settled_and_confirmed(self, stories):
        case = story("wages")
        assert (case.people_involved, case.amount) == (160, Decimal("2100000.00"))
        agreement = case.agreements.get()
        assert agreement.amount == Decimal("2100000.00")
        assert agreement.status == "performed"
        confirmation = JudicialConfirmation.objects.get(agreement=agreement)
        assert confirmation.status == ConfirmationStatus.CONFIRMED
        teams = set(case.assignments.values_list("department__department_type", flat=True))
        assert {"hrss", "housing", "trade_union"} <= teams
        assert case.mediation_sessions.count() == 3
        assert case.status == "closed"
        # "一个月后": signed thirty days after the workers came (to the second; steps take ms).
        took = agreement.signed_at - case.created_at
        assert abs(took - timedelta(days=30, hours=1)) < timedelta(seconds=1)

    def test_septic_tank_closed_inside_half_an_hour(self, stories):
        case = story("septic")
        assert case.channel.code == "sensor"
        assert case.lead_unit.name == "龙塔街道"
        assert case.status == "closed"
        registered = timezone.localtime(case.created_at)
        assert (registered.month, registered.day, registered.hour, registered.minute) == (
            3,
            11,
            10,
            5,
        )
        assert case.closed_at - case.created_at <= timedelta(minutes=30)
        clock = [f"{timezone.localtime(e.at):%H:%M}" for e in case.events.order_by("at", "pk")]
        assert clock[0] == "10:05"
        assert "10:26" in clock
        assert case.events.order_by("at", "pk").first().kind == "created"

    def test_cross_province_dispute_handled_with_a_partner_unit(self, stories):
        case = story("border")
        assert case.partner_units.get().name == "合江县"
        assert case.lead_unit.level == Level.DISTRICT
        assert case.leader == User.objects.get(username="leader")
        assert case.assignments.filter(department__name="合江县综治中心").exists()
        assert case.status == "closed"

    def test_every_story_timeline_starts_with_registration_and_runs_forward(self, stories):
        for key in STORY_IDS:
            case = story(key)
            events = list(case.events.order_by("at", "pk"))
            assert events[0].kind == "created", key
            assert events[-1].to_status == "closed", key
            # The closing event is written a moment after closed_at is stamped, as in the service.
            assert all(event.at <= case.closed_at + timedelta(seconds=1) for event in events), key
            assert case.closed_at < timezone.now() - timedelta(days=30)
