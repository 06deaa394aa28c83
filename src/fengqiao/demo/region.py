"""A deterministic demo region: two Chongqing districts down to grids, with centres, departments,
the "8 + 18 + N" roster and one login per role.

``plan_region`` is pure (no database): it draws the unit tree and its boundaries from a seed.
``load_demo_region`` writes a plan in one transaction with ``bulk_create``, because creating ~1,000
units one service call at a time is far too slow for a first-run experience.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, TextIO

from django.db import transaction
from django.db.models import Count, Max
from rich.console import Console
from rich.text import Text
from shapely.geometry import mapping

from fengqiao.accounts.models import Role, User
from fengqiao.accounts.services import user_create
from fengqiao.demo import names
from fengqiao.demo.names import DISTRICTS, DistrictSpec
from fengqiao.demo.plan import (
    CITY_CODE,
    DEFAULT_SEED,
    FULL_SIZE,
    PlannedUnit,
    RegionSize,
    plan_region,
)
from fengqiao.orgs import geometry
from fengqiao.orgs.models import (
    Department,
    DepartmentType,
    Level,
    OrgUnit,
    Station,
    Stationing,
    StationingMode,
    StationKind,
    child_path,
    subtree_range_kwargs,
)

DEMO_PASSWORD = "fengqiao-demo-2026"  # noqa: S105 - public by design, printed for every demo
# District centres rotate 18 departments over 3 weeks (6 each week); township centres share the
# district court's team every other week.
ROTATION_WEEKS = 3
TOWNSHIP_COURT_ROTATION_WEEKS = 2


@dataclass(frozen=True)
class DemoSummary:
    units_per_level: dict[Level, int]
    departments: int
    stations: int
    stationings: int
    logins: list[tuple[str, str, str]]  # (username, role, unit name)
    created: bool
    password: str = DEMO_PASSWORD


# --- loading -----------------------------------------------------------------------------------


RESIDENT = StationingMode.RESIDENT
ROTATING = StationingMode.ROTATING
ON_CALL = StationingMode.ON_CALL


class _Post(NamedTuple):
    """A department's place in a centre's roster; fields as on ``Stationing``."""

    department: Department
    mode: StationingMode
    rotation_period_weeks: int = 1
    rotation_slot: int = 0


Say = Callable[[str], object]


def _printer(stdout: TextIO | None) -> Say:
    """Progress with rich on a terminal; the same lines without markup into files and pipes."""
    if stdout is not None and stdout.isatty():
        return Console(file=stdout, highlight=False).print
    return lambda message: stdout and stdout.write(Text.from_markup(message).plain + "\n")


def _print_summary(say: Say, summary: DemoSummary) -> None:
    say(", ".join(f"{n} × {level.label}" for level, n in summary.units_per_level.items()))
    say(f"{summary.departments} departments, {summary.stations} stations")
    say(f"{summary.stationings} roster entries at the centres")
    say(f"[bold]Demo logins[/bold] (password [bold]{summary.password}[/bold]):")
    for username, role, unit in summary.logins:
        say(f"  [cyan]{username:<10}[/cyan] {role:<12} {unit}")


def _short(township: str) -> str:
    return township.removesuffix("街道").removesuffix("镇")


def _phone(rng: random.Random, code: str) -> str:
    spec = next((d for d in DISTRICTS if d.code[:6] == code[:6]), DISTRICTS[1])
    return f"023-{spec.phone_prefix}{rng.randint(0, 9999):04d}"


def _insert_units(city: PlannedUnit) -> dict[str, OrgUnit]:
    """Insert level by level, so every level's parents already have primary keys."""
    last_root = OrgUnit.objects.filter(parent__isnull=True).aggregate(last=Max("path"))["last"]
    root_path = child_path("", int(last_root) + 1 if last_root else 1)
    pending: list[tuple[PlannedUnit, OrgUnit | None, str]] = [(city, None, root_path)]
    rows: dict[str, OrgUnit] = {}
    while pending:
        batch = []
        for planned, parent, path in pending:
            unit = OrgUnit(code=planned.code, name=planned.name, name_en=planned.name_en, path=path)
            unit.level, unit.parent, unit.population = planned.level, parent, planned.population
            unit.boundary = mapping(planned.geometry)
            unit.centroid_lat, unit.centroid_lng = geometry.centroid_of(unit.boundary)
            batch.append(unit)
        OrgUnit.objects.bulk_create(batch)
        rows.update((unit.code, unit) for unit in batch)
        pending = [
            (child, unit, child_path(unit.path, serial))
            for (planned, _, _), unit in zip(pending, batch, strict=True)
            for serial, child in enumerate(planned.children, 1)
        ]
    return rows


def _staff(
    templates: Sequence[tuple[str, str]],
    unit: OrgUnit,
    rng: random.Random,
    fmt: dict[str, str],
    mode: StationingMode = RESIDENT,
    weeks: int = 1,
) -> list[_Post]:
    """A department per template, serving its unit's centre in ``mode``; rotating ones take the
    weeks of the rotation period in turn."""
    posts = []
    for i, (kind, template) in enumerate(templates):
        department = Department(name=template.format(**fmt), department_type=kind, org_unit=unit)
        department.phone = _phone(rng, unit.code)
        posts.append(_Post(department, mode, weeks, i % weeks))
    return posts


def _find(posts: dict[str, list[_Post]], code: str, kind: DepartmentType) -> Department:
    return next(post.department for post in posts[code] if post.department.department_type == kind)


def _posts(
    city: PlannedUnit, units: dict[str, OrgUnit], rng: random.Random
) -> dict[str, list[_Post]]:
    """Departments by unit code, with how each serves at that unit's centre ("8 + 18 + N" for a
    district). Villages have no centre; their mediation committees are listed all the same."""
    posts: dict[str, list[_Post]] = {}
    for district, spec in zip(city.children, DISTRICTS, strict=True):
        unit, fmt = units[district.code], {"d": spec.name, "s": spec.short}
        posts[district.code] = [
            *_staff(names.DISTRICT_RESIDENT, unit, rng, fmt),
            *_staff(names.DISTRICT_ROTATING, unit, rng, fmt, ROTATING, ROTATION_WEEKS),
            *_staff(names.DISTRICT_ON_CALL[: rng.randint(3, 6)], unit, rng, fmt, ON_CALL),
        ]
        court = _find(posts, district.code, DepartmentType.COURT)
        weeks = TOWNSHIP_COURT_ROTATION_WEEKS
        for serial, township in enumerate(district.children):
            t_fmt = {"t": _short(township.name), "T": township.name}
            own = _staff(names.TOWNSHIP_DEPARTMENTS, units[township.code], rng, t_fmt)
            posts[township.code] = [*own, _Post(court, ROTATING, weeks, serial % weeks)]
            for village in township.children:
                v_fmt = {"v": village.name}
                posts[village.code] = _staff(
                    names.VILLAGE_DEPARTMENTS, units[village.code], rng, v_fmt
                )
    return posts


def _stations(city: PlannedUnit, units: dict[str, OrgUnit], rng: random.Random) -> list[Station]:
    """Centres at their unit's representative point (its stored centroid), a police sub-centre per
    township, a mediation room per village, a workstation in about a third of grids."""
    stations: list[Station] = []

    def add(kind: StationKind, unit: PlannedUnit, address: str, spot: Any = None) -> None:
        if spot is None or not unit.geometry.contains(spot):
            spot = unit.geometry.representative_point()
        station = Station(kind=kind, org_unit=units[unit.code], lat=spot.y, lng=spot.x)
        station.name = names.STATION_NAMES[kind].format(n=unit.name, t=_short(unit.name))
        station.address = address
        big = unit.level <= Level.DISTRICT
        station.opening_hours = names.HOURS_BIG_CENTRE if big else names.OPENING_HOURS[kind]
        station.phone = _phone(rng, unit.code) if unit.level <= Level.TOWNSHIP else ""
        stations.append(station)

    def road(spec: DistrictSpec, town: str = "") -> str:
        # A town's offices sit on its main street (正街); a street's on a district road.
        if town:
            return f"{town}正街{rng.randint(1, 199)}号"
        return f"{rng.choice(spec.roads)}{rng.randint(1, 399)}号"

    # The city's representative point is also one of its districts', so the city centre goes to
    # the middle of 渝北区 instead, the district nearer the real city centre.
    yubei = city.children[1]
    add(
        StationKind.CENTRE,
        city,
        city.name + yubei.name + road(DISTRICTS[1]),
        yubei.geometry.centroid,
    )
    for district, spec in zip(city.children, DISTRICTS, strict=True):
        add(StationKind.CENTRE, district, city.name + district.name + road(spec))
        for township in district.children:
            here = city.name + district.name + township.name
            town = "" if township.name.endswith("街道") else _short(township.name)
            add(StationKind.CENTRE, township, here + road(spec, town))
            # Away from the township centre: in the middle of the township's second village.
            second = township.children[min(1, len(township.children) - 1)]
            add(StationKind.POLICE_SUBCENTRE, township, here + road(spec), second.geometry.centroid)
            for village in township.children:
                office = "居委会" if village.name.endswith("社区") else "村委会"
                add(StationKind.MEDIATION_ROOM, village, here + village.name + office)
                for grid in village.children:
                    if rng.random() < 1 / 3:
                        add(StationKind.WORKSTATION, grid, here + grid.name)
    return stations


def _create_users(
    city: PlannedUnit, units: dict[str, OrgUnit], posts: dict[str, list[_Post]], report: Say
) -> None:
    yongchuan, yubei = city.children
    shengli = yongchuan.children[0]
    posts_at = {
        "city": city,
        "district": yongchuan,
        "township": shengli,
        "township2": yubei.children[0],
        "grid": shengli.children[0].children[0],
    }
    for person in names.DEMO_PEOPLE:
        # An operator may have created their own "admin" before loading the demo; theirs wins.
        if User.objects.filter(username__iexact=person.username).exists():
            report(f"User {person.username} already exists; left unchanged")
            continue
        unit = posts_at[person.post]
        user_create(
            username=person.username,
            password=DEMO_PASSWORD,
            role=person.role,
            units=[units[unit.code]],
            department=_find(posts, unit.code, person.department) if person.department else None,
            display_name=person.display_name,
            is_superuser=person.role == Role.ADMIN,
            check_password_strength=False,
        )


def _summarise(city: OrgUnit, *, created: bool) -> DemoSummary:
    def within(field: str) -> dict[str, str]:
        return subtree_range_kwargs(field, city.path)

    levels = OrgUnit.objects.filter(**within("path")).values_list("level").annotate(n=Count("id"))
    usernames = [person.username for person in names.DEMO_PEOPLE]
    demo_users = User.objects.filter(
        username__in=usernames, **within("units__path")
    ).prefetch_related("units")
    units_of = {user.username: user.units.all()[0].name for user in demo_users}
    return DemoSummary(
        units_per_level={Level(level): n for level, n in sorted(levels)},
        departments=Department.objects.filter(**within("org_unit__path")).count(),
        stations=Station.objects.filter(**within("org_unit__path")).count(),
        stationings=Stationing.objects.filter(**within("station__org_unit__path")).count(),
        logins=[
            (p.username, p.role.value, units_of[p.username])
            for p in names.DEMO_PEOPLE
            if p.username in units_of
        ],
        created=created,
    )


def load_demo_region(
    *, seed: int = DEFAULT_SEED, stdout: TextIO | None = None, size: RegionSize = FULL_SIZE
) -> DemoSummary:
    """Create the demo region with departments, centres, roster and logins, in one transaction.

    Idempotent: if the city already exists nothing is created and the summary describes what is
    there. ``size`` lets tests build a smaller region with the same code.
    """
    report = _printer(stdout)
    with transaction.atomic(durable=True):
        existing = OrgUnit.objects.filter(code=CITY_CODE).first()
        if existing is not None:
            report(f"The demo region is already loaded ({existing.name}); nothing created")
            summary = _summarise(existing, created=False)
        else:
            city = plan_region(seed=seed, size=size)
            units = _insert_units(city)
            report(f"Inserted {len(units)} organisation units (seed {seed})")
            rng = random.Random(seed)
            posts = _posts(city, units, rng)
            # The district court team serves several centres; create each department once.
            departments = list(
                {id(p.department): p.department for group in posts.values() for p in group}.values()
            )
            Department.objects.bulk_create(departments)
            Station.objects.bulk_create(stations := _stations(city, units, rng))
            centres = {s.org_unit.code: s for s in stations if s.kind == StationKind.CENTRE}
            Stationing.objects.bulk_create(
                Stationing(station=centres[code], **post._asdict())
                for code, group in posts.items()
                if code in centres
                for post in group
            )
            report(f"Created {len(departments)} departments and {len(stations)} stations")
            _create_users(city, units, posts, report)
            # bulk_create sends no post_save, so drop this process's grid index as the signal would.
            transaction.on_commit(geometry.invalidate)
            summary = _summarise(units[CITY_CODE], created=True)
    _print_summary(report, summary)
    return summary
