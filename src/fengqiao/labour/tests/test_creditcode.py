from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from fengqiao.core.errors import ValidationFailed
from fengqiao.labour.creditcode import (
    credit_check_char,
    normalise_credit_code,
    normalise_project_code,
)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """These tests read the English source messages; the deployment language is Chinese."""
    with translation.override("en"):
        yield


class TestCreditCode:
    # Published example codes whose check characters are right.
    @pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L"])
    def test_valid_codes_pass(self, code: str) -> None:
        assert normalise_credit_code(code) == code

    def test_lower_case_and_spaces_are_normalised(self) -> None:
        assert normalise_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"

    def test_check_character_by_hand(self) -> None:
        # 9·1 + 1·3 + 3·9 + 5·27 + 0 + 1·26 + 0 + 0 + M(21)·20 + 0 + 0 + 0 + 1·8 + 0 + 0
        # + Y(30)·30 + 4·28 = 1640; 1640 mod 31 = 28; 31 − 28 = 3.
        assert credit_check_char("91350100M000100Y4") == "3"

    def test_wrong_check_character_is_refused(self) -> None:
        with pytest.raises(ValidationFailed, match="check character"):
            normalise_credit_code("91350100M000100Y44")

    def test_wrong_length_is_refused(self) -> None:
        with pytest.raises(ValidationFailed, match="18 characters"):
            normalise_credit_code("91350100M000100Y4")

    @pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
    def test_letters_outside_the_alphabet_are_refused(self, letter: str) -> None:
        with pytest.raises(ValidationFailed, match="capitals except"):
            normalise_credit_code(f"91350100{letter}000100Y43")


class TestProjectCode:
    def test_platform_code_passes(self) -> None:
        assert normalise_project_code("2024-500118-47-01-000160") == "2024-500118-47-01-000160"

    @pytest.mark.parametrize("code", ["", "12", "项目001", "-2024-500118"])
    def test_malformed_codes_are_refused(self, code: str) -> None:
        with pytest.raises(ValidationFailed):
            normalise_project_code(code)
