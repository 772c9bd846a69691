"""The storage contract of throttling: rate limits and the throttles of failed tries."""

from __future__ import annotations

from datetime import datetime, timedelta

from onzecoach.ports import Storage
from onzecoach.testing.contracts._base import StorageTests
from onzecoach.testing.contracts._builders import AMSTERDAM, T0, in_transaction
from onzecoach.throttling import ThrottleState, rate_key

__all__ = ["WINDOW", "ThrottlingTests", "record_failure"]

WINDOW = timedelta(hours=1)


def record_failure(storage: Storage, key: str, now: datetime) -> ThrottleState:
    return in_transaction(
        storage, lambda uow: uow.throttles.record_failure(key, now=now, window=WINDOW)
    )


def hit(storage: Storage, key: str, now: datetime) -> int:
    return in_transaction(storage, lambda uow: uow.rate_limits.hit(key, now=now, window=WINDOW))


def peek(storage: Storage, key: str, now: datetime) -> int:
    with storage.unit_of_work() as uow:
        return uow.rate_limits.peek(key, now=now, window=WINDOW)


def state(storage: Storage, key: str) -> ThrottleState | None:
    with storage.unit_of_work() as uow:
        return uow.throttles.get(key)


class ThrottlingTests(StorageTests):
    """``uow.rate_limits`` and ``uow.throttles``."""

    def test_hits_count_within_a_window_and_the_next_hit_starts_a_new_one(
        self, storage: Storage
    ) -> None:
        key = rate_key("mail", "anna@example.nl")
        assert peek(storage, key, T0) == 0
        assert hit(storage, key, T0) == 1
        assert hit(storage, key, T0 + timedelta(minutes=30)) == 2
        last_in_window = T0 + WINDOW - timedelta(microseconds=1)
        assert peek(storage, key, last_in_window) == 2
        assert hit(storage, key, last_in_window) == 3
        assert peek(storage, key, T0 + WINDOW) == 0
        # A window starts at the first hit after the last one ended, not on the hour.
        restart = datetime(2026, 3, 2, 11, 45, tzinfo=AMSTERDAM)  # T0 + 75 minutes
        assert hit(storage, key, restart) == 1
        assert hit(storage, key, restart + WINDOW - timedelta(seconds=1)) == 2
        assert peek(storage, key, restart + WINDOW - timedelta(seconds=1)) == 2

    def test_rate_limit_keys_count_apart_and_peeking_counts_nothing(self, storage: Storage) -> None:
        anna, bram = rate_key("mail", "anna@example.nl"), rate_key("mail", "bram@example.nl")
        for _ in range(3):
            hit(storage, anna, T0)
            assert peek(storage, bram, T0) == 0
        assert hit(storage, bram, T0) == 1
        assert peek(storage, anna, T0) == 3
        assert peek(storage, anna, T0) == 3

    def test_a_hit_that_is_not_committed_is_not_counted(self, storage: Storage) -> None:
        key = rate_key("account", "anna.hr")
        hit(storage, key, T0)
        with storage.unit_of_work() as uow:
            assert uow.rate_limits.hit(key, now=T0, window=WINDOW) == 2
            assert uow.rate_limits.peek(key, now=T0, window=WINDOW) == 2
        assert peek(storage, key, T0) == 1

    def test_an_unknown_key_has_no_state(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            assert uow.throttles.get("user:nobody") is None
            uow.throttles.clear("user:nobody")
            uow.throttles.release("user:nobody", last_failure_at=T0)
            assert uow.throttles.get("user:nobody") is None
            # Locking a key may make a row to lock; it still reads as no state.
            assert uow.throttles.get("user:nobody", for_update=True) is None
            uow.commit()
        assert state(storage, "user:nobody") is None
        assert record_failure(storage, "user:nobody", T0) == ThrottleState(
            "user:nobody", 1, T0, T0, 1
        )

    def test_failures_count_within_the_window_and_restart_it_after(self, storage: Storage) -> None:
        key = "ip:192.0.2.7"
        first = record_failure(storage, key, T0)
        assert first == ThrottleState(key, 1, T0, T0, 1)
        second_at = datetime(2026, 3, 2, 10, 50, tzinfo=AMSTERDAM)  # T0 + 20 minutes
        assert record_failure(storage, key, second_at) == ThrottleState(key, 2, second_at, T0, 2)
        last_in_window = T0 + WINDOW - timedelta(microseconds=1)
        assert record_failure(storage, key, last_in_window) == ThrottleState(
            key, 3, last_in_window, T0, 3
        )
        restarted = record_failure(storage, key, T0 + WINDOW)
        assert restarted == ThrottleState(key, 4, T0 + WINDOW, T0 + WINDOW, 1)
        with storage.unit_of_work() as uow:
            stored = uow.throttles.get(key)
            assert stored == restarted
            assert stored.last_failure_at.utcoffset() == timedelta(0)
            assert stored.window_start.utcoffset() == timedelta(0)
            assert uow.throttles.get(key, for_update=True) == restarted

    def test_throttle_keys_count_apart(self, storage: Storage) -> None:
        record_failure(storage, "user:a", T0)
        record_failure(storage, "user:a", T0)
        assert record_failure(storage, "user:b", T0) == ThrottleState("user:b", 1, T0, T0, 1)
        assert state(storage, "user:a") == ThrottleState("user:a", 2, T0, T0, 2)

    def test_clear_forgets_the_failures_but_keeps_the_window_count(self, storage: Storage) -> None:
        key = "user:anna.hr"
        record_failure(storage, key, T0)
        later = T0 + timedelta(minutes=10)
        record_failure(storage, key, later)
        in_transaction(storage, lambda uow: uow.throttles.clear(key))
        assert state(storage, key) == ThrottleState(key, 0, later, T0, 2)
        again = T0 + timedelta(minutes=20)
        assert record_failure(storage, key, again) == ThrottleState(key, 1, again, T0, 3)

    def test_release_takes_back_one_failure_and_its_time(self, storage: Storage) -> None:
        key = "user:anna.hr"
        record_failure(storage, key, T0)
        later = T0 + timedelta(minutes=10)
        record_failure(storage, key, later)
        in_transaction(storage, lambda uow: uow.throttles.release(key, last_failure_at=T0))
        assert state(storage, key) == ThrottleState(key, 1, T0, T0, 1)
        in_transaction(storage, lambda uow: uow.throttles.release(key, last_failure_at=None))
        # No failures left: a state of zeros, or none at all (as a lock's row reads).
        assert state(storage, key) in (None, ThrottleState(key, 0, T0, T0, 0))
        # The window stays where it started.
        again = T0 + timedelta(minutes=20)
        assert record_failure(storage, key, again) == ThrottleState(key, 1, again, T0, 1)

    def test_release_never_counts_below_zero(self, storage: Storage) -> None:
        key = "user:anna.hr"
        record_failure(storage, key, T0)
        in_transaction(storage, lambda uow: uow.throttles.clear(key))
        in_transaction(storage, lambda uow: uow.throttles.release(key, last_failure_at=None))
        in_transaction(storage, lambda uow: uow.throttles.release(key, last_failure_at=None))
        assert state(storage, key) in (None, ThrottleState(key, 0, T0, T0, 0))
        assert record_failure(storage, key, T0) == ThrottleState(key, 1, T0, T0, 1)
