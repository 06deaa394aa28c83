"""``fengqiao import risk-points FILE``: every row checked first, errors by line, re-run safe."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from fengqiao.cli import IMPORT_COMMANDS
from fengqiao.early_warning.models import Device, RiskPoint

pytestmark = pytest.mark.django_db

HEADER = "编号,名称,类型,经度,纬度,地址,责任单位,联系电话,维保周期天数,上次维保日期,设备编号\n"
GOOD = (
    "YB-HFC-0101,工农社区3号化粪池,化粪池,105.505,29.006,工农社区3号楼,安居物业,13800138000,90,2025-01-05,LV-0101;CH4-0101\n"
    "YC-BP-0009,红旗社区边坡,slope,105.004,29.004,红旗社区后山,,,,,D-0009\n"
)


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "points.csv"
    path.write_bytes(text.encode(encoding))
    return path


def run(path: Path, capsys) -> tuple[str, str]:
    call_command(IMPORT_COMMANDS["risk-points"], str(path))
    captured = capsys.readouterr()
    return captured.out, captured.err


class TestImportRiskPoints:
    def test_imports_and_a_rerun_changes_nothing(self, ew, tmp_path, capsys):
        path = write(tmp_path, HEADER + GOOD, "gb18030")
        out, _ = run(path, capsys)
        assert "2 risk points created" in out
        tank = RiskPoint.objects.get(code="YB-HFC-0101")
        assert tank.point_type == "septic_tank"
        assert tank.grid == ew.world.region.units["B1a-g1"]
        assert set(Device.objects.filter(risk_point=tank).values_list("device_id", flat=True)) == {
            "LV-0101",
            "CH4-0101",
        }
        version = tank.version
        out, _ = run(path, capsys)
        assert "0 risk points created, 0 updated, 2 unchanged" in out
        assert RiskPoint.objects.get(code="YB-HFC-0101").version == version

    def test_bad_rows_are_reported_by_line_and_nothing_is_written(self, ew, tmp_path, capsys):
        bad = (
            HEADER
            + GOOD
            + "YB-X-1,无名点,火山,105.505,29.006,,,,,,\n"
            + "YB-X-2,海上,化粪池,120.0,10.0,,,,,,\n"
            + "YB-X-3,电话错,化粪池,105.505,29.006,,,12345,,,\n"
            + "YB-HFC-0101,重复,化粪池,105.505,29.006,,,,,,\n"
        )
        path = write(tmp_path, bad)
        before = RiskPoint.objects.count()
        with pytest.raises(CommandError):
            run(path, capsys)
        err = capsys.readouterr().err
        assert f"{path}:4: point_type:" in err
        assert f"{path}:5: lng: the location lies on no grid" in err
        assert f"{path}:6: owner_phone:" in err
        assert f"{path}:7: code: also on line 2" in err
        assert RiskPoint.objects.count() == before

    def test_unknown_column_is_refused(self, ew, tmp_path, capsys):
        path = write(tmp_path, "code,name,point_type,lng,lat,colour\n")
        with pytest.raises(CommandError):
            run(path, capsys)
        assert f"{path}:1: colour: unknown column" in capsys.readouterr().err
