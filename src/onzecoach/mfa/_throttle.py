"""Growing delays after failed logins: per account, and a cap per IP address."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from onzecoach.accounts import username_key
from onzecoach.errors import Throttled, ValidationError
from onzecoach.throttling import ThrottleState, ThrottlingRepositories, rate_key
from onzecoach.validation import is_printable

if TYPE_CHECKING:
    from onzecoach.settings import Settings

__all__ = ["LoginThrottle"]

#: Longer than any address a proxy forwards, IPv6 with a zone included.
_IP_MAX = 64


class LoginThrottle:
    """django-otp's rule: after the free tries, wait base x 2^(n - 1), capped; reset on success.

    Keys are per username (known or not, so the delay says nothing about existence) and
    per IP address. Never a permanent lock-out: at most ``login_max_failures`` per hour,
    after which the window's end is the next chance.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @staticmethod
    def account_key(username: str) -> str:
        return rate_key("login", username_key(username))

    @staticmethod
    def ip_key(ip: object) -> str | None:
        # An address is kept with the login's challenge: it must be one, not any text.
        if ip is not None and not is_printable(ip, max_length=_IP_MAX):
            raise ValidationError.single("ip", "invalid")
        return None if not ip else rate_key("login-ip", ip.strip().lower())

    def check(
        self,
        uow: ThrottlingRepositories,
        account: str,
        ip: str | None,
        *,
        now: datetime,
        lock_ip: bool = True,
    ) -> tuple[ThrottleState | None, ThrottleState | None]:
        """Raise ``Throttled`` when either key has to wait; else both keys' states.

        The account's state is locked until the transaction ends, so that its tries take
        turns; the address's too unless ``lock_ip`` is false.
        """
        settings = self._settings
        state = uow.throttles.get(account, for_update=True)
        waits = [self._retry_at(state, settings.login_max_failures, now)]
        ip_state = None if ip is None else uow.throttles.get(ip, for_update=lock_ip)
        waits.append(self._window_end(ip_state, settings.login_ip_max_failures, now))
        later = [at for at in waits if at is not None and at > now]
        if later:
            at = max(later)
            raise Throttled("login.throttled", retry_at=at, at=at.strftime("%H:%M:%S UTC"))
        return state, ip_state

    def check_ip(self, uow: ThrottlingRepositories, ip: str | None, *, now: datetime) -> None:
        """Raise ``Throttled`` when the address has used its tries for this hour: for a
        sign-in that names no account until its answer is read (a passkey)."""
        state = None if ip is None else uow.throttles.get(ip, for_update=False)
        end = self._window_end(state, self._settings.login_ip_max_failures, now)
        if end is not None:
            raise Throttled("login.throttled", retry_at=end, at=end.strftime("%H:%M:%S UTC"))

    def failed(
        self, uow: ThrottlingRepositories, account: str | None, ip: str | None, *, now: datetime
    ) -> None:
        window = self._settings.login_failure_window
        for key in (account, ip):
            if key is not None:
                uow.throttles.record_failure(key, now=now, window=window)

    def succeeded(self, uow: ThrottlingRepositories, account: str) -> None:
        uow.throttles.clear(account)

    def released(
        self, uow: ThrottlingRepositories, account: str, before: ThrottleState | None
    ) -> None:
        """Take back the account's failure counted in advance for a try that succeeded."""
        last = None if before is None else before.last_failure_at
        uow.throttles.release(account, last_failure_at=last)

    def delay(self, failures: int) -> timedelta:
        """The wait after ``failures`` failures in a row."""
        over = failures - self._settings.login_free_failures
        if over <= 0:
            return timedelta(0)
        delay = self._settings.login_delay_base * (1 << min(over - 1, 32))
        return min(delay, self._settings.login_delay_max)

    def _retry_at(self, state: ThrottleState | None, cap: int, now: datetime) -> datetime | None:
        if state is None:
            return None
        end = self._window_end(state, cap, now)
        return max(
            (at for at in (end, state.last_failure_at + self.delay(state.failures)) if at),
            default=None,
        )

    def _window_end(self, state: ThrottleState | None, cap: int, now: datetime) -> datetime | None:
        if state is None:
            return None
        end = state.window_start + self._settings.login_failure_window
        if now < end and state.window_failures >= cap:
            return end
        return None
