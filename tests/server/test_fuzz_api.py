"""A fuzz pass over ballot submission: arbitrary JSON, and valid ballots with one value
changed. Never a 5xx, never an accepted invalid ballot, never a change to the board."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Api

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=70) | st.sampled_from(["00" * 32, "ff" * 32]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(body=json_values)
def test_arbitrary_json_is_refused_with_a_4xx(api: Api, body: Any) -> None:
    height = api.height()
    response = api.http.post(api.base + "/ballots", json=body)
    assert 400 <= response.status_code < 500 and response.json()["error"]
    assert api.height() == height


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _paths(v, (*prefix, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _paths(v, (*prefix, i))]
    return [prefix]


@FUZZ
@given(data=st.data())
def test_one_changed_value_is_never_accepted(api: Api, data: st.DataObject) -> None:
    if not hasattr(api, "_fuzz_ballot"):
        api._fuzz_ballot = api.ballot(3)  # type: ignore[attr-defined]  # one encryption for all examples
    ballot = copy.deepcopy(api._fuzz_ballot)  # type: ignore[attr-defined]
    path = data.draw(st.sampled_from(_paths(ballot)))
    target = ballot
    for key in path[:-1]:
        target = target[key]
    old = target[path[-1]]
    new = data.draw(
        st.one_of(
            st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
            json_values,
        ).filter(lambda v: v != old)
    )
    target[path[-1]] = new
    height = api.height()
    response = api.http.post(api.base + "/ballots", json={"ballot": ballot})
    assert 400 <= response.status_code < 500, (path, response.json())
    assert api.height() == height
