"""Demo employers under labour-dispute watch, loaded once by ``init --demo`` after the cases.

About three hundred enterprises and construction projects across the demo region with twelve
months of industry data (seeded), imported through the real import service and scored month by
month, so the ranked list, the maps, each employer's history and the warnings have something to
show. Among them the construction project behind the report's wage-arrears story: a resettlement
housing project in 永川区卫星湖街道 whose subcontractors owed 160 workers 2.1 million yuan. Its
delays build up over the months before the workers came to the mediation room (red), are paid
after the agreement, and start building up again lately. Firms that are respondents of the demo's
labour cases are among the employers too, so their earlier complaints count.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TextIO

from django.db.models import Count
from django.utils import timezone

from fengqiao.cases.models import Party, Report
from fengqiao.demo.names import VILLAGE_STEMS
from fengqiao.demo.plan import DEFAULT_SEED
from fengqiao.demo.stories import STORY_IDS, People
from fengqiao.labour.complaints import add_months
from fengqiao.labour.creditcode import normalise_credit_code
from fengqiao.labour.models import Employer, LabourScore
from fengqiao.labour.services import indicators_import, labour_refresh
from fengqiao.orgs import geometry
from fengqiao.orgs.models import Level, OrgUnit

DEMO_EMPLOYERS = 300
MONTHS = 12
STORY_PROJECT = "2023-500118-47-01-000160"
STORY_PROJECT_NAME = "卫星湖街道农转非安置房建设项目"
STORY_CONTRACTOR = "重庆永川建工集团有限公司"
# How many of the demo's labour-case respondents become employers.
CASE_FIRMS = 40

ENTERPRISE_WORDS = (
    ("机械制造", "制造业"), ("电子科技", "制造业"), ("服装", "制造业"), ("食品", "食品加工"),
    ("物流", "交通运输"), ("建材", "建材"), ("物业服务", "物业服务"), ("餐饮管理", "住宿餐饮"),
    ("建筑劳务", "建筑业"), ("汽车配件", "制造业"), ("商贸", "批发零售"), ("家具", "制造业"),
)  # fmt: skip
PROJECT_WORDS = (
    "安置房建设", "道路改造", "学校新建", "标准厂房建设", "商住楼", "污水管网", "医院综合楼",
    "农贸市场改造", "保障性住房", "桥梁",
)  # fmt: skip


@dataclass(frozen=True)
class DemoLabourSummary:
    created: bool
    employers: int
    months: int
    by_colour: dict[str, int]
    warnings: int = 0

    def summary(self) -> str:
        colours = ", ".join(f"{n} {c}" for c, n in sorted(self.by_colour.items()))
        return f"{self.employers} employers, {self.months} months; latest month {colours}"


def _printer(stdout: TextIO | None) -> Callable[[str], object]:
    return lambda message: stdout and stdout.write(message + "\n")


def _latest_colours() -> dict[str, int]:
    latest = LabourScore.objects.order_by("-period").values_list("period", flat=True).first()
    if latest is None:
        return {}
    rows = LabourScore.objects.filter(period=latest).values_list("colour").annotate(n=Count("id"))
    return dict(rows.order_by())


class _Planner:
    """Employers and their monthly rows, drawn from a seeded generator."""

    def __init__(self, seed: int, today: date) -> None:
        self.rng = random.Random(seed)
        self.people = People(self.rng)
        self.months = [add_months(date(today.year, today.month, 1), -n) for n in range(MONTHS)][
            ::-1
        ]
        self.grids = list(
            OrgUnit.objects.filter(level=Level.GRID, is_active=True, centroid_lat__isnull=False)
            .select_related("parent__parent")
            .defer("boundary", "parent__boundary", "parent__parent__boundary")
            .order_by("path")
        )
        self.rows: list[dict[str, Any]] = []
        self.codes: set[str] = set()

    def point(self, grid: OrgUnit) -> tuple[float, float]:
        """A point near the grid's centre that still lies inside it."""
        centre = (
            grid.centroid_lng or 0.0,
            grid.centroid_lat or 0.0,
        )  # the planner's grids have one
        for _ in range(4):
            lng = centre[0] + self.rng.uniform(-0.003, 0.003)
            lat = centre[1] + self.rng.uniform(-0.003, 0.003)
            if geometry.resolve_grid_ids([(lng, lat)]) == [grid.pk]:
                return round(lng, 6), round(lat, 6)
        return centre

    def add(self, details: dict[str, Any], series: list[dict[str, Any]]) -> None:
        self.codes.add(details["code"])
        for month, values in zip(self.months, series, strict=True):
            row = {"period": f"{month:%Y-%m}", **details}
            row.update({k: _cell(v) for k, v in values.items()})
            self.rows.append(row)
            details = {"code": details["code"]}  # the details once, on the first row

    def employer(
        self, grid: OrgUnit, *, kind: str, name: str = "", code: str = ""
    ) -> dict[str, Any]:
        lng, lat = self.point(grid)
        township = grid.parent.parent.name if grid.parent and grid.parent.parent else ""
        if kind == "project":
            word = self.rng.choice(PROJECT_WORDS)
            name = name or f"{township}{self.rng.choice(VILLAGE_STEMS)}{word}项目"
            code = (
                code
                or f"{self.rng.randint(2021, 2025)}-{grid.code[:6]}-47-01-{self.rng.randrange(10**6):06d}"
            )
            contractor, contractor_code = self.people.firm("重庆{w}建设工程有限公司")
            details = {"industry": "建筑业", "contractor": contractor,
                       "contractor_code": contractor_code,
                       "workers": self.rng.choice((40, 60, 80, 120, 200, 300))}  # fmt: skip
        else:
            word, industry = self.rng.choice(ENTERPRISE_WORDS)
            if not name:
                name, code = self.people.firm("重庆{w}" + word + "有限公司")
            details = {"industry": industry, "workers": self.rng.choice((15, 30, 50, 80, 150, 400))}
        return {"code": code, "kind": kind, "name": name, "lng": lng, "lat": lat,
                "address": f"{township}{grid.parent.name if grid.parent else ''}", **details}  # fmt: skip

    def series(self, kind: str, workers: int, level: float) -> list[dict[str, float]]:
        """Twelve months of a stress level drifting from ``level``, as indicator values."""
        rng, out = self.rng, []
        trend = rng.uniform(-0.02, 0.05) if level > 0.3 else rng.uniform(-0.01, 0.02)
        stress = level
        for _ in self.months:
            stress = min(max(stress + trend + rng.gauss(0, 0.06), 0.0), 1.0)
            out.append(_values(rng, kind, workers, stress))
        return out


def _cell(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def _values(rng: random.Random, kind: str, workers: int, stress: float) -> dict[str, float]:
    late = stress > 0.2
    values: dict[str, Any] = {
        "wage_delay_days": round(stress * 110) if late else 0,
        "wage_delay_workers": round(workers * min(1.0, stress * 1.1)) if late else 0,
        "social_insurance_months": round(stress * 6.5) if stress > 0.3 else 0,
        # Utility companies report only some months.
        "utility_arrears_months": (round(stress * 5) if stress > 0.35 else 0)
        if rng.random() < 0.8
        else None,
    }
    if kind == "project":
        contract = workers * 15_000
        values["progress_overdue_amount"] = round(contract * stress * 1.3, -3) if late else 0
        values["progress_overdue_days"] = round(stress * 100) if late else 0
    return values


def _story(planner: _Planner, today: date) -> None:
    """The project of the wage-arrears story and its three subcontractors."""
    report = Report.objects.filter(external_id=STORY_IDS["wages"]).select_related("case").first()
    yongchuan = OrgUnit.objects.filter(code="500118000000").first()
    grid_id = report.case.territory_id if report else None
    grid = next((g for g in planner.grids if g.pk == grid_id), None)
    if grid is None:
        towns = [g for g in planner.grids if yongchuan and g.path.startswith(yongchuan.path)]
        grid = next((g for g in towns if g.parent and g.parent.parent and
                     g.parent.parent.name == "卫星湖街道"), (towns or planner.grids)[0])  # fmt: skip
    story_month = date(today.year, today.month, 1)
    if report is not None:
        registered = timezone.localtime(report.case.created_at).date()
        story_month = date(registered.year, registered.month, 1)
    lng, lat = planner.point(grid)
    contractor_code = planner.people.credit_code()
    project = {"code": STORY_PROJECT, "kind": "project", "name": STORY_PROJECT_NAME,
               "industry": "建筑业", "workers": 160, "contractor": STORY_CONTRACTOR,
               "contractor_code": contractor_code, "lng": lng, "lat": lat,
               "address": f"永川区{STORY_PROJECT_NAME}工地"}  # fmt: skip
    # Months before the workers came: delays and unpaid progress payments build up; after the
    # agreement everything is paid; lately a new round of delays begins.
    build_up = {-3: (20, 60, 600_000, 30, 0), -2: (35, 110, 1_200_000, 45, 1),
                -1: (60, 160, 1_800_000, 75, 2), 0: (75, 160, 2_100_000, 90, 3)}  # fmt: skip
    series = []
    for n, month in enumerate(planner.months):
        offset = (month.year - story_month.year) * 12 + month.month - story_month.month
        days, unpaid, amount, overdue, insurance = build_up.get(offset, (0, 0, 0, 0, 0))
        if n >= MONTHS - 2 and offset > 1:
            days, unpaid, amount, overdue, insurance = (
                (25, 60, 700_000, 35, 1) if n == MONTHS - 2 else (45, 90, 1_300_000, 55, 2)
            )
        series.append({"wage_delay_days": days, "wage_delay_workers": unpaid,
                       "social_insurance_months": insurance, "utility_arrears_months": 0,
                       "progress_overdue_amount": amount, "progress_overdue_days": overdue})  # fmt: skip
    planner.add(project, series)
    firms: list[tuple[str, str]] = []
    if report is not None:
        firms = list(
            Party.objects.filter(case=report.case, kind="organisation")
            .exclude(org_code="")
            .values_list("name", "org_code")
        )
    for name, code in firms:
        details = planner.employer(grid, kind="enterprise", name=name, code=code)
        details.update(industry="建筑劳务", workers=55)
        sub = []
        for month in planner.months:
            offset = (month.year - story_month.year) * 12 + month.month - story_month.month
            days = {-2: 30, -1: 55, 0: 75}.get(offset, 0)
            sub.append({"wage_delay_days": days, "wage_delay_workers": 53 if days else 0,
                        "social_insurance_months": 2 if days > 50 else 0})  # fmt: skip
        planner.add(details, sub)


def _case_firms(planner: _Planner) -> None:
    """Respondent firms of the demo's labour cases, where the case happened."""
    grids = {g.pk: g for g in planner.grids}
    rows = (
        Party.objects.filter(kind="organisation", case__category__code__startswith="M10")
        .exclude(org_code="")
        .values_list("name", "org_code", "case__territory_id")
        .order_by("pk")
    )
    added = 0
    for name, code, grid_id in rows:
        if added >= CASE_FIRMS or code in planner.codes or grid_id not in grids:
            continue
        try:
            normalise_credit_code(code)
        except ValueError:
            continue
        details = planner.employer(grids[grid_id], kind="enterprise", name=name, code=code)
        planner.add(
            details, planner.series("enterprise", details["workers"], planner.rng.uniform(0.1, 0.5))
        )
        added += 1


def load_demo_labour(
    stdout: TextIO | None = None,
    *,
    seed: int = DEFAULT_SEED,
    count: int = DEMO_EMPLOYERS,
    today: date | None = None,
) -> DemoLabourSummary:
    """Register the demo employers with twelve months of data and score every month; nothing
    when they are already there."""
    say = _printer(stdout)
    if Employer.objects.filter(code=STORY_PROJECT).exists():
        say("The demo employers are already loaded; nothing created")
        return DemoLabourSummary(False, Employer.objects.count(), MONTHS, _latest_colours())
    today = today or timezone.localdate()
    planner = _Planner(seed, today)
    if not planner.grids:
        say("No grids in the demo region; no demo employers")
        return DemoLabourSummary(False, 0, 0, {})
    _story(planner, today)
    _case_firms(planner)
    rng = planner.rng
    while len(planner.codes) < count:
        grid = rng.choice(planner.grids)
        kind = "project" if rng.random() < 0.3 else "enterprise"
        details = planner.employer(grid, kind=kind)
        if details["code"] in planner.codes:
            continue
        level = rng.choice((0.0, 0.0, 0.0, 0.05, 0.05, 0.1, 0.1, 0.15, 0.2, 0.3, 0.45, 0.65))
        planner.add(details, planner.series(kind, details["workers"], level))
    indicators_import(actor=None, rows=list(enumerate(planner.rows, start=2)), queue_rescore=False)
    result = labour_refresh(periods=planner.months)
    by_colour = _latest_colours()
    say(
        f"Created {len(planner.codes)} demo employers with {MONTHS} months of labour data; "
        f"{result.warnings} labour warnings"
    )
    return DemoLabourSummary(True, len(planner.codes), MONTHS, by_colour, result.warnings)
