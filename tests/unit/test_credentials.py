from __future__ import annotations

import pytest

from vecha.election.credentials import ALPHABET, Credential, check_character, new_code, normalize_code
from vecha.errors import InvalidEncoding


def test_new_codes_are_valid_and_distinct() -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    for c in codes:
        assert normalize_code(c) == c
        assert len(c) == 21 and c.count("-") == 4


def test_every_single_substitution_is_caught() -> None:
    raw = new_code().replace("-", "")
    for i in range(len(raw)):
        for ch in ALPHABET:
            if ch != raw[i]:
                with pytest.raises(InvalidEncoding, match="typo"):
                    normalize_code(raw[:i] + ch + raw[i + 1 :])


def test_adjacent_swaps_are_caught_except_zero_and_z() -> None:
    undetected = set()
    for a in ALPHABET:
        for b in ALPHABET:
            if a != b:
                data = "0" * 7 + a + b + "0" * 7
                if check_character(data) == check_character("0" * 7 + b + a + "0" * 7):
                    undetected.add(frozenset((a, b)))
    assert undetected == {frozenset(("0", "Z"))}  # Luhn mod 32's one blind spot, like 09/90 in base 10


def test_forgiving_reading() -> None:
    code = new_code()
    assert normalize_code("  " + code.lower().replace("-", " ") + " ") == code
    data = "O0IL" + "2" * 12
    canonical = normalize_code(data + check_character("0011" + "2" * 12))
    assert canonical.startswith("0011-")


@pytest.mark.parametrize("bad", ["", "ABC", "U" * 17, "!" * 17, "0" * 18])
def test_malformed_codes(bad: str) -> None:
    with pytest.raises(InvalidEncoding):
        normalize_code(bad)


def test_credentials_are_bound_to_the_election() -> None:
    code = new_code()
    a = Credential.from_code(code, b"\x01" * 32)
    b = Credential.from_code(code, b"\x02" * 32)
    assert a.public != b.public
    assert Credential.from_code(code.lower(), b"\x01" * 32) == a


def test_a_code_from_a_crlf_file_reads_and_invisible_characters_are_shown() -> None:
    code = new_code()
    assert normalize_code(code + "\r\n") == code
    with pytest.raises(InvalidEncoding, match=r"\\u200b"):
        normalize_code(code + "\u200b")
