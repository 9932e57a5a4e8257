"""Identity card numbers (GB 11643), phone numbers and masking, without the database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from linli.core.validators import (
    earliest_birth_date,
    id_number_birth_date,
    id_number_check_char,
    id_number_gender,
    mask_id_number,
    mask_phone,
    validate_birth_date,
    validate_id_number,
    validate_phone,
)


def _error_of(value: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validate_id_number(value)
    return caught.value


def test_valid_id_number_is_accepted_and_returned_unchanged() -> None:
    assert validate_id_number("141181195703080026") == "141181195703080026"


def test_id_number_with_x_check_char_is_accepted() -> None:
    assert validate_id_number("11010519491231002X") == "11010519491231002X"


def test_lower_case_x_and_spaces_are_normalised() -> None:
    assert validate_id_number(" 110105 19491231 002x ") == "11010519491231002X"


def test_check_char_follows_gb_11643_weights() -> None:
    assert id_number_check_char("11010519491231002") == "X"
    assert id_number_check_char("14118119800601003") == "4"


@pytest.mark.parametrize(
    "wrong",
    ["141181195703080027", "141181195703080020", "110105194912310029"],
)
def test_wrong_check_char_is_rejected_with_checksum_message(wrong: str) -> None:
    error = _error_of(wrong)
    assert error.code == "id_checksum"
    assert error.messages == ["身份证号校验位不正确,请核对是否输错。"]


def test_x_in_place_of_a_digit_check_char_is_rejected() -> None:
    assert _error_of("14118119570308002X").code == "id_checksum"


@pytest.mark.parametrize(
    "number",
    [
        # 30 February does not exist (check char computed for these 17 digits).
        "14118119570230002" + id_number_check_char("14118119570230002"),
        # Born in the future.
        "14118120990101002" + id_number_check_char("14118120990101002"),
        # Before 1890: no living resident.
        "14118118800101002" + id_number_check_char("14118118800101002"),
    ],
)
def test_impossible_birth_date_is_rejected(number: str) -> None:
    error = _error_of(number)
    assert error.code == "id_birth_date"
    assert error.messages == ["身份证号中的出生日期无效。"]


@pytest.mark.parametrize("value", ["", "12345", "1411811957030800266", "14118119570308002Y"])
def test_wrong_length_or_characters_are_rejected_with_format_message(value: str) -> None:
    error = _error_of(value)
    assert error.code == "id_format"
    assert "18位" in error.messages[0]


def test_birth_date_and_gender_are_read_from_the_number() -> None:
    assert id_number_birth_date("141181195703080026") == dt.date(1957, 3, 8)
    assert id_number_gender("141181195703080026") == "female"
    assert id_number_gender("141181198006010034") == "male"


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("19912345678", "19912345678"),
    ],
)
def test_mobile_numbers_are_accepted_and_normalised(raw: str, normalised: str) -> None:
    assert validate_phone(raw) == normalised


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("0358-1234567", "03581234567"),
        ("(010)12345678", "01012345678"),
        ("0358 7654321", "03587654321"),
    ],
)
def test_landlines_with_area_code_are_accepted(raw: str, normalised: str) -> None:
    assert validate_phone(raw) == normalised


@pytest.mark.parametrize(
    "rubbish",
    ["", "abc", "12812345678", "1381234567", "138123456789", "1234567", "电话13812345678"],
)
def test_rubbish_phone_numbers_are_rejected_with_chinese_message(rubbish: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_phone(rubbish)
    assert caught.value.code == "phone_format"
    assert caught.value.messages == [
        "请输入11位手机号(如13812345678)或带区号的固定电话(如0358-1234567)。"
    ]


def test_mobile_number_is_masked_in_the_middle() -> None:
    assert mask_phone("13812345678") == "138****5678"


def test_landline_keeps_area_code_and_last_four_digits() -> None:
    assert mask_phone("03581234567") == "035****4567"


def test_empty_phone_masks_to_empty() -> None:
    assert mask_phone("") == ""


def test_id_number_masking_hides_birth_date_and_sequence() -> None:
    masked = mask_id_number("141181195703080026")
    assert masked == "1411**********0026"
    assert "19570308" not in masked
    assert mask_id_number("") == ""


TODAY = dt.date(2026, 11, 29)


@pytest.mark.parametrize(
    "birth", [TODAY, dt.date(2026, 1, 1), dt.date(1896, 11, 29), dt.date(1957, 3, 8)]
)
def test_plausible_birth_dates_pass(birth: dt.date) -> None:
    assert validate_birth_date(birth, today=TODAY) == birth


@pytest.mark.parametrize(
    ("birth", "message"),
    [
        (dt.date(2026, 11, 30), "出生日期不能晚于今天,请核对。"),
        (dt.date(9999, 12, 31), "出生日期不能晚于今天,请核对。"),
        (dt.date(1896, 11, 28), "出生日期不能早于 1896-11-29(130 年前),请核对。"),
        (dt.date(1800, 1, 1), "出生日期不能早于 1896-11-29(130 年前),请核对。"),
    ],
)
def test_impossible_birth_dates_are_refused(birth: dt.date, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_birth_date(birth, today=TODAY)
    assert caught.value.messages == [message]


def test_the_earliest_birth_date_on_a_leap_day() -> None:
    assert earliest_birth_date(dt.date(2028, 2, 29)) == dt.date(1898, 2, 28)
