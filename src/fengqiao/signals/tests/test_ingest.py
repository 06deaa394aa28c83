from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from fengqiao.core.errors import PermissionDenied, ValidationFailed
from fengqiao.signals.models import Signal, SignalBatch
from fengqiao.signals.services import EVALUATE_TASK_PATH, signals_ingest
from fengqiao.signals.tests.helpers import IN_A1, IN_B1, NOWHERE, at, item
from fengqiao.testing.region import SmallRegion


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """These tests read the English source messages; the deployment language is Chinese."""
    with translation.override("en"):
        yield


def ingest(region: SmallRegion, items: list, **kwargs) -> object:
    return signals_ingest(actor=region.users["a_analyst"], items=items, **kwargs)


def evaluation_tasks() -> list[int]:
    return [
        t.args_kwargs["args"][0] for t in DBTaskResult.objects.filter(task_path=EVALUATE_TASK_PATH)
    ]


class TestSignalsIngest:
    def test_stores_a_batch_and_queues_its_evaluation(self, region: SmallRegion) -> None:
        result = ingest(region, [item(device_id="ST-001"), item(device_id="ST-002", value=None)])
        assert (result.accepted, result.duplicates) == (2, 0)
        batch = SignalBatch.objects.get(pk=result.batch_id)
        assert (batch.count, batch.duplicates, batch.source, batch.evaluated_at) == (
            2,
            0,
            "septic",
            None,
        )
        assert set(Signal.objects.values_list("device_id", flat=True)) == {"ST-001", "ST-002"}
        assert evaluation_tasks() == [batch.pk]

    def test_a_resent_signal_is_counted_as_duplicate_and_not_stored(
        self, region: SmallRegion
    ) -> None:
        moment = timezone.now().replace(microsecond=0) - timedelta(hours=1)
        local = moment.astimezone(timezone.get_fixed_timezone(8 * 60)).isoformat()
        utc = moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
        first = ingest(region, [item(observed_at=local)])
        # Same instant written in UTC: still the same reading.
        again = ingest(region, [item(observed_at=utc), item(observed_at=utc)])
        assert (first.accepted, again.accepted, again.duplicates) == (1, 0, 2)
        assert Signal.objects.count() == 1
        # Nothing new to evaluate: the empty batch is marked evaluated, no task queued.
        assert SignalBatch.objects.get(pk=again.batch_id).evaluated_at is not None
        assert evaluation_tasks() == [first.batch_id]

    def test_points_resolve_to_their_grid(self, region: SmallRegion) -> None:
        ingest(
            region,
            [
                item(device_id="a", lng=IN_A1[0], lat=IN_A1[1]),
                item(device_id="b", lng=IN_B1[0], lat=IN_B1[1]),
                item(device_id="c", lng=NOWHERE[0], lat=NOWHERE[1]),
                item(device_id="d"),
            ],
        )
        grids = dict(Signal.objects.values_list("device_id", "grid_id"))
        assert grids == {
            "a": region.unit("A1a-g1").pk,
            "b": region.unit("B1a-g1").pk,
            "c": None,
            "d": None,
        }

    def test_a_bare_point_becomes_its_own_device(self, region: SmallRegion) -> None:
        when = at(1)
        ingest(region, [item(device_id=..., lng=IN_A1[0], lat=IN_A1[1], observed_at=when)])
        ingest(region, [item(device_id=..., lng=IN_A1[0], lat=IN_A1[1], observed_at=when)])
        assert list(Signal.objects.values_list("device_id", flat=True)) == ["@105.005000,29.005000"]

    def test_extra_fields_are_kept_as_payload(self, region: SmallRegion) -> None:
        ingest(region, [item(unit="m3", battery=88)])
        assert Signal.objects.get().payload == {"unit": "m3", "battery": 88}

    def test_source_hint_fills_items_without_a_source(self, region: SmallRegion) -> None:
        result = ingest(region, [item(source=...)], source_hint="water")
        assert Signal.objects.get().source == "water"
        assert SignalBatch.objects.get(pk=result.batch_id).source == "water"


class TestValidation:
    @pytest.mark.parametrize(
        ("override", "field"),
        [
            ({"source": ...}, "source"),
            ({"kind": ""}, "kind"),
            ({"kind": "k" * 41}, "kind"),
            ({"device_id": ...}, "device_id"),
            ({"value": "12"}, "value"),
            ({"value": True}, "value"),
            ({"value": float("nan")}, "value"),
            ({"lng": 105.0}, "lat"),
            ({"lng": 200.0, "lat": 29.0}, "lng"),
            ({"observed_at": "yesterday"}, "observed_at"),
            ({"observed_at": "2026-11-25T08:00:00"}, "observed_at"),
            ({"observed_at": 1764000000}, "observed_at"),
        ],
    )
    def test_bad_item_is_422_with_index_and_field_and_nothing_is_stored(
        self, region: SmallRegion, override: dict, field: str
    ) -> None:
        with pytest.raises(ValidationFailed) as caught:
            ingest(region, [item(device_id="ok"), item(**override)])
        body = caught.value.as_dict()
        assert (body["index"], body["field"]) == (1, field)
        assert body["errors"][0]["index"] == 1
        assert Signal.objects.count() == 0
        assert SignalBatch.objects.count() == 0
        assert DBTaskResult.objects.count() == 0

    def test_every_bad_item_is_listed(self, region: SmallRegion) -> None:
        with pytest.raises(ValidationFailed) as caught:
            ingest(region, [item(kind=""), item(), item(value="x", observed_at="no")])
        errors = {(e["index"], e["field"]) for e in caught.value.as_dict()["errors"]}
        assert errors == {(0, "kind"), (2, "value"), (2, "observed_at")}

    def test_more_than_five_minutes_ahead_is_refused(self, region: SmallRegion) -> None:
        ahead = (timezone.now() + timedelta(minutes=6)).isoformat()
        slightly = (timezone.now() + timedelta(minutes=4)).isoformat()
        with pytest.raises(ValidationFailed, match="future"):
            ingest(region, [item(observed_at=ahead)])
        assert ingest(region, [item(observed_at=slightly)]).accepted == 1

    @override_settings(FENGQIAO_SIGNAL_RETENTION_DAYS=30)
    def test_older_than_retention_is_refused_with_a_clear_message(
        self, region: SmallRegion
    ) -> None:
        with pytest.raises(ValidationFailed, match="retention") as caught:
            ingest(region, [item(observed_at=at(31 * 24 * 60))])
        assert caught.value.as_dict()["field"] == "observed_at"
        assert ingest(region, [item(observed_at=at(29 * 24 * 60))]).accepted == 1

    def test_batch_limits(self, region: SmallRegion) -> None:
        with pytest.raises(ValidationFailed) as empty:
            ingest(region, [])
        assert empty.value.as_dict()["field"] == "items"
        with pytest.raises(ValidationFailed, match="10,000"):
            ingest(region, [item()] * 10_001)


class TestPermission:
    def test_clerk_session_may_not_post(self, region: SmallRegion) -> None:
        with pytest.raises(PermissionDenied):
            signals_ingest(actor=region.users["a1_clerk"], items=[item()])
        assert SignalBatch.objects.count() == 0

    def test_an_integration_token_may_post_whatever_its_role(self, region: SmallRegion) -> None:
        result = signals_ingest(actor=region.users["a1_clerk"], items=[item()], via_token=True)
        assert result.accepted == 1

    def test_admin_and_analyst_may_post(self, region: SmallRegion) -> None:
        for username in ("city_admin", "a_analyst"):
            signals_ingest(actor=region.users[username], items=[item(device_id=username)])
        assert Signal.objects.count() == 2

    def test_inactive_user_may_not_post_even_with_a_token(self, region: SmallRegion) -> None:
        user = region.users["a_analyst"]
        user.is_active = False
        with pytest.raises(PermissionDenied):
            signals_ingest(actor=user, items=[item()], via_token=True)
