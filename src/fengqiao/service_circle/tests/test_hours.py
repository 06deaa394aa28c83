"""Weekly opening hours: validation, and "open now" in the deployment time zone (Asia/Shanghai)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fengqiao.service_circle.hours import ScheduleInvalid, day_text, is_open_at, parse_schedule


class TestParse:
    def test_a_week_with_a_lunch_break(self) -> None:
        schedule = parse_schedule({"mon": [["14:00", "17:30"], ["09:00", "12:00"]]})
        assert schedule == {0: ((540, 720), (840, 1050))}
        assert day_text(schedule, 0) == "09:00–12:00, 14:00–17:30"
        assert day_text(schedule, 1) == ""

    def test_null_is_unknown(self) -> None:
        assert parse_schedule(None) is None
        assert is_open_at(None, datetime(2026, 11, 23, 2, 0, tzinfo=UTC)) is None

    def test_every_problem_is_named(self) -> None:
        with pytest.raises(ScheduleInvalid) as caught:
            parse_schedule(
                {
                    "monday": [],
                    "tue": [["9:00", "12:00"]],
                    "wed": [["10:00", "10:00"]],
                    "thu": [["09:00", "12:00"], ["11:00", "13:00"]],
                    "fri": [["24:00", "02:00"]],
                    "sat": "all day",
                }
            )
        assert [str(i) for i in caught.value.issues] == [
            "monday: unknown day; use mon, tue, … sun",
            "tue[1]: times must be HH:MM between 00:00 and 24:00",
            "wed[1]: start and end are the same time",
            "thu: intervals overlap at 11:00",
            "fri[1]: an interval cannot start at 24:00",
            "sat: must be a list of at most 6 intervals",
        ]

    def test_not_a_mapping(self) -> None:
        with pytest.raises(ScheduleInvalid):
            parse_schedule([["09:00", "17:00"]])


class TestOpenNow:
    def test_local_time_decides(self) -> None:
        schedule = parse_schedule({"mon": [["09:00", "12:00"]]})
        # 09:30 in Shanghai is 01:30 UTC: open, though 01:30 is outside the hours.
        assert is_open_at(schedule, datetime(2026, 11, 23, 1, 30, tzinfo=UTC)) is True
        # 12:00 local: the end is exclusive.
        assert is_open_at(schedule, datetime(2026, 11, 23, 4, 0, tzinfo=UTC)) is False
        assert is_open_at(schedule, datetime(2026, 11, 23, 0, 59, tzinfo=UTC)) is False

    def test_across_midnight(self) -> None:
        # Friday 20:00 to Saturday 02:00 local.
        schedule = parse_schedule({"fri": [["20:00", "02:00"]]})
        friday_late = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)  # Fri 23:30 local
        saturday_early = datetime(2026, 11, 27, 17, 59, tzinfo=UTC)  # Sat 01:59 local
        saturday_two = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)  # Sat 02:00 local
        friday_early = datetime(2026, 11, 26, 17, 30, tzinfo=UTC)  # Fri 01:30 local
        assert is_open_at(schedule, friday_late) is True
        assert is_open_at(schedule, saturday_early) is True
        assert is_open_at(schedule, saturday_two) is False
        assert is_open_at(schedule, friday_early) is False

    def test_sunday_night_runs_into_monday(self) -> None:
        schedule = parse_schedule({"sun": [["22:00", "06:00"]]})
        monday_five = datetime(2026, 11, 22, 21, 0, tzinfo=UTC)  # Mon 05:00 local
        assert is_open_at(schedule, monday_five) is True

    def test_all_day(self) -> None:
        schedule = parse_schedule({"tue": [["00:00", "24:00"]]})
        assert is_open_at(schedule, datetime(2026, 11, 24, 15, 59, tzinfo=UTC)) is True  # 23:59
        assert is_open_at(schedule, datetime(2026, 11, 24, 16, 0, tzinfo=UTC)) is False  # Wed 0:00


class TestAdminForm:
    def test_the_station_admin_validates_the_schedule(self, region: object) -> None:
        from fengqiao.orgs.admin import StationForm

        station = region.stations["A1-centre"]  # type: ignore[attr-defined]
        data = {
            "name": station.name,
            "kind": station.kind,
            "org_unit": station.org_unit_id,
            "lat": station.lat,
            "lng": station.lng,
            "opening_schedule": '{"mon": [["9", "12:00"]]}',
        }
        form = StationForm(data=data, instance=station)
        assert not form.is_valid()
        assert form.errors["opening_schedule"] == [
            "mon[1]: times must be HH:MM between 00:00 and 24:00"
        ]
        data["opening_schedule"] = '{"mon": [["09:00", "12:00"]]}'
        assert StationForm(data=data, instance=station).is_valid()
