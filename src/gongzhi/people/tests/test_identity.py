"""ID numbers (GB 11643, R-I1, R-I2) and mobile numbers: validation, normalisation and derived fields."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.people.identity import (
    IdNumberInvalid,
    check_digit,
    is_valid_mobile,
    make_id_number,
    normalise_phone,
    parse_id_number,
)

TODAY = dt.date(2025, 6, 1)


@pytest.mark.parametrize(
    ("number", "birth", "sex"),
    [
        ("11010519491231002X", dt.date(1949, 12, 31), "F"),  # R-I1 test vector; sequence 002 is even → female
        ("440524188001010014", dt.date(1880, 1, 1), "M"),  # R-I1 test vector; 001 odd → male
    ],
)
def test_rule_test_vectors_are_valid_and_derive_birth_and_sex(number, birth, sex):
    """R-I1: the published vectors validate; birth date and sex come from the number."""
    info = parse_id_number(number, today=TODAY)
    assert (info.number, info.birth_date, info.sex, info.address_code) == (number, birth, sex, number[:6])


def test_check_digit_follows_the_weights():
    """R-I1: check = "10X98765432"[Σ(digit × weight) mod 11]."""
    assert check_digit("11010519491231002") == "X"
    assert check_digit("44052418800101001") == "4"


def test_lowercase_x_and_spaces_are_normalised():
    """A lowercase x and spaces typed by hand are accepted and stored normalised."""
    assert parse_id_number(" 110105 19491231 002x ", today=TODAY).number == "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("110105194912310021", "checksum"),  # last digit changed
        ("11010519491231002", "format"),  # 17 characters
        ("1101051949123100XX", "format"),  # X only as the check character
        ("11010519490230002X", "birth_date"),  # 30 February
        ("110105194913010020", "birth_date"),  # month 13
        ("", "format"),
    ],
)
def test_invalid_numbers_say_why(number, reason):
    """Wrong checksum, bad format and impossible dates are refused with a stable reason code."""
    with pytest.raises(IdNumberInvalid) as exc:
        parse_id_number(number, today=TODAY)
    assert exc.value.reason == reason


def test_future_birth_date_is_invalid():
    """Nobody is born after today."""
    number = make_id_number("370117", dt.date(2025, 6, 2), 11)
    with pytest.raises(IdNumberInvalid) as exc:
        parse_id_number(number, today=TODAY)
    assert exc.value.reason == "birth_date"


def test_unknown_address_code_is_invalid():
    """An address code that never existed (999999) is refused even with a correct check digit."""
    number = make_id_number("999999", dt.date(1980, 1, 1), 11)
    with pytest.raises(IdNumberInvalid) as exc:
        parse_id_number(number, today=TODAY)
    assert exc.value.reason == "address_code"


def test_historical_code_accepted_for_someone_born_while_it_existed():
    """R-I2: 371203 (old 钢城区, abandoned 2017) is valid for someone born in 1980."""
    info = parse_id_number(make_id_number("371203", dt.date(1980, 5, 17), 11), today=TODAY)
    assert info.address_code == "371203"


def test_historical_code_rejected_for_someone_born_after_it_was_abandoned():
    """R-I2: nobody born in 2020 can hold an ID issued under 371203, which ended in 2017."""
    with pytest.raises(IdNumberInvalid) as exc:
        parse_id_number(make_id_number("371203", dt.date(2020, 3, 1), 11), today=TODAY)
    assert exc.value.reason == "address_code"


def test_current_code_valid_for_people_born_before_it_existed():
    """370117 (钢城区 since 2018) is valid for someone born in 1980: IDs are reissued under the new code."""
    assert parse_id_number(make_id_number("370117", dt.date(1980, 5, 17), 11), today=TODAY).sex == "M"


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("0086-138-1234-5678", "13812345678"),
        (" 138 1234 5678 ", "13812345678"),
    ],
)
def test_mobile_numbers_are_normalised_and_valid(raw, normalised):
    """Country prefix, spaces and hyphens are stripped before checking the 11-digit mobile format."""
    assert normalise_phone(raw) == normalised
    assert is_valid_mobile(normalise_phone(raw))


@pytest.mark.parametrize(
    "raw",
    [
        "138123456789",  # 12 digits
        "1381234567",  # 10 digits
        "0531-76543210",  # landline (济南 area code)
        "053176543210",
        "12812345678",  # no mobile network starts 12
        "+1 415 555 0100",
        "1381234567a",
    ],
)
def test_invalid_mobile_numbers(raw):
    """Wrong lengths, landlines and foreign numbers are not mobile numbers."""
    assert not is_valid_mobile(normalise_phone(raw))
