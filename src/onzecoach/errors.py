"""Every exception onzecoach raises, each with a stable code.

One tree; catch the branch you can handle::

    OnzecoachError                  never raised directly; .code, .params, .http_status
    ├── ValidationError             bad input; .errors: field -> Dutch message; .codes
    │   ├── PasswordPolicyError     .violations: codes such as "too_short", "reused"
    │   └── QueryTooShort           a search needs at least 3 letters
    ├── InvalidToken                unknown, used or expired link, challenge or session
    ├── VerificationFailed          a password or second-factor code that does not match
    ├── Throttled                   too many tries; .retry_at says when to try again
    ├── MfaRequired                 a second factor must be set up first
    ├── NotAuthenticated            no valid session
    ├── PermissionDenied            the actor's role may not do this
    ├── NotFound                    no such thing, or not the actor's to see
    ├── Conflict                    it exists already, or the state forbids the change
    │   └── SlotTaken               the time was just taken: a coach's sessions never overlap
    ├── QuotaExceeded               more sessions than the trajectory holds
    ├── DecryptionFailed            sealed data altered, or sealed with a key not configured
    └── AdapterError                the outside world failed; .detail says how
        ├── StorageError            the database
        ├── MailDeliveryError       the mail server; .permanent, .unreachable
        ├── SmsDeliveryError        the SMS gateway; .permanent, .unreachable
        ├── CalendarError           a coach's calendar server; .permanent, .unreachable
        └── YubikeyServiceError     the YubiKey validation service failed or was not trusted

``code`` is stable (``employee.not_found``, ``trajectory.quota_exceeded``): branch on it, map
it to your own texts. ``str(error)`` is the Dutch text from ``onzecoach.messages``; an
adapter error adds its technical ``detail`` (English, for the operator's log).
``http_status`` is the status an embedder should answer with. Each class lists the codes
it raises in ``error_codes``; ``all_codes()`` gives every one. Messages never carry a secret (token,
password, code): they are safe to log.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

import attrs

from onzecoach.messages import error_text, field_text

if TYPE_CHECKING:
    from onzecoach.results import Enrollment

__all__ = [
    "AdapterError",
    "CalendarError",
    "Conflict",
    "DecryptionFailed",
    "FieldError",
    "InvalidToken",
    "MailDeliveryError",
    "MfaRequired",
    "NotAuthenticated",
    "NotFound",
    "OnzecoachError",
    "PasswordPolicyError",
    "PermissionDenied",
    "QueryTooShort",
    "QuotaExceeded",
    "SlotTaken",
    "SmsDeliveryError",
    "StorageError",
    "Throttled",
    "ValidationError",
    "VerificationFailed",
    "YubikeyServiceError",
    "all_codes",
]


class OnzecoachError(Exception):
    """The base of every onzecoach error. Never raised directly.

    ``code`` must be one of the class's ``error_codes``: a code nobody documented is a bug.
    ``text`` is the catalogue's Dutch text alone, fit for a response to anyone;
    ``str(error)`` may say more (an adapter's ``detail``, a ``ValidationError``'s fields).
    """

    #: The HTTP status an embedder should answer with.
    http_status: ClassVar[int] = 500
    #: The codes this class raises (not those of its subclasses).
    error_codes: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, code: str, /, **params: object) -> None:
        if code not in type(self).error_codes:
            raise ValueError(f"{type(self).__name__} has no code {code!r}")
        self.code = code
        self.params: Mapping[str, object] = params
        self.text = error_text(code, **params)
        super().__init__(self.text)

    def __reduce__(self) -> tuple[object, ...]:
        # Pickled as it stands, not through ``__init__``: the message in ``args`` is no
        # code, and a subclass's ``__init__`` takes what it takes. So an error raised in a
        # worker process (a process pool, a task queue) arrives whole in the one waiting.
        return (_restored, (type(self), self.args, dict(self.__dict__)))


@attrs.frozen
class FieldError:
    """One rule one field broke: a stable ``code`` for programs, a Dutch ``message`` for people."""

    field: str
    code: str
    message: str

    @classmethod
    def of(
        cls, field: str, code: str, /, *, key: str | None = None, **params: object
    ) -> FieldError:
        """``field`` broke ``code``, worded by the catalogue ``onzecoach.messages.FIELDS``.

        The text is the one under ``"<field>.<code>"``, or under ``key`` where it is a
        group's (``"form.invalid"``, which takes the field's ``label``) or a variant
        (``"form.too_long.plural"``). ``params`` fill the text's ``{names}``.
        """
        return cls(field, code, field_text(key or f"{field}.{code}", **params))


class ValidationError(OnzecoachError):
    """Input that breaks one or more rules; every bad field is named at once.

    ``errors`` maps each field to its Dutch message and ``codes`` maps it to a stable code.
    Where one field breaks several rules, the first is reported per field; ``details``
    keeps all of them in order.
    """

    http_status = 422
    error_codes = frozenset({"validation.invalid"})
    _code: ClassVar[str] = "validation.invalid"

    def __init__(self, details: Iterable[FieldError]) -> None:
        self.details: tuple[FieldError, ...] = tuple(details)
        if not self.details:
            raise ValueError("a ValidationError needs at least one FieldError")
        errors: dict[str, str] = {}
        codes: dict[str, str] = {}
        for item in self.details:
            errors.setdefault(item.field, item.message)
            codes.setdefault(item.field, item.code)
        self.errors: Mapping[str, str] = errors
        self.codes: Mapping[str, str] = codes
        super().__init__(self._code)
        # The fields' own messages say more than the summary line.
        self.args = ("; ".join(f"{field}: {message}" for field, message in errors.items()),)

    @classmethod
    def single(
        cls, field: str, code: str, /, *, key: str | None = None, **params: object
    ) -> ValidationError:
        """The error of one bad field, worded as ``FieldError.of`` words it."""
        return cls([FieldError.of(field, code, key=key, **params)])


class PasswordPolicyError(ValidationError):
    """A password that breaks the policy; ``violations`` lists every rule broken."""

    error_codes = frozenset({"password.policy"})
    _code = "password.policy"

    def __init__(self, details: Iterable[FieldError]) -> None:
        super().__init__(details)
        self.violations: tuple[str, ...] = tuple(item.code for item in self.details)


class QueryTooShort(ValidationError):
    """A search text with fewer letters than the minimum."""

    error_codes = frozenset({"search.query_too_short"})
    _code = "search.query_too_short"


class InvalidToken(OnzecoachError):
    """An unknown, used or expired link, challenge or session token."""

    http_status = 410
    error_codes = frozenset({"link.invalid", "login.challenge_expired", "login.challenge_used"})


class VerificationFailed(OnzecoachError):
    """A password or second-factor code that does not match.

    ``reason`` says why, for programs: ``"mismatch"`` (the default), ``"expired"``,
    ``"replayed"``, ``"used"``, ``"wrong_key"`` (a YubiKey not bound to the account),
    ``"malformed"`` or ``"too_many_tries"``; it is the last part of the code.
    """

    http_status = 401
    error_codes = frozenset(
        {
            "login.mismatch",
            "password.mismatch",
            "code.mismatch",
            "totp.mismatch",
            "totp.replayed",
            "sms.not_requested",
            "sms.expired",
            "sms.too_many_tries",
            "sms.used",
            "backup_code.used",
            "yubikey.malformed",
            "yubikey.replayed",
            "yubikey.wrong_key",
            "webauthn.malformed",
            "webauthn.mismatch",
            "webauthn.challenge_used",
            "webauthn.challenge_expired",
            "webauthn.wrong_key",
            "webauthn.counter_backwards",
            "webauthn.user_not_verified",
            "webauthn.passkey_not_allowed",
        }
    )
    _REASONS: ClassVar[Mapping[str, str]] = {"sms.not_requested": "used"}

    def __init__(self, code: str, /, **params: object) -> None:
        super().__init__(code, **params)
        self.reason = self._REASONS.get(code, code.rpartition(".")[2])


class Throttled(OnzecoachError):
    """Too many attempts; try again at ``retry_at`` (UTC)."""

    http_status = 429
    error_codes = frozenset(
        {
            "login.throttled",
            "password.throttled",
            "invitation.throttled",
            "sms.resend_wait",
            "booking.throttled",
        }
    )

    def __init__(self, code: str, /, *, retry_at: datetime, **params: object) -> None:
        super().__init__(code, **params)
        self.retry_at = retry_at


class MfaRequired(OnzecoachError):
    """A second factor has to be set up (or confirmed) before this step.

    Raised by a login with the right password for an account whose second factor is not
    set up (yet, or again after a reset): ``enrollment`` then carries the ``Enrollment``
    whose token continues the setup.
    """

    http_status = 403
    error_codes = frozenset({"mfa.not_set_up", "mfa.confirm_first", "mfa.app_not_begun"})

    def __init__(self, code: str, /, *, enrollment: Enrollment | None = None) -> None:
        super().__init__(code)
        self.enrollment = enrollment


class NotAuthenticated(OnzecoachError):
    """No valid session."""

    http_status = 401
    error_codes = frozenset({"session.expired", "session.required"})


class PermissionDenied(OnzecoachError):
    """The actor's role does not allow this action.

    Never raised for another employer's data: that answers ``NotFound``.
    """

    http_status = 403
    error_codes = frozenset({"access.service_desk_only", "access.denied"})


class NotFound(OnzecoachError):
    """No such object, or not one the actor may see."""

    http_status = 404
    error_codes = frozenset(
        {
            "access.not_found",
            "employer.not_found",
            "department.not_found",
            "user.not_found",
            "factor.not_found",
            "sms_code.not_found",
            "employee.not_found",
            "trajectory.not_found",
            "appointment.not_found",
            "coach.not_found",
            "task.not_found",
            "outbox.message_not_found",
            "outbox.dead_message_not_found",
        }
    )


class Conflict(OnzecoachError):
    """The object exists already, or its state does not allow the change."""

    http_status = 409
    error_codes = frozenset(
        {
            "employer.name_taken",
            "department.name_taken",
            "user.username_taken",
            "user.not_invited",
            "factor.last",
            "yubikey.bound",
            "webauthn.registered",
            "employee.exists",
            "employee.number_taken",
            "employee.numbers_taken",
            "employee.has_trajectories",
            "employee.erased",
            "employee.changed",
            "trajectory.exists",
            "trajectory.number_taken",
            "trajectory.already_open",
            "trajectory.closed",
            "trajectory.already_closed",
            "trajectory.booking_link_taken",
            "appointment.exists",
            "appointment.other_trajectory",
            "appointment.portal_session",
            "booking.too_late_to_move",
            "booking.not_planned",
            "booking.not_begun",
            "booking.already_begun",
            "task.exists",
            "task.done",
            "extension.not_configured",
            "token.exists",
            "session.exists",
            "login.challenge_exists",
            "sms_code.exists",
            "webauthn_challenge.exists",
            "outbox.message_exists",
            "coach.exists",
            "coach.calendars_not_configured",
        }
    )


class SlotTaken(Conflict):
    """The time was just taken: another session of the coach overlaps it.

    Two bookings of one coach's time that race each other: one wins, the other gets this.
    The database itself refuses the overlap, so no path around the checks can make one.
    """

    error_codes = frozenset({"booking.slot_taken"})


class QuotaExceeded(OnzecoachError):
    """More appointments than the trajectory's sessions."""

    http_status = 409
    error_codes = frozenset({"trajectory.quota_exceeded"})


class _DetailedError(OnzecoachError):
    """An error whose code is fixed by its class, with a technical ``detail`` for logs."""

    code_of_class: ClassVar[str]

    def __init__(self, detail: str = "", /, *, code: str | None = None) -> None:
        super().__init__(code or self.code_of_class)
        self.detail = detail
        if detail:
            self.args = (f"{self.text} ({detail})",)


class DecryptionFailed(_DetailedError):
    """Sealed data that does not open: altered, or sealed with a key no longer configured."""

    error_codes = frozenset({"crypto.decryption_failed"})
    code_of_class = "crypto.decryption_failed"


class AdapterError(_DetailedError):
    """An adapter could not reach or use the outside world; ``detail`` says how."""

    http_status = 503


class StorageError(AdapterError):
    """The database failed or is misconfigured."""

    error_codes = frozenset({"storage.failed", "storage.misconfigured"})
    code_of_class = "storage.failed"


class _DeliveryError(AdapterError):
    http_status = 502

    def __init__(
        self,
        detail: str = "",
        /,
        *,
        permanent: bool = False,
        unreachable: bool = False,
        code: str | None = None,
    ) -> None:
        super().__init__(detail, code=code)
        #: Retrying will not help (the server refused this message for good).
        self.permanent = permanent
        #: The server could not be reached at all (connect failure, timeout, dropped line):
        #: the next message to it would fare no better.
        self.unreachable = unreachable


class MailDeliveryError(_DeliveryError):
    """The mail server refused or could not be reached; ``permanent`` means retrying is futile."""

    error_codes = frozenset({"mail.delivery_failed"})
    code_of_class = "mail.delivery_failed"


class SmsDeliveryError(_DeliveryError):
    """The SMS gateway refused or could not be reached; ``permanent`` means retrying is futile."""

    error_codes = frozenset({"sms.delivery_failed"})
    code_of_class = "sms.delivery_failed"


class CalendarError(_DeliveryError):
    """A coach's calendar server refused or could not be reached.

    ``calendar.unavailable`` (the default): down, busy or out of reach, worth another try;
    ``calendar.refused``: the login was refused or there is no calendar at the URL, so
    every call fails until the coach fixes the connection; ``calendar.rejected``: the
    server refused this event for good. ``permanent`` follows the code unless given;
    ``unreachable`` means no answer at all (no connection, a timeout), so the next call to
    the same server would wait as long.
    """

    error_codes = frozenset({"calendar.unavailable", "calendar.refused", "calendar.rejected"})
    code_of_class = "calendar.unavailable"
    _PERMANENT: ClassVar[frozenset[str]] = frozenset({"calendar.refused", "calendar.rejected"})

    def __init__(
        self,
        detail: str = "",
        /,
        *,
        permanent: bool | None = None,
        unreachable: bool = False,
        code: str | None = None,
    ) -> None:
        if permanent is None:
            permanent = (code or self.code_of_class) in self._PERMANENT
        super().__init__(detail, permanent=permanent, unreachable=unreachable, code=code)


class YubikeyServiceError(AdapterError):
    """The YubiKey validation service could not answer, or its answer cannot be trusted.

    ``status`` holds the service's status word where it gave one (``"BAD_SIGNATURE"``,
    ``"NO_SUCH_CLIENT"``, ``"BACKEND_ERROR"``, ...), or ``None`` (unreachable, a response
    whose signature or echo does not check out).
    """

    error_codes = frozenset({"yubikey.service_failed"})
    code_of_class = "yubikey.service_failed"

    def __init__(self, detail: str = "", /, *, status: str | None = None) -> None:
        super().__init__(detail)
        self.status = status


def _restored(
    kind: type[OnzecoachError], args: tuple[object, ...], state: dict[str, object]
) -> OnzecoachError:
    """An error as ``OnzecoachError.__reduce__`` pickled it."""
    error = kind.__new__(kind)
    error.args = args
    error.__dict__.update(state)
    return error


def _classes(root: type[OnzecoachError]) -> Iterable[type[OnzecoachError]]:
    yield root
    for sub in root.__subclasses__():
        yield from _classes(sub)


def all_codes() -> dict[str, type[OnzecoachError]]:
    """Every error code, with the class that raises it."""
    return {code: cls for cls in _classes(OnzecoachError) for code in cls.error_codes}
