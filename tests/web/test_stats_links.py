"""The statistics page's links that differ in one value: the same as building each one."""

from __future__ import annotations

from typing import Any

from flask import Flask, url_for
from flask_portal.views.stats import _MARK, _links
from hypothesis import given
from hypothesis import strategies as st

APP = Flask(__name__)
APP.add_url_rule("/statistieken/", "dashboard", lambda: "")
NAMES = ("van", "tot", "werkgever", "afdeling", "werknemer", "sortering", "pagina")
# Ids and words as the links hold them, and text that the query string must quote.
VALUES = st.one_of(
    st.none(),
    st.just(""),
    st.sampled_from(["0123456789abcdef0123456789abcdef", "held_sessions", "geen", _MARK]),
    st.text(max_size=12),
)


@given(
    current=st.fixed_dictionaries(dict.fromkeys(NAMES, VALUES)),
    name=st.sampled_from(NAMES),
    dropped=st.sets(st.sampled_from(NAMES)),
    values=st.lists(VALUES, max_size=5),
)
def test_a_shared_link_gives_what_each_url_for_gives(
    current: dict[str, str | None],
    name: str,
    dropped: set[str],
    values: list[str | None],
) -> None:
    def link(**changes: str | None) -> str:
        merged = {**current, **changes}
        params: dict[str, Any] = {key: value for key, value in merged.items() if value}
        return url_for("dashboard", **params)

    others: dict[str, str | None] = dict.fromkeys(dropped - {name})
    with APP.test_request_context():
        build = _links(link, name, **others)
        for value in values:
            assert build(value) == link(**others, **{name: value})
