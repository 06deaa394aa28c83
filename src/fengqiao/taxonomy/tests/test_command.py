from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from fengqiao.taxonomy.models import Category, Channel
from fengqiao.taxonomy.tests.conftest import category_snapshot


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("taxonomy", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
class TestTaxonomyCommand:
    def test_import_prints_the_counts(self, data_dir):
        out, _ = run("import", str(data_dir / "good.csv"))

        assert "created 5, updated 0, deactivated 0, unchanged 0" in out
        assert Category.objects.count() == 5

    def test_dry_run_says_so_and_writes_nothing(self, data_dir):
        out, _ = run("import", str(data_dir / "good.yaml"), "--dry-run")

        assert "created 5" in out
        assert "dry run" in out
        assert not Category.objects.exists()

    def test_import_errors_are_printed_as_file_line_and_exit_non_zero(self, defaults, data_dir):
        path = data_dir / "bad_line4.csv"
        before = category_snapshot()
        err = StringIO()

        with pytest.raises(CommandError) as excinfo:
            call_command("taxonomy", "import", str(path), stdout=StringIO(), stderr=err)

        assert excinfo.value.returncode == 1
        assert err.getvalue().splitlines() == [
            f"{path}:4: responsible: unknown department type 'polce'; did you mean 'police'?"
        ]
        assert category_snapshot() == before

    def test_missing_file_is_an_error(self, tmp_path):
        with pytest.raises(CommandError, match=r"missing\.csv"):
            run("import", str(tmp_path / "missing.csv"))

    def test_export_to_a_csv_file_round_trips_through_replace(self, defaults, tmp_path):
        path = tmp_path / "taxonomy.csv"
        before = category_snapshot()

        run("export", "--output", str(path))
        out, _ = run("import", str(path), "--replace")

        assert path.read_bytes().startswith(b"\xef\xbb\xbfcode,kind,")
        assert "created 0, updated 0, deactivated 0" in out
        assert category_snapshot() == before

    def test_export_writes_yaml_to_standard_output_by_default(self, defaults):
        out, _ = run("export")

        assert out.startswith("# Fengqiao dispute taxonomy")
        assert "- code: M01\n" in out

    def test_defaults_loads_categories_and_channels_once(self):
        first, _ = run("defaults")
        second, _ = run("defaults")

        assert Channel.objects.count() == 18
        assert "Categories: created 168" in first
        assert "Categories: created 0" in second
        assert "Channels: created 0" in second
