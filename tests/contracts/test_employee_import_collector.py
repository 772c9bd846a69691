"""The garbage collector while an import runs: a young pass after each batch, none of its
own, and the collector as it was once the import ends, however it ends."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from import_support import DUTCH, ROWS, as_file, csv_bytes, hr_of
from onzecoach import Portal
from onzecoach.employees._collector import young_passes_only


@pytest.fixture
def passes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[int, bool]]]:
    """Each ``gc.collect`` call: the generation, and whether the collector was on."""
    noted: list[tuple[int, bool]] = []
    collect = gc.collect

    def noting(generation: int = 2) -> int:
        noted.append((generation, gc.isenabled()))
        return collect(generation)

    monkeypatch.setattr(gc, "collect", noting)
    was_enabled = gc.isenabled()
    yield noted
    if was_enabled:
        gc.enable()  # whatever a failed test left


def test_an_import_makes_young_passes_after_each_batch_and_none_of_the_collectors_own(
    portal: Portal, passes: list[tuple[int, bool]]
) -> None:
    hr = hr_of(portal, "Acme")
    seen: list[tuple[int, int | None, bool]] = []

    report = portal.imports.employees(
        hr,
        as_file(csv_bytes(DUTCH, ROWS)),
        batch_size=1,
        progress=lambda done, total: seen.append((done, total, gc.isenabled())),
    )

    assert (report.created, report.errors) == (3, ())
    assert passes == [(1, False)] * 3
    assert seen == [(1, 3, False), (2, 3, False), (3, 3, False)]
    assert gc.isenabled()


def test_the_collector_is_back_on_after_an_import_that_stopped(
    portal: Portal, passes: list[tuple[int, bool]]
) -> None:
    hr = hr_of(portal, "Acme")

    def stop(done: int, total: int | None) -> None:
        raise RuntimeError("gestopt")

    with pytest.raises(RuntimeError, match="gestopt"):
        portal.imports.employees(hr, as_file(csv_bytes(DUTCH, ROWS)), batch_size=1, progress=stop)
    assert passes[0] == (1, False)
    assert gc.isenabled()


def test_a_collector_switched_off_beforehand_stays_off(
    portal: Portal, passes: list[tuple[int, bool]]
) -> None:
    hr = hr_of(portal, "Acme")
    gc.disable()
    report = portal.imports.employees(hr, as_file(csv_bytes(DUTCH, ROWS)), batch_size=2)
    assert report.created == 3
    assert passes == [(1, False)] * 2
    assert not gc.isenabled()


def test_imports_side_by_side_share_the_pause(passes: list[tuple[int, bool]]) -> None:
    first, second = young_passes_only(None), young_passes_only(None)
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()  # the second import still runs
    second.__exit__(None, None, None)
    assert gc.isenabled()
