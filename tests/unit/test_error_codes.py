"""Every error has a stable code, one Dutch text, and a line in docs/errors.md; every field
error a text in the same catalogue."""

from __future__ import annotations

import ast
import pickle
import re
import string
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import pytest

import onzecoach
from onzecoach import errors
from onzecoach.messages import ERRORS, FIELDS, error_text, field_text

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "errors.md"
SOURCE = ROOT / "src" / "onzecoach"
_ROW = re.compile(r"^\| `([a-z_.]+)` \| `(\w+)` \| (\d{3}) \|", re.MULTILINE)


def documented() -> dict[str, tuple[str, int]]:
    return {code: (cls, int(status)) for code, cls, status in _ROW.findall(DOCS.read_text())}


def test_the_docs_list_exactly_the_codes_with_their_class_and_status() -> None:
    in_code = {code: (cls.__name__, cls.http_status) for code, cls in errors.all_codes().items()}
    assert documented() == in_code


_FIELD_ROW = re.compile(r"^\| `([a-z_]+)` \|", re.MULTILINE)


def documented_field_codes() -> set[str]:
    return set(_FIELD_ROW.findall(DOCS.read_text().partition("\n## Field codes\n")[2]))


def test_the_docs_list_exactly_the_field_codes() -> None:
    # Warnings have no code; an import row's "conflict" takes the Conflict's own text.
    in_catalogue = {key.split(".")[1] for key in FIELDS if not key.startswith("import_warning.")}
    assert documented_field_codes() == in_catalogue | {"conflict"}


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
        "Dit traject heeft {sessions} gesprekken; nog in te plannen: {left}."
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
                "DecryptionFailed", "AdapterError", "CalendarError"}  # fmt: skip
    wrong = [
        f"{Path(path).relative_to(ROOT)}:{line} {name}({code!r})"
        for name, code, line, path in raised_codes()
        if name not in detailed and code not in getattr(errors, name).error_codes
    ]
    assert raised_codes()
    assert wrong == []


# Field errors ---------------------------------------------------------------------------

#: The modules that define the catalogue and its constructors, not places that raise.
_CATALOGUE_MODULES = {SOURCE / "messages.py", SOURCE / "errors.py"}
_VALIDATION_CLASSES = {
    name
    for name, value in vars(errors).items()
    if isinstance(value, type) and issubclass(value, errors.ValidationError)
}


class FieldCall(NamedTuple):
    """A ``FieldError.of``, ``ValidationError.single`` or ``field_text`` call in the source."""

    place: str
    #: The catalogue keys it may name; ``None`` when they are not written out.
    keys: frozenset[str] | None
    #: The field code it raises, where written out (``field_text`` raises none).
    code: str | None
    #: The parameters it passes; ``None`` when they are unpacked from a mapping.
    params: frozenset[str] | None


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _literal_keys(node: ast.expr) -> frozenset[str] | None:
    """The keys ``node`` evaluates to: a literal, or a choice between literals."""
    if (text := _literal(node)) is not None:
        return frozenset({text})
    if isinstance(node, ast.IfExp):
        body, orelse = _literal_keys(node.body), _literal_keys(node.orelse)
        return None if body is None or orelse is None else body | orelse
    return None


def _field_call(node: ast.Call) -> tuple[frozenset[str] | None, str | None] | None:
    """The keys and code of a call that words a field error, ``None`` for any other call."""
    func = node.func
    keyword = {item.arg: item.value for item in node.keywords if item.arg is not None}
    if isinstance(func, ast.Name) and func.id == "field_text":
        return (_literal_keys(node.args[0]) if node.args else None), None
    if not (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and (
            (func.attr == "of" and func.value.id == "FieldError")
            or (func.attr == "single" and func.value.id in _VALIDATION_CLASSES)
        )
    ):
        return None
    field = _literal(node.args[0]) if node.args else None
    code = _literal(node.args[1]) if len(node.args) > 1 else None
    if "key" in keyword:
        return _literal_keys(keyword["key"]), code
    if field is None or code is None:
        return None, code
    return frozenset({f"{field}.{code}"}), code


def field_calls() -> list[FieldCall]:
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        if path in _CATALOGUE_MODULES:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Call) and (call := _field_call(node)) is not None:
                keys, code = call
                params = (
                    None
                    if any(item.arg is None for item in node.keywords)
                    else frozenset(item.arg for item in node.keywords if item.arg) - {"key"}
                )
                place = f"{path.relative_to(ROOT)}:{node.lineno}"
                found.append(FieldCall(place, keys, code, params))
    return found


def _named(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_field_text_fills_in_its_parameters() -> None:
    assert field_text("username.length", min_length=3, max_length=64) == (
        "Een inlognaam heeft 3 tot 64 tekens."
    )
    assert field_text("form.too_long.plural", label="Voorletters", max_length=20) == (
        "Voorletters mogen hoogstens 20 tekens lang zijn."
    )
    assert field_text("end.too_long") == "Kies hoogstens {max_months} maanden."


def test_a_field_error_takes_its_text_from_the_catalogue() -> None:
    assert errors.FieldError.of("username", "required") == errors.FieldError(
        "username", "required", "Vul een inlognaam in."
    )
    # A group's text names the field by its label; the field and code stay the error's own.
    assert errors.FieldError.of(
        "last_name", "invalid", key="person_name.invalid", label="Achternaam"
    ) == errors.FieldError(
        "last_name", "invalid", "Achternaam moet ten minste één letter bevatten."
    )
    short = errors.QueryTooShort.single("text", "too_short", letters=3)
    assert type(short) is errors.QueryTooShort
    assert short.errors == {"text": "Typ minimaal 3 letters van de voornaam of achternaam."}
    assert short.codes == {"text": "too_short"}
    with pytest.raises(KeyError):
        errors.FieldError.of("username", "too_tall")


def test_every_field_error_raised_in_the_source_names_a_text_the_catalogue_has() -> None:
    calls = field_calls()
    assert len(calls) > 100
    unwritten = [call.place for call in calls if call.keys is None]
    unknown = [
        f"{call.place} {key}" for call in calls for key in call.keys or () if key not in FIELDS
    ]
    assert (unwritten, unknown) == ([], [])


def test_every_text_of_the_catalogue_is_used_in_the_source() -> None:
    used = {key for call in field_calls() for key in call.keys or ()}
    assert set(FIELDS) - used == set()


def test_every_field_error_passes_the_parameters_its_text_names() -> None:
    wrong = []
    for call in field_calls():
        if call.params is None or call.keys is None or not call.keys <= set(FIELDS):
            continue
        named = [_named(FIELDS[key]) for key in call.keys]
        if any(not names <= call.params for names in named) or call.params - set().union(*named):
            wrong.append(f"{call.place} {sorted(call.params)} for {sorted(call.keys)}")
    assert wrong == []


def test_a_field_errors_key_names_its_code() -> None:
    # "<subject>.<code>" or "<subject>.<code>.<variant>": the catalogue reads by code.
    wrong = [
        f"{call.place} {call.code} as {key}"
        for call in field_calls()
        if call.code is not None
        for key in call.keys or ()
        if key.split(".")[1] != call.code
    ]
    assert wrong == []
    assert all(key.count(".") in (1, 2) for key in FIELDS)


#: Calls that carry a field error's (or a password rule's) text, and where among their
#: arguments the text goes.
_WORDED_AT = {"FieldError": 2, "RowError": 3, "Unreadable": 1, "PasswordRule": 1}


def _text_names(tree: ast.Module) -> set[str]:
    """The names a module gives written-out text, or a mapping of texts, in any scope."""
    names: set[str] = set()
    # Breadth first: a module's constants are seen before the functions that format them.
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and _is_text(value, names):
            names.add(target.id)
    return names


def _is_text(node: ast.expr, texts: set[str]) -> bool:  # noqa: PLR0911 - a case per node
    """Whether ``node`` is written-out text: a literal, an f-string, one formatted, or a
    mapping of them (so that what is looked up in it is text too)."""
    match node:
        case ast.Constant(value=str()) | ast.JoinedStr():
            return True
        case ast.Name(id=name):
            return name in texts
        case ast.BinOp(left=left, right=right):
            return _is_text(left, texts) or _is_text(right, texts)
        case ast.Subscript(value=mapping):
            return _is_text(mapping, texts)
        case ast.Dict(values=values):
            return bool(values) and all(_is_text(value, texts) for value in values)
        case ast.Call(func=ast.Attribute(attr="format", value=template)):
            return _is_text(template, texts)
        case ast.Call(func=ast.Attribute(attr="MappingProxyType"), args=[mapping]):
            return _is_text(mapping, texts)
    return False


def _worded(node: ast.Call, texts: set[str]) -> bool:
    """Whether ``node`` raises (or reports) a field error with text written out beside it."""
    func = node.func
    if isinstance(func, ast.Name) and func.id in _WORDED_AT:
        at = _WORDED_AT[func.id]
        message = node.args[at] if len(node.args) > at else None
        message = next((k.value for k in node.keywords if k.arg == "message"), message)
        return message is not None and _is_text(message, texts)
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
        return False
    if func.attr == "single" and func.value.id in _VALIDATION_CLASSES:
        return len(node.args) > 2 or any(k.arg == "message" for k in node.keywords)
    # The import's warnings about its file.
    if func.attr == "append" and func.value.id == "warnings":
        return any(_is_text(arg, texts) for arg in node.args)
    return False


def test_no_field_error_is_worded_where_it_is_raised() -> None:
    worded = []
    for path in sorted(SOURCE.rglob("*.py")):
        if path in _CATALOGUE_MODULES:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        texts = _text_names(tree)
        worded += [
            f"{path.relative_to(ROOT)}:{node.lineno}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and _worded(node, texts)
        ]
    assert worded == []


def _every_error() -> list[errors.OnzecoachError]:
    """An error of every class for each of its codes, with what its class carries besides."""
    made: list[errors.OnzecoachError] = []
    field = errors.FieldError.of("email", "invalid")
    for kind in errors._classes(errors.OnzecoachError):
        for code in sorted(kind.error_codes):
            if issubclass(kind, errors.ValidationError):
                made.append(kind([field, errors.FieldError.of("phone", "invalid")]))
            elif kind is errors.Throttled:
                made.append(kind(code, retry_at=datetime(2026, 12, 6, 9, tzinfo=UTC), tries=5))
            elif kind is errors.MfaRequired:
                made.append(kind(code))
            elif kind is errors.YubikeyServiceError:
                made.append(kind("signature does not match", status="BAD_SIGNATURE"))
            elif issubclass(kind, errors.CalendarError | errors.MailDeliveryError):
                made.append(kind("421 try later", code=code, unreachable=True))
            elif issubclass(kind, errors._DetailedError):
                made.append(kind("OperationalError: gone", code=code))
            else:
                made.append(kind(code, sessions=4, left=0))
    return made


@pytest.mark.parametrize("error", _every_error(), ids=lambda e: f"{type(e).__name__}-{e.code}")
def test_every_error_survives_pickling_whole(error: errors.OnzecoachError) -> None:
    # As an error raised in a worker process (a process pool, a task queue) reaches the
    # process that waits for it.
    again = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert type(again) is type(error)
    assert (again.code, str(again), again.args) == (error.code, str(error), error.args)
    assert vars(again) == vars(error)
