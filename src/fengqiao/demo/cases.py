"""Demo cases: about 5,000 disputes over the demo region's last 18 months, and the report's four
stories (``stories``), loaded once by ``init --demo``.

The generated cases take the importer's bulk path (``cases.importer``) and are routed by the
real rules, so loading takes seconds rather than 5,000 ``case_register`` calls. Their shape
follows people's-mediation statistics: neighbour, family, property-management, labour and damages
disputes most common; visits, the 12345 hotline and grid patrols the main channels; wage arrears
before the Spring Festival, family quarrels after it, noise in summer; fewer cases at weekends;
more in dense urban communities. Each case walks the real lifecycle (registered → accepted → in
handling → resolved → closed, or escalated, referred, withdrawn), cut at today: older cases are
closed, recent ones still open. Everything is drawn from one seeded generator, so a seed and a
date always give the same cases.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TextIO

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_noop
from rich.console import Console
from rich.text import Text

from fengqiao.accounts.models import User
from fengqiao.cases.handling.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Referral,
    ReferralKind,
)
from fengqiao.cases.importer import (
    CaseBundle,
    RoutingCache,
    bulk_write,
    new_case,
    routed_assignments,
)
from fengqiao.cases.models import Case, DeadlineKind, EventKind, Party, Report, TimelineEvent
from fengqiao.cases.states import Action
from fengqiao.cases.states import CaseStatus as S
from fengqiao.core.text import system_text
from fengqiao.demo.plan import CITY_CODE, DEFAULT_SEED
from fengqiao.demo.stories import People, load_stories
from fengqiao.orgs.models import Level, OrgUnit, subtree_range
from fengqiao.taxonomy.models import Category, Channel, RiskColour

DEMO_CASE_COUNT = 5000
WINDOW_DAYS = 548  # eighteen months
EXTERNAL_ID = "DEMO-{:06d}"
_BATCH = 2500

# Shares of major categories, after the dispute types of people's-mediation statistics.
MAJORS = {
    "M02": 22, "M01": 16, "M12": 11, "M10": 9, "M06": 9, "M03": 6, "M04": 5, "M13": 5,
    "M16": 4, "M07": 3, "M14": 3, "M15": 2, "M05": 1.5, "M09": 1.5, "M18": 1.5, "M11": 1,
    "M17": 0.8, "M08": 0.7,
}  # fmt: skip
# Within a major, minors share equally unless listed here.
MINORS = {
    "M01.01": 2, "M01.05": 1.8, "M01.09": 0.15, "M01.10": 2.5, "M02.04": 3, "M02.05": 2.5,
    "M02.08": 3, "M10.01": 3, "M10.02": 0.4, "M12.01": 2.5, "M12.02": 2, "M13.02": 2,
    "M06.01": 2, "M16.01": 3, "M16.04": 0.1, "M16.08": 0.3,
}  # fmt: skip
CHANNELS = {
    "visit": 20, "12345": 18, "grid-patrol": 16, "window": 15, "110": 10, "phone": 5,
    "online": 5, "screening": 4, "mediation-room": 3, "court-entrusted": 2, "letter": 1.5,
    "dept-transfer": 1.5, "sensor": 0.3, "enterprise": 0.5, "leader-visit": 0.5,
}  # fmt: skip
# Channel weights that depend on the kind of dispute (fights reach 110, sensors watch facilities).
CHANNEL_BOOST = {
    "M06": {"110": 3.0}, "M01": {"110": 1.5}, "M02": {"grid-patrol": 1.5},
    "M09": {"sensor": 12.0}, "M12": {"sensor": 4.0}, "M04": {"court-entrusted": 3.0},
    "M16": {"court-entrusted": 3.0}, "M10": {"12345": 1.5, "enterprise": 4.0},
}  # fmt: skip
SEASON = {
    1: 1.15, 2: 0.9, 3: 1.05, 4: 1.0, 5: 1.0, 6: 1.0, 7: 1.1, 8: 1.1, 9: 0.95, 10: 0.85,
    11: 1.0, 12: 1.1,
}  # fmt: skip
MONTH_BOOST = {
    "M10": {12: 2.0, 1: 2.2, 2: 1.3}, "M01": {2: 1.4, 3: 1.2}, "M02": {7: 1.3, 8: 1.3},
    "M09": {7: 1.3, 8: 1.3}, "M13": {1: 1.2, 10: 1.2},
}  # fmt: skip
WEEKDAY = (1.2, 1.1, 1.05, 1.0, 1.0, 0.6, 0.5)
# How often the other side is a firm or a body rather than a person.
ORGANISATION_SHARE = {
    "M10": 0.8, "M12": 0.85, "M14": 0.9, "M11": 0.95, "M15": 0.7, "M09": 0.6, "M04": 0.4,
    "M08": 1.0, "M17": 0.8,
}  # fmt: skip
ORGANISATIONS = {
    "M10": "重庆{w}建筑劳务有限公司", "M12": "重庆{w}物业服务有限公司",
    "M14": "{w}商贸有限公司", "M11": "{w}医院", "M15": "重庆{w}建设工程有限公司",
    "M09": "重庆{w}食品厂", "M04": "重庆{w}装饰工程有限公司", "M08": "{t}征收工作组",
    "M17": "{w}小学",
}  # fmt: skip
STORY = {
    "M01": "{a}反映与{r}因家庭琐事长期不和，近期因{m}问题矛盾激化，请求调解。",
    "M02": "{a}反映与邻居{r}因{m}问题发生争执，多次沟通未果，请求网格员上门协调。",
    "M03": "{a}与{r}就{m}问题存在争议，双方各执一词，请求调处。",
    "M04": "{a}与{r}签订的合同履行中发生争议，称对方未按约定履行，涉及金额约{y}元。",
    "M05": "{a}与{r}在生产经营中发生{m}，涉及金额约{y}元，双方协商未果。",
    "M06": "{a}称因{r}的原因受到损失，要求赔偿约{y}元，双方对赔偿数额分歧较大。",
    "M07": "{a}与{r}因{m}问题发生争议，涉及承包地、林地边界或集体收益，请求村委会协调。",
    "M08": "{a}对{r}的征收补偿安置方案有异议，认为补偿标准偏低，请求答复和协调。",
    "M09": "{a}反映{r}排放影响周边居民生活，多次投诉未果，请求查处并协调。",
    "M10": "{a}反映{r}拖欠工资或未依法支付经济补偿，涉及金额约{y}元，请求帮助追讨。",
    "M11": "{a}对在{r}的诊疗结果不满，认为存在过错，要求赔偿约{y}元。",
    "M12": "{a}反映{r}在{m}方面存在问题，业主意见较大，请求协调处理。",
    "M13": "{a}与{r}发生交通事故，双方对赔偿金额存在争议，涉及约{y}元。",
    "M14": "{a}在{r}消费后发生纠纷，认为商品或服务存在问题，要求退款赔偿约{y}元。",
    "M15": "{a}反映{r}拖欠工程款或工程质量存在问题，涉及金额约{y}元。",
    "M16": "{a}称{r}借款到期后未归还，涉及本金约{y}元，多次催要未果。",
    "M17": "{a}反映其子女在校发生{m}相关问题，对{r}的处理不满，请求协调。",
    "M18": "{a}反映{m}相关问题，涉及{r}，请求综治中心协调解决。",
}
# Amounts in dispute (yuan), log-uniform between the bounds; other kinds involve no money.
AMOUNTS = {
    "M04": (3e3, 2e5), "M05": (5e3, 3e5), "M06": (5e2, 8e4), "M10": (3e3, 8e4),
    "M11": (5e3, 3e5), "M13": (1e3, 1.5e5), "M14": (2e2, 2e4), "M15": (1e4, 5e5),
    "M16": (5e3, 3e5),
}  # fmt: skip
SETTLED = {
    Level.GRID: "经网格员和社区调解员上门调解，双方达成一致，当场履行。",
    Level.VILLAGE: "经村（社区）人民调解委员会调解，双方签订调解协议。",
    Level.TOWNSHIP: "经镇街综治中心组织相关部门联合调解，双方达成调解协议。",
    Level.DISTRICT: "经区综治中心统筹协调、多部门联调，纠纷化解。",
}


@dataclass(frozen=True)
class DemoCasesSummary:
    created: bool
    cases: int
    by_status: dict[str, int]
    stories: tuple[str, ...] = ()


def _printer(stdout: TextIO | None) -> Callable[[str], object]:
    if stdout is not None and stdout.isatty():
        return Console(file=stdout, highlight=False).print
    return lambda message: stdout and stdout.write(Text.from_markup(message).plain + "\n")


def _major(category: Category) -> str:
    return category.parent.code if category.parent else category.code


class _Region:
    """What the generator draws from: grids weighted by density, taxonomy, demo staff."""

    def __init__(self, city: OrgUnit) -> None:
        units = OrgUnit.objects.filter(subtree_range(city.path)).defer("boundary")
        by_id = {unit.pk: unit for unit in units}
        self.grids = sorted((u for u in units if u.level == Level.GRID), key=lambda u: u.path)
        self.village = {g.pk: by_id[g.parent_id or 0] for g in self.grids}
        self.township = {g.pk: by_id[self.village[g.pk].parent_id or 0] for g in self.grids}
        self.grid_weights = [
            (g.population or 1000)
            * (1.8 if self.village[g.pk].name.endswith("社区") else 1.0)
            * (1.3 if self.township[g.pk].name.endswith("街道") else 1.0)
            for g in self.grids
        ]
        minors = Category.objects.filter(kind="minor", is_active=True).select_related("parent")
        self.categories = sorted(minors, key=lambda c: c.code)
        self.channels = {c.code: c for c in Channel.objects.filter(is_active=True)}
        staff = {u.username: u for u in User.objects.filter(is_active=True)}
        # Cases in the demo logins' own units carry their names, so a visitor sees their work.
        logins = {name: staff[name] for name in ("clerk", "clerk2", "grid") if name in staff}
        posts = {name: list(user.units.all()) for name, user in logins.items()}
        self.desk = {u.pk: logins[n] for n in ("clerk", "clerk2") for u in posts.get(n, [])}
        self.patrol = {u.pk: logins["grid"] for u in posts.get("grid", [])}
        self.leader = staff.get("leader")
        self.leader_paths = tuple(u.path for u in self.leader.units.all()) if self.leader else ()
        self.referrer = staff.get("admin") or User.objects.filter(is_superuser=True).first()
        self.routing = RoutingCache()


class _Life:
    """One case's life as it would have happened, cut at today: its status, timeline and
    assignments."""

    def __init__(self, bundle: CaseBundle, cut: datetime, actor: Any) -> None:
        self.bundle, self.case, self.cut, self.actor = bundle, bundle.case, cut, actor
        self.status: str = S.REGISTERED
        leads = [a for a in bundle.assignments if a.role == AssignmentRole.LEAD]
        self.lead: Assignment | None = leads[0] if leads else None
        self.team = list(bundle.assignments)

    def step(self, at: datetime, action: str, to: str, message: str = "", **data: Any) -> bool:
        """Record a transition; False (and nothing recorded) once ``at`` lies past today."""
        if at > self.cut:
            return False
        actor = None if data.get("automatic") else self.actor
        self.bundle.events.append(
            TimelineEvent(
                at=at,
                actor=actor,
                kind=EventKind.TRANSITION,
                action=action,
                from_status=self.status,
                to_status=to,
                message=message,
                public=True,
                data=data,
            )
        )
        self.status = to
        return True

    def breach(self, at: datetime, kind: str) -> None:
        when = timezone.localtime(at)
        message = system_text(
            gettext_noop("%(label)s deadline %(due)s breached: marked overdue"),
            label=DeadlineKind(kind).label,
            due=f"{when:%Y-%m-%d %H:%M}",
        )
        self.bundle.events.append(
            TimelineEvent(at=at, kind=EventKind.DEADLINE, action="breach", message=message)
        )

    def escalate(self, at: datetime, routing: RoutingCache, *, automatic: bool) -> None:
        """Hand the lead one level up, as ``lifecycle`` does (by hand or by the deadline timer)."""
        case = self.case
        reason = (
            system_text(
                gettext_noop("%(label)s deadline breached"), label=DeadlineKind.RESOLVE.label
            )
            if automatic
            else "基层调解未果，申请上级综治中心协调"
        )
        if automatic:
            self.breach(at, DeadlineKind.RESOLVE)
        self.step(
            at, Action.ESCALATE, S.ESCALATED, reason, **({"automatic": True} if automatic else {})
        )
        if self.lead is not None:
            self.lead.status, self.lead.completed_at = AssignmentStatus.RETURNED, at
            self.team.remove(self.lead)
        self.actor = None  # the demo logins work below; the level above acts unnamed
        parent, department = routing.escalation(case.lead_unit, case.category)
        case.lead_unit, case.lead_unit_path, case.lead_department = parent, parent.path, department
        case.escalation_count += 1
        case.overdue = False
        case.accept_deadline = at + timedelta(minutes=case.category.acceptance_minutes)
        case.resolve_deadline = max(
            case.resolve_deadline, at + timedelta(days=case.category.resolution_days)
        )
        self.lead = None
        if department is not None:
            self.lead = Assignment(
                department=department,
                role=AssignmentRole.LEAD,
                task=system_text(gettext_noop("escalated: %(reason)s"), reason=reason),
                deadline=case.resolve_deadline,
                created_at=at,
            )
            self.bundle.assignments.append(self.lead)
            self.team.append(self.lead)

    def settle(self) -> None:
        """The case's status today, and its assignments' to match."""
        case = self.case
        case.status = self.status
        for row in self.team:
            row.deadline = case.resolve_deadline
            if case.resolved_at is not None:
                row.status, row.completed_at = AssignmentStatus.DONE, case.resolved_at
            elif self.status in {S.WITHDRAWN, S.REFERRED, S.CLOSED}:
                row.status = AssignmentStatus.CANCELLED
            elif self.status in {S.ACCEPTED, S.IN_HANDLING}:
                row.status = AssignmentStatus.ACCEPTED


class _Planner:
    def __init__(self, region: _Region, seed: int, today: date) -> None:
        self.region, self.today = region, today
        self.rng = random.Random(seed)
        self.people = People(self.rng)
        self.cut = datetime.combine(today, time(0, 0), tzinfo=timezone.get_current_timezone())
        # Category weights per month: majors' shares, minors' within them, seasonal boosts.
        within: dict[int | None, float] = {}
        for c in region.categories:
            within[c.parent_id] = within.get(c.parent_id, 0.0) + MINORS.get(c.code, 1.0)
        self.category_weights = {
            month: [
                MAJORS.get(_major(c), 0.5)
                * MINORS.get(c.code, 1.0)
                / within[c.parent_id]
                * MONTH_BOOST.get(_major(c), {}).get(month, 1.0)
                for c in region.categories
            ]
            for month in range(1, 13)
        }
        self.channel_codes = [code for code in CHANNELS if code in region.channels]
        self.channel_weights = {
            major: [CHANNELS[c] * CHANNEL_BOOST.get(major, {}).get(c, 1.0) for c in codes]
            for major in MAJORS
            for codes in [self.channel_codes]
        }

    def registrations(self, count: int) -> list[datetime]:
        """When cases arrived: by season, weekday and a slow rise (more is found each year)."""
        days = [self.today - timedelta(days=n) for n in range(WINDOW_DAYS, 0, -1)]
        weights = [
            SEASON[d.month] * WEEKDAY[d.weekday()] * (0.85 + 0.3 * i / len(days))
            for i, d in enumerate(days)
        ]
        moments = []
        for day in self.rng.choices(days, weights, k=count):
            minute = int(self.rng.triangular(7.5 * 60, 21 * 60, 10 * 60))
            moments.append(datetime.combine(day, time(minute // 60, minute % 60), self.cut.tzinfo))
        return sorted(moments)

    def bundle(self, n: int, registered: datetime) -> CaseBundle:
        rng, region = self.rng, self.region
        category = rng.choices(region.categories, self.category_weights[registered.month])[0]
        major = _major(category)
        code = rng.choices(self.channel_codes, self.channel_weights.get(major))[0]
        channel = region.channels[code]
        grid = rng.choices(region.grids, region.grid_weights)[0]
        village, township = region.village[grid.pk], region.township[grid.pk]
        risk = category.default_risk
        if risk == RiskColour.GREEN and rng.random() < 0.03:
            risk = RiskColour.ORANGE
        elif risk != RiskColour.RED and rng.random() < 0.004:
            risk = RiskColour.RED
        people = 1 if rng.random() < 0.93 else rng.randint(2, 12)
        if major == "M10" and rng.random() < 0.15:
            people = rng.randint(30, 120)
        low, high = AMOUNTS.get(major, (1.0, 1.0))
        amount = Decimal(round(math.exp(rng.uniform(math.log(low), math.log(high)))))
        if high <= 1:
            amount = Decimal(0)
        routed = region.routing.decide(
            category=category,
            channel=channel,
            territory=grid,
            risk_colour=risk,
            people_involved=people,
            amount=amount,
        )
        parties = self._parties(major, township.name, registered)
        applicant, other = parties[0].name, parties[1].name
        minor = category.name_zh.removesuffix("纠纷")
        story = STORY[major].format(a=applicant, r=other, m=minor, y=f"{amount:,.0f}")
        registrar = region.patrol.get(grid.pk) if code == "grid-patrol" else None
        registrar = (
            registrar or region.desk.get(routed.lead_unit.pk) or region.desk.get(township.pk)
        )
        red_here = risk == RiskColour.RED and grid.path.startswith(region.leader_paths)
        office = "居委会" if village.name.endswith("社区") else "村委会"
        respondent = other if len(other) > 4 else f"{other[0]}某"  # firms keep their names
        case, prefix = new_case(
            routed=routed,
            territory=grid,
            registered=registered,
            category=category,
            channel=channel,
            status=S.REGISTERED,
            people_involved=people,
            amount=amount,
            title=f"{applicant[0]}某与{respondent}{category.name_zh}",
            description=story,
            address=f"{township.name}{village.name}{office}附近{rng.randint(1, 60)}号",
            risk_colour=risk,
            risk_reason="" if risk == category.default_risk else "涉及人数较多，存在矛盾激化风险",
            created_by=registrar,
            leader=region.leader if red_here else None,
        )
        created = TimelineEvent(
            at=registered,
            actor=registrar,
            kind=EventKind.CREATED,
            public=True,
            to_status=S.REGISTERED,
            message=system_text(
                gettext_noop("registered via %(channel)s"), channel=channel.name_zh
            ),
        )
        citizen = not channel.is_proactive  # patrols and sensors have no reporter to call back
        report = Report(
            channel=channel,
            external_id=EXTERNAL_ID.format(n),
            received_at=registered,
            reporter_name=applicant if citizen else "",
            reporter_phone=parties[0].phone if citizen else "",
            content=story,
            created_at=registered,
        )
        bundle = CaseBundle(case, report, prefix, parties, [created])
        bundle.assignments = routed_assignments(
            routed, at=registered, deadline=case.resolve_deadline
        )
        self._live(_Life(bundle, self.cut, registrar), major)
        return bundle

    def _parties(self, major: str, township: str, registered: datetime) -> list[Party]:
        people = self.people
        name, sex = people.name()
        known = self.rng.random() < 0.75  # most applicants show their ID card
        id_number = people.id_number(sex, registered.date()) if known else ""
        parties = [Party(role="applicant", name=name, phone=people.phone(), id_number=id_number)]
        if self.rng.random() < ORGANISATION_SHARE.get(major, 0.0):
            firm, code = people.firm(ORGANISATIONS[major], t=township)
            parties.append(Party(role="respondent", kind="organisation", name=firm, org_code=code))
        else:
            parties.append(Party(role="respondent", name=people.name()[0], phone=people.phone()))
        for party in parties:
            party.created_at = registered
        return parties

    def _live(self, life: _Life, major: str) -> None:
        """Accept, handle, and end the case: resolved and closed mostly; sometimes escalated,
        referred to the courts or withdrawn; stopped wherever today falls."""
        rng, case = self.rng, life.case
        late = rng.random() < 0.04
        window = (case.accept_deadline - case.created_at).total_seconds() / 60
        minutes = rng.uniform(window + 5, 180) if late else rng.uniform(1, 0.9 * window)
        accepted = case.created_at + timedelta(minutes=minutes)
        if late and case.accept_deadline <= life.cut:
            life.breach(case.accept_deadline, DeadlineKind.ACCEPT)
            case.overdue = True
        start = accepted + timedelta(minutes=rng.uniform(5, 90))
        if life.step(accepted, Action.ACCEPT, S.ACCEPTED):
            case.accepted_at = accepted
            if life.step(start, Action.START, S.IN_HANDLING):
                self._end(life, major, start)
        life.settle()

    def _end(self, life: _Life, major: str, start: datetime) -> None:
        rng, case = self.rng, life.case
        fate = rng.random()
        window = case.resolve_deadline - start
        if fate < 0.04:
            at = start + window * rng.uniform(0.05, 0.4)
            life.step(at, Action.WITHDRAW, S.WITHDRAWN, "双方自行和解，申请人撤回申请")
            return
        if fate < 0.04 + (0.07 if major in {"M10", "M04", "M16", "M13"} else 0.02):
            self._refer(life, major, start + window * rng.uniform(0.2, 0.7))
            return
        # Most cases settle well inside their deadline; about 2% overrun it.
        resolved = start + window * min(rng.lognormvariate(math.log(0.3), 0.6), 3.0)
        due = case.resolve_deadline
        if fate > 0.94 and case.lead_unit.level > Level.DISTRICT:
            # The front asks the level above for help before its deadline runs out.
            at = start + (min(resolved, due) - start) * 0.5
            if at <= life.cut:
                life.escalate(at, self.region.routing, automatic=False)
                self._taken_up(life, at)
                resolved = at + (case.resolve_deadline - at) * rng.uniform(0.15, 0.7)
        elif resolved > due and due <= life.cut and case.lead_unit.parent_id is not None:
            life.escalate(due, self.region.routing, automatic=True)
            self._taken_up(life, due)
            resolved = due + (case.resolve_deadline - due) * rng.uniform(0.15, 0.7)
        note = SETTLED[Level(max(case.lead_unit.level, Level.DISTRICT))]
        if life.step(resolved, Action.RESOLVE, S.RESOLVED, public_note=note):
            case.resolved_at = resolved
            closed = resolved + timedelta(days=rng.uniform(1, 5))
            if life.step(closed, Action.CLOSE, S.CLOSED, "回访当事人满意，结案"):
                case.closed_at = closed

    def _taken_up(self, life: _Life, at: datetime) -> None:
        """The level above accepts the escalated case and starts on it."""
        accepted = at + timedelta(minutes=self.rng.uniform(10, 120))
        if life.step(accepted, Action.ACCEPT, S.ACCEPTED):
            life.step(accepted + timedelta(minutes=30), Action.START, S.IN_HANDLING)

    def _refer(self, life: _Life, major: str, at: datetime) -> None:
        kinds = (ReferralKind.LITIGATION, ReferralKind.LITIGATION, ReferralKind.ARBITRATION)
        kind = ReferralKind.LABOUR_ARBITRATION if major == "M10" else self.rng.choice(kinds)
        bodies = {"labour_arbitration": "劳动人事争议仲裁院", "arbitration": "仲裁委员会"}
        body = bodies.get(kind, "人民法院")
        reason = "多次调解未果，引导当事人依法通过诉讼或仲裁解决"
        if not life.step(at, Action.REFER, S.REFERRED, reason, referral_kind=kind):
            return
        referrer = life.actor or self.region.referrer
        if referrer is not None:
            life.bundle.referrals.append(
                Referral(kind=kind, body=body, reason=reason, referred_by=referrer, created_at=at)
            )
        closed = at + timedelta(days=self.rng.uniform(2, 10))
        if life.step(closed, Action.CLOSE, S.CLOSED, f"已移交{body}，跟踪回访后结案"):
            life.case.closed_at = closed


def plan_demo_cases(*, seed: int, count: int, today: date) -> list[CaseBundle]:
    """The generated cases, unsaved; the same seed, count, date and region give the same cases."""
    planner = _Planner(_Region(OrgUnit.objects.get(code=CITY_CODE)), seed, today)
    return [planner.bundle(n, at) for n, at in enumerate(planner.registrations(count), start=1)]


def demo_case_statuses() -> dict[str, int]:
    rows = Case.objects.filter(reports__external_id__startswith="DEMO-").values_list("status")
    return dict(rows.annotate(n=Count("id")).order_by())


def load_demo_cases(
    *,
    seed: int = DEFAULT_SEED,
    stdout: TextIO | None = None,
    count: int = DEMO_CASE_COUNT,
    today: date | None = None,
    stories: bool = True,
) -> DemoCasesSummary:
    """Generate the demo cases and (unless told not to) the four stories, in one transaction;
    nothing when they are already there."""
    say = _printer(stdout)
    with transaction.atomic(durable=True):
        if Report.objects.filter(external_id=EXTERNAL_ID.format(1)).exists():
            say("The demo cases are already loaded; nothing created")
            by_status = demo_case_statuses()
            return DemoCasesSummary(False, sum(by_status.values()), by_status)
        bundles = plan_demo_cases(seed=seed, count=count, today=today or timezone.localdate())
        for start in range(0, len(bundles), _BATCH):
            bulk_write(bundles[start : start + _BATCH])
        told = load_stories(seed=seed) if stories else []
    by_status = dict(Counter(b.case.status for b in bundles))
    counts = ", ".join(f"{n} {status}" for status, n in sorted(by_status.items()))
    say(f"Created {len(bundles)} demo cases: {counts}")
    for line in told:
        say(f"  story: {line}")
    return DemoCasesSummary(True, len(bundles), by_status, tuple(told))
