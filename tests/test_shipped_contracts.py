"""The shipped contract suites run from outside this repository's test tree.

The docs' recipe (docs/adapters.md, "Testing your adapter") is written into a folder of its
own, as an adapter's author would, and run by pytest in a subprocess that sees the
installed package and nothing of ``tests/``. It must collect and pass the contracts; and a
storage that breaks one rule, or an SMS sender whose error quotes the text, must fail them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

ADAPTERS_DOC = Path(__file__).resolve().parents[1] / "docs" / "adapters.md"
RECIPE_MARK = "<!-- the recipe: tests/test_shipped_contracts.py runs it as it stands -->"

Outcomes = dict[str, str]  # test id (Class::Group::test) -> passed, failed or skipped


def recipe() -> str:
    """The test module of the docs' recipe, as it stands there."""
    after = ADAPTERS_DOC.read_text(encoding="utf-8").split(RECIPE_MARK, 1)[1]
    found = re.match(r"\s*```python\n(.*?)```", after, re.DOTALL)
    assert found, "the recipe's code block follows its mark"
    return found.group(1)


def run_pytest(folder: Path) -> Outcomes:
    """Run pytest on ``folder`` as an outside project would; every test's outcome."""
    (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")  # no config of ours
    report = folder / "report.xml"
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}"],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    outcomes: Outcomes = {}
    # The report is the one the subprocess above wrote.
    for case in ET.parse(report).getroot().iter("testcase"):  # noqa: S314
        classes = case.get("classname", "").split(".")[1:]  # without the module
        outcome = "passed"
        for child in case:
            if child.tag in {"failure", "error"}:
                outcome = "failed"
            elif child.tag == "skipped":
                outcome = "skipped"
        outcomes["::".join([*classes, case.get("name", "")])] = outcome
    return outcomes


def tally(outcomes: Outcomes, contract: str) -> Counter[str]:
    return Counter(o for test, o in outcomes.items() if test.startswith(f"{contract}::"))


def test_the_recipe_runs_the_shipped_contracts_outside_the_test_tree(tmp_path: Path) -> None:
    (tmp_path / "test_my_adapters.py").write_text(recipe(), encoding="utf-8")

    outcomes = run_pytest(tmp_path)

    storage = tally(outcomes, "TestMyStorage")
    assert storage["failed"] == 0, [t for t, o in outcomes.items() if o == "failed"]
    assert storage["passed"] >= 150
    groups = {test.split("::")[1] for test in outcomes if test.startswith("TestMyStorage::")}
    assert {"TestEmployers", "TestAccounts", "TestSearch", "TestStats"} <= groups
    assert len(groups) == 17
    # The recording mailer is never partly delivered: it skips those two.
    assert tally(outcomes, "TestMyMailer") == Counter(passed=11, skipped=2)
    assert tally(outcomes, "TestMySmsSender") == Counter(passed=9)
    assert tally(outcomes, "TestMyCalendar") == Counter(passed=27)


def test_the_recipe_type_checks_strictly(tmp_path: Path) -> None:
    (tmp_path / "test_my_adapters.py").write_text(recipe(), encoding="utf-8")
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "test_my_adapters.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout


def test_the_subprocess_sees_nothing_of_the_test_tree(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    probe = "import importlib.util as u; print(u.find_spec('support'), u.find_spec('conftest'))"
    seen = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    assert seen.stdout.split() == ["None", "None"]


BROKEN = '''
from collections.abc import Callable
from typing import Any

import pytest

from onzecoach import SmsDeliveryError
from onzecoach.adapters.memory import MemoryStorage
from onzecoach.testing import RecordingSms, SmsMessage
from onzecoach.testing.contracts import SmsFailure, SmsSenderContract, StorageContract


class _Reversed:
    """A repository whose ``list`` gives its records in the wrong order."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def list(self) -> Any:
        return self._real.list()[::-1]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class _UnitOfWork:
    def __init__(self, real: Any) -> None:
        self._real = real

    def __enter__(self) -> "_UnitOfWork":
        self._real.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._real.__exit__(*exc)

    @property
    def employers(self) -> _Reversed:
        return _Reversed(self._real.employers)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class EmployersBackwards(MemoryStorage):
    def unit_of_work(self) -> Any:
        return _UnitOfWork(super().unit_of_work())


class TestBrokenStorage(StorageContract):
    TestStats = None  # left out, as the docs allow

    @pytest.fixture
    def storage_factory(self) -> Callable[[], EmployersBackwards]:
        storage = EmployersBackwards()
        return lambda: storage


class QuotingSms(RecordingSms):
    def send(self, to: str, text: str) -> None:
        raise SmsDeliveryError(f"gateway refused {text!r}", permanent=True)


class TestLeakySms(SmsSenderContract):
    @pytest.fixture
    def sms_sender(self) -> RecordingSms:
        return RecordingSms()

    @pytest.fixture
    def sms_inbox(self, sms_sender: RecordingSms) -> Callable[[], list[SmsMessage]]:
        return lambda: sms_sender.sent

    @pytest.fixture
    def failing_sms_sender(self) -> Callable[[SmsFailure], RecordingSms]:
        return lambda how: QuotingSms()
'''


def test_an_adapter_that_breaks_a_rule_fails_the_shipped_suites(tmp_path: Path) -> None:
    (tmp_path / "test_broken_adapters.py").write_text(textwrap.dedent(BROKEN), encoding="utf-8")

    outcomes = run_pytest(tmp_path)

    failed = sorted(test for test, outcome in outcomes.items() if outcome == "failed")
    assert failed == [
        "TestBrokenStorage::TestEmployers::test_list_is_sorted_by_name_case_insensitively",
        "TestBrokenStorage::TestTransactions::test_concurrent_writers_all_land",
        # The quoting sender calls every failure permanent and shows the text.
        "TestLeakySms::test_a_busy_gateway_is_worth_another_try",
        "TestLeakySms::test_a_gateway_out_of_reach_is_unreachable_and_worth_another_try",
        "TestLeakySms::test_no_error_shows_the_text_the_number_or_a_secret[busy]",
        "TestLeakySms::test_no_error_shows_the_text_the_number_or_a_secret[refused]",
        "TestLeakySms::test_no_error_shows_the_text_the_number_or_a_secret[unreachable]",
    ]
    assert tally(outcomes, "TestBrokenStorage")["passed"] >= 100
    assert not any("::TestStats::" in test for test in outcomes)
