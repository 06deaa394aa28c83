"""Settings read from the environment: defaults, values, and clear errors."""

from __future__ import annotations

import pytest

from fengqiao import config


@pytest.fixture
def environment(monkeypatch, tmp_path):
    monkeypatch.setenv("FENGQIAO_HOME", str(tmp_path))
    monkeypatch.setenv("FENGQIAO_ENV", "development")
    monkeypatch.delenv("FENGQIAO_API_TOKEN_CACHE_SECONDS", raising=False)
    return monkeypatch


class TestApiTokenCacheSeconds:
    def test_five_seconds_unless_told(self, environment):
        assert config.load().api_token_cache_seconds == 5

    @pytest.mark.parametrize(("raw", "seconds"), [("0", 0), ("30", 30), (" 2 ", 2)])
    def test_a_whole_number_of_seconds(self, environment, raw, seconds):
        environment.setenv("FENGQIAO_API_TOKEN_CACHE_SECONDS", raw)
        assert config.load().api_token_cache_seconds == seconds

    @pytest.mark.parametrize("raw", ["-1", "5s", "1.5"])
    def test_anything_else_is_refused_by_name(self, environment, raw):
        environment.setenv("FENGQIAO_API_TOKEN_CACHE_SECONDS", raw)
        with pytest.raises(config.ConfigError, match="FENGQIAO_API_TOKEN_CACHE_SECONDS"):
            config.load()
