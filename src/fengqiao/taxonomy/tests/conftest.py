from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fengqiao.taxonomy.models import Category
from fengqiao.taxonomy.services import load_default_taxonomy

DATA_DIR = Path(__file__).resolve().parent / "data"


@pytest.fixture
def data_dir() -> Path:
    return DATA_DIR


@pytest.fixture
def defaults(db: None) -> None:
    load_default_taxonomy()


def category_snapshot() -> list[dict[str, Any]]:
    """Every column of every category, update times included: proves whether anything was written."""
    return list(Category.objects.order_by("code").values())
