"""Every error has a stable code, one Dutch text, and a line in docs/errors.md."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import onzecoach
from onzecoach import errors
from onzecoach.messages import ERRORS, error_text

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "errors.md"
SOURCE = ROOT / "src" / "onzecoach"
_ROW = re.compile(r"^\| `([a-z_.]+)` \| `(\w+)` \| (\d{3}) \|", re.MULTILINE)


def documented() -> dict[str, tuple[str, int]]:
    return {code: (cls, int(status)) for code, cls, status in _ROW.findall(DOCS.read_text())}


def test_the_docs_list_exactly_the_codes_with_their_class_and_status() -> None:
    in_code = {code: (cls.__name__, cls.http_status) for code, cls in errors.all_codes().items()}
    assert documented() == in_code


def test_every_code_has_its_dutch_text_and_every_text_a_code() -> None:
    assert set(ERRORS) == set(errors.all_codes())


def test_no_two_classes_share_a_code() -> None:
    seen: dict[str, str] = {}
    classes: list[type[errors.OnzecoachError]] = [
        errors.OnzecoachError,
        *_subclasses(errors.OnzecoachError),
    ]
    for kind in classes:
        for code in kind.error_codes:
            assert code not in seen, f"{code} in {kind.__name__} and {seen[code]}"
            seen[code] = kind.__name__


def _subclasses(root: type[errors.OnzecoachError]) -> list[type[errors.OnzecoachError]]:
    found: list[type[errors.OnzecoachError]] = []
    for sub in root.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_an_error_refuses_a_code_nobody_documented() -> None:
    with pytest.raises(ValueError, match="has no code"):
        errors.NotFound("Werknemer niet gevonden.")
    with pytest.raises(ValueError, match="has no code"):
        errors.NotFound("task.done")  # a Conflict's code


def test_the_text_fills_in_its_parameters_and_keeps_a_missing_one_visible() -> None:
    taken = errors.Conflict("employee.number_taken", number="1002")
    assert str(taken) == "Personeelsnummer '1002' is al in gebruik bij deze werkgever."
    assert taken.code == "employee.number_taken"
    assert taken.params == {"number": "1002"}
    assert error_text("trajectory.quota_exceeded") == (
        "Dit traject heeft {sessions} gesprekken; die zijn al gepland of gehouden."
    )


def test_an_adapter_error_keeps_its_detail_apart_from_the_text() -> None:
    failed = errors.StorageError("committing failed: OperationalError")
    assert failed.code == "storage.failed"
    assert failed.detail == "committing failed: OperationalError"
    assert str(failed) == (
        "De database gaf een fout. Probeer het later opnieuw. (committing failed: OperationalError)"
    )
    assert errors.MailDeliveryError("550", permanent=True).permanent
    assert errors.SmsDeliveryError("timeout", unreachable=True).unreachable


_ERROR_CLASSES = {
    name
    for name, value in vars(onzecoach).items()
    if isinstance(value, type) and issubclass(value, errors.OnzecoachError)
}


def raised_codes() -> list[tuple[str, str, int, str]]:
    """Every string literal passed first to an error's constructor in the SDK's source."""
    found = []
    for path in SOURCE.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in _ERROR_CLASSES
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.append((node.func.id, node.args[0].value, node.lineno, str(path)))
    return found


def test_every_code_raised_in_the_source_is_one_its_class_has() -> None:
    # Adapter errors take a technical detail first; every other error a code.
    detailed = {"StorageError", "MailDeliveryError", "SmsDeliveryError", "YubikeyServiceError",
                "DecryptionFailed", "AdapterError"}  # fmt: skip
    wrong = [
        f"{Path(path).relative_to(ROOT)}:{line} {name}({code!r})"
        for name, code, line, path in raised_codes()
        if name not in detailed and code not in getattr(errors, name).error_codes
    ]
    assert raised_codes()
    assert wrong == []
