"""Demo risk points, devices and warnings, loaded once by ``init --demo`` after the demo cases.

About forty risk points (septic tanks, slopes, gas stations, construction sites, water level
stations…) across the demo region's grids, each with one or two devices, and warnings in every
state of their lifecycle, all made through the real services. Among them the report's story: the
septic tank of 农转非 resettlement housing No. 2 in 渝北区龙塔街道工农社区 is found past its
maintenance date at 10:05, assigned to the township at once, verified on site by the community's
grid worker at 10:26, handled at 10:31 and closed with feedback at 10:35. The services stamp the
present moment; each step is then moved back to the time the story gives it.

A second grid worker login, ``grid2`` (工农社区), is created with the demo password, so the
septic-tank warnings of 龙塔街道 can be verified live from a phone.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone
from shapely.geometry import Point

from fengqiao.accounts.models import Role, User
from fengqiao.accounts.services import user_create
from fengqiao.demo.plan import DEFAULT_SEED
from fengqiao.demo.region import DEMO_PASSWORD
from fengqiao.early_warning import services
from fengqiao.early_warning.models import (
    Device,
    RiskPoint,
    RiskPointType,
    Warning,
    WarningEvent,
    WarningRule,
)
from fengqiao.early_warning.points import PointIn, point_write
from fengqiao.early_warning.rules import load_default_rules
from fengqiao.orgs.geometry import parse_boundary
from fengqiao.orgs.models import Level, OrgUnit

# The second grid worker (工农社区) who verifies the septic-tank warning on site.
STORY_GRID_WORKER = "grid2"
SEPTIC_CODE = "YB-LT-HFC-0002"
POINT_COUNT = 40

# (type, name pattern, signal kind, rule, maintenance interval days)
_KINDS = (
    ("septic_tank", "{v}{n}号化粪池", "level", "septic.level", 90),
    ("slope", "{v}后山边坡{n}号监测点", "displacement", "slope.displacement_rate", 180),
    ("gas_station", "{v}加气站", "gas", "gas.leak", 30),
    ("construction_site", "{v}安置房{n}期工地", "pm10", "site.dust_high", 60),
    ("water_level", "{v}河段{n}号水位站", "water_level", "water.level_high", 120),
)


@dataclass
class DemoWarningsSummary:
    created: bool
    points: int = 0
    devices: int = 0
    warnings: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        by_status = ", ".join(f"{n} {s}" for s, n in sorted(self.warnings.items()))
        return f"{self.points} risk points, {self.devices} devices, warnings: {by_status or 'none'}"


def _printer(stdout: TextIO | None) -> Callable[[str], object]:
    def say(text: str) -> None:
        if stdout is not None:
            stdout.write(text + "\n")

    return say


def _inside(grid: OrgUnit, rng: random.Random) -> tuple[float, float]:
    """A random (lng, lat) inside the grid's boundary."""
    assert grid.boundary is not None  # noqa: S101 - callers pick grids with boundaries
    shape = parse_boundary(grid.boundary)
    min_x, min_y, max_x, max_y = shape.bounds
    for _attempt in range(200):
        x, y = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
        if shape.contains(Point(x, y)):
            return round(x, 6), round(y, 6)
    spot = shape.representative_point()
    return spot.x, spot.y


def _grid_worker(grid: OrgUnit) -> User:
    user = User.objects.filter(username=STORY_GRID_WORKER).first()
    if user is None:
        user = user_create(
            username=STORY_GRID_WORKER,
            password=DEMO_PASSWORD,
            role=Role.GRID_WORKER,
            units=[grid],
            display_name="何小燕",
            check_password_strength=False,
        )
    return user


def _point(
    code: str, name: str, kind: str, grid: OrgUnit, rng: random.Random, **extra: Any
) -> RiskPoint:
    lng, lat = extra.pop("at", None) or _inside(grid, rng)
    data = PointIn(code=code, name=name, point_type=RiskPointType(kind), lng=lng, lat=lat, **extra)
    point, _state = point_write(actor=None, data=data, grid=grid)
    return point


def _retime(warning: Warning, times: list[datetime]) -> None:
    """Move the warning's events (in order) and its stamps back to the story's times."""
    events = list(WarningEvent.objects.filter(warning=warning).order_by("at", "pk"))
    for event, at in zip(events, times, strict=False):
        WarningEvent.objects.filter(pk=event.pk).update(at=at)
    by_kind = {e.kind: at for e, at in zip(events, times, strict=False)}
    raised = times[0]
    fields: dict[str, Any] = {
        "created_at": raised,
        "first_fired_at": raised,
        "last_fired_at": raised,
        "assigned_at": by_kind.get("assigned"),
        "deadline": by_kind["assigned"] + timedelta(minutes=warning.rule.deadline_minutes)
        if "assigned" in by_kind
        else None,
    }
    if "verified" in by_kind or "false_alarm" in by_kind:
        fields["verified_at"] = by_kind.get("verified") or by_kind.get("false_alarm")
    if "handled" in by_kind:
        fields["handled_at"] = by_kind["handled"]
    for final in ("closed", "false_alarm", "converted"):
        if final in by_kind:
            fields["closed_at"] = by_kind[final]
    Warning.objects.filter(pk=warning.pk).update(**fields)


def _septic_story(tank: RiskPoint, worker: User, clerk: User, day: date) -> Warning:
    def at(hh_mm_ss: str) -> datetime:
        return timezone.make_aware(datetime.combine(day, time.fromisoformat(hh_mm_ss)))

    warning = services.warning_raise(
        rule_code="septic.maintenance",
        subject_key=f"point:{tank.code}:story",
        unit=tank.grid,
        colour="orange",
        title=f"{tank.name}：化粪池维保检查超期",
        explanation="小区公共设施设备预警模块检测到化粪池维保检查超期，易引发衍生群体性物业纠纷",
        value=12.0,
        lng=tank.lng,
        lat=tank.lat,
        risk_point=tank,
    )
    warning = services.warning_verify(
        actor=worker,
        warning_id=warning.pk,
        expected_version=None,
        confirmed=True,
        note="龙塔街道、工农社区会同涉事物业公司现场核实，情况属实；同步开展检修保养、隐患排查",
    )
    warning = services.warning_handle(
        actor=clerk,
        warning_id=warning.pk,
        expected_version=None,
        note="化粪池检修保养完成，隐患排除",
    )
    warning = services.warning_close(
        actor=clerk,
        warning_id=warning.pk,
        expected_version=None,
        feedback="已办结，结果反馈区数字化城市运行和治理中心",
    )
    _retime(
        warning,
        [at("10:05:00"), at("10:05:20"), at("10:26:00"), at("10:31:00"), at("10:35:00")],
    )
    RiskPoint.objects.filter(pk=tank.pk).update(last_maintained_on=day)
    return warning


def load_demo_warnings(
    *, seed: int = DEFAULT_SEED, stdout: TextIO | None = None, today: date | None = None
) -> DemoWarningsSummary:
    """Create the demo risk points and warnings in one transaction; nothing if already there."""
    say = _printer(stdout)
    if RiskPoint.objects.filter(code=SEPTIC_CODE).exists():
        say("The demo risk points are already loaded; nothing created")
        return DemoWarningsSummary(False, RiskPoint.objects.count(), Device.objects.count())
    today = today or timezone.localdate()
    rng = random.Random(seed)
    with transaction.atomic(durable=True):
        load_default_rules()
        summary = _load(rng, today)
    say(f"Created {summary.summary()}")
    return summary


def _load(rng: random.Random, today: date) -> DemoWarningsSummary:
    yubei = OrgUnit.objects.get(code="500112000000")
    longta = (
        OrgUnit.objects.filter(parent=yubei, name="龙塔街道").first()
        or OrgUnit.objects.filter(parent=yubei).order_by("path")[0]
    )
    community = (
        OrgUnit.objects.filter(parent=longta, name="工农社区").first()
        or OrgUnit.objects.filter(parent=longta).order_by("path")[0]
    )
    story_grid = OrgUnit.objects.filter(parent=community, level=Level.GRID).order_by("path")[0]
    worker = _grid_worker(story_grid)
    clerk2 = User.objects.get(username="clerk2")
    tank = _point(
        SEPTIC_CODE,
        f"{community.name}农转非安置房2号化粪池",
        "septic_tank",
        story_grid,
        rng,
        address=f"渝北区龙塔街道{community.name}农转非安置房2号楼旁",
        owner_org="重庆安居物业服务有限公司",
        owner_contact="陈经理",
        owner_phone="13983012345",
        maintenance_interval_days=90,
        last_maintained_on=today - timedelta(days=60),
        devices=[f"{SEPTIC_CODE}-LV", f"{SEPTIC_CODE}-CH4"],
    )
    story_day = date(today.year, 3, 11)
    if story_day > today - timedelta(days=45):
        story_day = date(today.year - 1, 3, 11)
    _septic_story(tank, worker, clerk2, story_day)

    grids = list(
        OrgUnit.objects.filter(level=Level.GRID, boundary__isnull=False, is_active=True)
        .select_related("parent")
        .order_by("path")
    )
    shengli_grid_worker = User.objects.filter(username="grid").first()
    home_grids = [story_grid]
    if shengli_grid_worker is not None:
        home_grids += list(shengli_grid_worker.units.filter(level=Level.GRID))
    # Three points in each demo grid worker's grid, so the logins have warnings to work on.
    chosen = home_grids * 3 + rng.sample(grids, min(POINT_COUNT - 3 * len(home_grids), len(grids)))
    now = timezone.now()
    points: list[tuple[RiskPoint, tuple[str, str, str, str, int]]] = []
    for n, grid in enumerate(chosen, start=1):
        spec = _KINDS[n % len(_KINDS)]
        kind, pattern, signal_kind, _rule, interval = spec
        village = grid.parent.name if grid.parent else grid.name
        overdue = n % 7 == 0
        code = f"DEMO-{kind[:3].upper()}-{n:04d}"
        point = _point(
            code,
            pattern.format(v=village, n=n % 5 + 1),
            kind,
            grid,
            rng,
            address=f"{village}{rng.randint(1, 40)}号附近",
            owner_org=f"{village}{'物业服务中心' if kind == 'septic_tank' else '管理单位'}",
            owner_contact=rng.choice(("王", "李", "张", "刘", "陈")) + "工",
            owner_phone=f"139{rng.randrange(10**8):08d}",
            maintenance_interval_days=interval,
            last_maintained_on=today
            - timedelta(days=interval + 5 if overdue else rng.randint(1, interval - 1)),
            devices=[f"{code}-{signal_kind[:3].upper()}"],
        )
        Device.objects.filter(risk_point=point).update(
            kind=signal_kind,
            source="demo-iot",
            last_seen_at=now - timedelta(minutes=rng.randint(1, 30)),
            last_value=0.0,
        )
        points.append((point, spec))
    _warnings_in_every_state(points, now)
    counts: dict[str, int] = {}
    for status in Warning.objects.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return DemoWarningsSummary(True, RiskPoint.objects.count(), Device.objects.count(), counts)


def _warnings_in_every_state(
    points: list[tuple[RiskPoint, tuple[str, str, str, str, int]]], now: datetime
) -> None:
    """Warnings raised over the last days; those the demo logins can reach move along: assigned,
    verified, handled, closed, a false alarm, and one turned into a case."""
    clerks = [
        (unit.path, user)
        for user in User.objects.filter(role=Role.CLERK, username__in=["clerk", "clerk2"])
        for unit in user.units.all()
    ]
    workers = {g.pk: u for u in User.objects.filter(role=Role.GRID_WORKER) for g in u.units.all()}
    rules = {r.code: r for r in WarningRule.objects.all()}
    values = {"level": 0.92, "displacement": 12.5, "gas": 26.0, "pm10": 188.0, "water_level": 3.9}
    converted = False
    for n, (point, (_kind, _pattern, signal_kind, rule_code, _interval)) in enumerate(points):
        rule = rules[rule_code]
        warning = services.warning_raise(
            rule_code=rule_code,
            subject_key=f"point:{point.code}",
            unit=point.grid,
            colour=rule.colour,
            title=f"{point.name}：{rule.name}",
            explanation=f"{signal_kind} {values[signal_kind]} 超过阈值 {rule.threshold}",
            value=values[signal_kind],
            lng=point.lng,
            lat=point.lat,
            risk_point=point,
        )
        raised = now - timedelta(hours=6 * (n + 1))
        worker = workers.get(point.grid_id)
        clerk = next((c for path, c in clerks if point.unit_path.startswith(path)), None)
        steps = [raised, raised + timedelta(seconds=20)]
        stage = n % 5 if worker is not None and clerk is not None else 0
        if worker is not None and stage >= 1:
            warning = services.warning_verify(
                actor=worker,
                warning_id=warning.pk,
                expected_version=None,
                confirmed=stage != 4,
                note="现场核实属实" if stage != 4 else "现场核实：传感器受干扰，误报",
            )
            steps.append(raised + timedelta(minutes=18))
        if clerk is not None and stage == 1 and not converted:
            warning = services.warning_convert(
                actor=clerk,
                warning_id=warning.pk,
                expected_version=None,
                note="隐患涉及多户居民，转为矛盾纠纷办理",
            )
            steps.append(raised + timedelta(minutes=30))
            converted = True
        if clerk is not None and stage in (2, 3):
            warning = services.warning_handle(
                actor=clerk, warning_id=warning.pk, expected_version=None, note="责任单位已处置"
            )
            steps.append(raised + timedelta(minutes=40))
        if clerk is not None and stage == 3:
            warning = services.warning_close(
                actor=clerk,
                warning_id=warning.pk,
                expected_version=None,
                feedback="处置完毕，已反馈",
            )
            steps.append(raised + timedelta(minutes=55))
        _retime(warning, steps)
