"""``fengqiao import population FILE``: every problem by line, nothing written on error."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from fengqiao.orgs.models import OrgUnit
from fengqiao.service_circle.importer import parse_population_csv
from fengqiao.service_circle.services import PopulationRejected, population_import
from fengqiao.testing.region import SmallRegion


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "population.csv"
    path.write_bytes(text.encode(encoding))
    return path


def populations(region: SmallRegion, *keys: str) -> list[int | None]:
    return [OrgUnit.objects.get(pk=region.unit(k).pk).population for k in keys]


class TestImport:
    def test_chinese_headers_in_gb18030(self, region: SmallRegion, tmp_path: Path) -> None:
        g1, village = region.unit("A1a-g1").code, region.unit("A1a").code
        path = write(tmp_path, f'区划代码,人口\n{g1},1200\n{village},"3,400"\n', "gb18030")
        out = io.StringIO()
        call_command("population_import", str(path), stdout=out)
        assert out.getvalue().strip() == f"{path}: 2 rows checked, changed 2 unit populations"
        assert populations(region, "A1a-g1", "A1a") == [1200, 3400]

    def test_empty_population_clears(self, region: SmallRegion) -> None:
        region.unit("A1a-g1").population = 5
        region.unit("A1a-g1").save()
        rows = parse_population_csv(
            f"unit_code,population\n{region.unit('A1a-g1').code},\n".encode()
        )
        result = population_import(actor=None, rows=rows)
        assert result.changed == 1
        assert populations(region, "A1a-g1") == [None]

    def test_errors_by_line_and_nothing_written(
        self, region: SmallRegion, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        g1 = region.unit("A1a-g1").code
        path = write(
            tmp_path,
            "unit_code,population\n"
            f"{g1},100\n"  # line 2: fine, but must not be written
            "500118001001,-5\n"  # line 3
            "12345,10\n"  # line 4
            f"{g1},1,extra\n"  # line 5
            "999999999999,10\n",  # line 6: well-formed but unknown
        )
        with pytest.raises(CommandError, match="nothing was imported"):
            call_command("population_import", str(path))
        err = capsys.readouterr().err.splitlines()
        assert err == [
            f"{path}:3: population: must be a whole number ≥ 0",
            f"{path}:4: unit_code: must be 12 digits, or 15 for a grid",
            f"{path}:5: row: has 3 cells, expected 2",
        ]
        assert populations(region, "A1a-g1") == [None]

    def test_unknown_and_repeated_units(self, region: SmallRegion) -> None:
        g1 = region.unit("A1a-g1").code
        rows = parse_population_csv(
            f"population,unit_code\n10,{g1}\n20,999999999999\n30,{g1}\n".encode()
        )
        with pytest.raises(PopulationRejected) as caught:
            population_import(actor=None, rows=rows)
        assert [str(i) for i in caught.value.issues] == [
            "3: unit_code: unknown unit 999999999999",
            f"4: unit_code: repeats line 2 ({g1})",
        ]
        assert populations(region, "A1a-g1") == [None]

    def test_header_problems(self) -> None:
        with pytest.raises(PopulationRejected) as caught:
            parse_population_csv(b"code,people\n")
        assert [str(i) for i in caught.value.issues] == [
            "1: population: missing column",
            "1: people: unknown column",
        ]

    def test_a_user_only_sets_units_they_see(self, region: SmallRegion) -> None:
        rows = parse_population_csv(
            f"unit_code,population\n{region.unit('A1a-g1').code},10\n".encode()
        )
        with pytest.raises(PopulationRejected):
            population_import(actor=region.users["b1_clerk"], rows=rows)
        assert (
            population_import(actor=region.users["a1_clerk"], rows=rows, dry_run=True).changed == 1
        )
        assert populations(region, "A1a-g1") == [None]

    def test_the_fengqiao_command_routes_to_it(self) -> None:
        from fengqiao.cli import IMPORT_COMMANDS

        assert IMPORT_COMMANDS["population"] == "population_import"
