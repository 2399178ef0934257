"""The one test of an email address (core/addresses.py), used for citizens, collaborators,
staff accounts and /my alike."""

from __future__ import annotations

import pytest

from core.addresses import valid_address


@pytest.mark.parametrize("good", ["taro@example.jp", "a.b+c@city.kobe.lg.jp", "x@a-b.co"])
def test_good_addresses(good: str) -> None:
    assert valid_address(good)


@pytest.mark.parametrize("bad", [
    "poison@example.invalid.", "a@@example.jp", "a@b@example.jp", "ｔａｒｏ@example.jp",
    "taro@ｅｘａｍｐｌｅ.jp", "taro@exаmple.jp",  # a Cyrillic а
    "taro@example", ".taro@example.jp", "taro.@example.jp", "ta..ro@example.jp",
    "taro@-example.jp", "taro@example-.jp", "taro example@example.jp", "taro@example.jp\n",
    "<taro@example.jp>", "taro@example..jp", "a" * 65 + "@example.jp", "",
])
def test_bad_addresses(bad: str) -> None:
    assert not valid_address(bad)
