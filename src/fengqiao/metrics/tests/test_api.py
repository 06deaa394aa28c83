"""GET /api/v1/metrics/figures|breakdown|trend: the service figures, scoped, bad input 422."""

from __future__ import annotations

from fengqiao.metrics.tests.history import DAY

PERIOD = {"start": DAY.isoformat(), "end": DAY.isoformat()}


def get(client, world, who, path, **params):
    client.force_login(world.user(who))
    return client.get(f"/api/v1/metrics/{path}", params)


class TestFigures:
    def test_figures_of_a_unit(self, client, world, history):
        response = get(client, world, "a_leader", "figures", unit_id=world.region.unit("A1").pk,
                       **PERIOD)  # fmt: skip
        assert response.status_code == 200
        metrics = response.json()["metrics"]
        assert metrics["registered"]["value"] == 4
        assert metrics["registered"]["last_year"] == 1
        assert metrics["one_time_rate"]["numerator"] == 1
        assert metrics["acceptance_p90_hours"]["value"] == 4.0

    def test_other_jurisdiction_is_404(self, client, world, history):
        response = get(client, world, "b1_clerk", "figures", unit_id=world.region.unit("A1").pk)
        assert response.status_code == 404

    def test_unknown_category_is_422_with_the_field(self, client, world):
        response = get(client, world, "a_leader", "figures", category="NOPE")
        assert response.status_code == 422
        assert "category" in response.content.decode()

    def test_end_before_start_is_422(self, client, world):
        response = get(client, world, "a_leader", "figures", start="2026-03-10", end="2026-03-01")
        assert response.status_code == 422
        assert "end" in response.content.decode()


class TestBreakdownAndTrend:
    def test_breakdown_by_child(self, client, world, history):
        response = get(client, world, "a_leader", "breakdown", by="child", **PERIOD)
        rows = {r["label"]: r["metrics"]["registered"]["value"] for r in response.json()["rows"]}
        assert rows == {"胜利路街道": 4, "中山路街道": 0}

    def test_breakdown_rows_outside_are_not_listed(self, client, world, history):
        response = get(client, world, "b1_clerk", "breakdown", by="child", **PERIOD)
        assert response.status_code == 200
        assert [r["label"] for r in response.json()["rows"]] == ["工农社区"]

    def test_trend_by_week(self, client, world, history):
        response = get(client, world, "a_leader", "trend", grain="week",
                       start="2026-03-02", end="2026-03-15")  # fmt: skip
        points = response.json()["points"]
        assert [p["start"] for p in points] == ["2026-03-02", "2026-03-09"]
        assert [p["metrics"]["registered"]["value"] for p in points] == [0, 4]

    def test_unknown_grain_is_422(self, client, world):
        assert get(client, world, "a_leader", "trend", grain="hour").status_code == 422
