"""The booth's three languages: every catalog has every key, nothing is left untranslated,
and every key the code names exists."""

from __future__ import annotations

import json
import re

import pytest
from tests.booth.conftest import BOOTH

LANGUAGES = ("be", "ru", "en")


def catalog(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((BOOTH / "i18n" / f"{lang}.json").read_text("utf-8"))
    return data


def test_every_catalog_has_the_same_keys_and_no_empty_string() -> None:
    keys = set(catalog("en"))
    for lang in LANGUAGES:
        c = catalog(lang)
        assert set(c) == keys, (lang, set(c) ^ keys)
        assert all(v.strip() for v in c.values()), lang


@pytest.mark.parametrize("lang", ["be", "ru"])
def test_belarusian_and_russian_are_translated(lang: str) -> None:
    en, other = catalog("en"), catalog(lang)
    # No string may be left in English (placeholders aside).
    same = [k for k in en if en[k] == other[k] and re.search(r"[a-z]{3}", re.sub(r"\{\w+\}", "", en[k]))]
    assert same == [], same
    # and they are written in Cyrillic
    assert [k for k, v in other.items() if not re.search(r"[А-яЁёІіЎў]", v)] == [], lang


def test_placeholders_match_across_languages() -> None:
    en = catalog("en")
    for lang in ("be", "ru"):
        other = catalog(lang)
        for k, text in en.items():
            assert set(re.findall(r"\{(\w+)\}", text)) == set(re.findall(r"\{(\w+)\}", other[k])), (lang, k)


def test_every_key_named_in_the_code_exists() -> None:
    keys = set(catalog("en"))
    namespaces = {k.split(".")[0] for k in keys}
    named: set[str] = set()
    for source in (BOOTH / "src").glob("*.js"):
        for literal in re.findall(r'"([a-z]+\.[a-z0-9-]+)"', source.read_text("utf-8")):
            if literal.split(".")[0] in namespaces and not literal.endswith((".html", ".js")):
                named.add(literal)
    assert len(named) > 80
    assert named - keys == set()
    # the error codes a credential code can fail with are keys too
    assert {"code.typo", "code.wrong-length", "code.bad-characters"} <= keys
