"""The search's folding: its ASCII shortcut agrees with the general rule."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from onzecoach.search._normalise import _fold_any, fold

ASCII = st.text(st.characters(max_codepoint=127))


@given(ASCII, st.sampled_from(["", " "]))
@example("d'Hondt-van der Berg", "")
@example("P-0042/b\t\x00`", " ")
def test_ascii_text_folds_as_the_general_rule_folds_it(text: str, apostrophe: str) -> None:
    assert fold(text, apostrophe=apostrophe) == _fold_any(text, apostrophe)


@given(st.text(), st.sampled_from(["", " "]))
@example("O\u2019Neill d\u00b4Ancona", " ")
def test_other_text_takes_the_general_rule(text: str, apostrophe: str) -> None:
    assert fold(text, apostrophe=apostrophe) == _fold_any(text, apostrophe)


def test_folding_lowers_splits_and_joins() -> None:
    assert fold("d'Hondt") == "dhondt"
    assert fold("d'Hondt", apostrophe=" ") == "d hondt"
    assert fold("Özdemir-Gülsen") == "ozdemir gulsen"
    assert fold("JANSEN-de Vries") == "jansen de vries"
