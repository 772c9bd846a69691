"""The storage contract of the coaches and their busy times."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import pytest

from onzecoach import NotFound
from onzecoach.actors import Role
from onzecoach.calendars import BusyTime
from onzecoach.coaches import (
    Availability,
    CalendarLink,
    Coach,
    CoachBusyTime,
    Location,
    Mode,
    Profile,
    Window,
)
from onzecoach.ids import new_id
from onzecoach.ports import Storage
from onzecoach.testing.contracts._base import StorageTests
from onzecoach.testing.contracts._builders import (
    AMSTERDAM,
    T0,
    in_transaction,
    read,
    refused,
    stored_employer,
    stored_user,
)

__all__ = ["CoachTests"]


def coach(storage: Storage, name: str = "Bas Mulder", **changes: Any) -> Coach:
    """A coach of a new coach account, online only, changed by ``changes`` (``profile`` may
    be a mapping of the profile's changes); not stored."""
    profile_changes = changes.pop("profile", {})
    made = Coach(
        id=new_id(),
        user_id=stored_user(storage, role=Role.COACH),
        profile=attrs.evolve(
            Profile(name=name, video_url="https://video.example.nl/coach"), **profile_changes
        ),
        availability=Availability(),
        calendar=None,
        feed_token_hash=None,
        created_at=T0,
        updated_at=T0,
    )
    return attrs.evolve(made, **changes)


def stored_coach(storage: Storage, name: str = "Bas Mulder", **changes: Any) -> Coach:
    made = coach(storage, name, **changes)
    in_transaction(storage, lambda uow: uow.coaches.add(made))
    return made


class CoachTests(StorageTests):
    """``uow.coaches`` and ``uow.busy_times``."""

    def test_every_field_round_trips_whole(self, storage: Storage) -> None:
        employer_id = stored_employer(storage)
        full = coach(
            storage,
            "Éva van der Smit",
            profile={
                "bio": "Regel één.\n\nRegel twee.",
                "languages": ("nl", "en", "fy"),
                "specialisms": ("werkdruk", "re-integratie"),
                "modes": (Mode.LIVE, Mode.ONLINE),
                "locations": (Location("Utrecht", "3511"), Location("Zwolle", "8011")),
                "active": False,
                "employer_ids": (employer_id,),
            },
            availability=Availability(
                weekly={0: [Window(540, 720)], 4: [Window(780, 1440)]},
                days_off=[date(2026, 12, 25)],
                extra={date(2026, 12, 27): [Window(600, 840)]},
                session_minutes=45,
                buffer_minutes=15,
                notice=timedelta(hours=12),
                horizon_days=90,
                max_per_day=5,
            ),
            calendar=CalendarLink(
                url="https://agenda.example.nl/eva/werk/",
                username="eva",
                password_sealed="v1.abcdef01.c2VhbGVk",
                linked_at=datetime(2026, 3, 2, 10, 0, tzinfo=AMSTERDAM),
                pulled_at=T0 + timedelta(minutes=5),
                synced_at=T0,
                error="calendar.unavailable",
            ),
            feed_token_hash="f" * 64,
            updated_at=datetime(2026, 3, 3, 12, 0, 0, 1, tzinfo=AMSTERDAM),
        )
        bare = coach(storage)
        with storage.unit_of_work() as uow:
            uow.coaches.add(full)
            uow.coaches.add(bare)
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.coaches.get(full.id) == full
            assert uow.coaches.get(bare.id) == bare
            assert uow.coaches.by_user(full.user_id) == full
            assert uow.coaches.by_feed_token("f" * 64) == full
            assert uow.coaches.by_feed_token("e" * 64) is None
            assert uow.coaches.by_user(new_id()) is None
            assert uow.coaches.get(new_id()) is None
            stored = uow.coaches.get(full.id)
            assert stored is not None
            assert stored.updated_at == datetime(2026, 3, 3, 11, 0, 0, 1, tzinfo=UTC)

    def test_a_user_has_one_coach_and_a_feed_token_one_coach(self, storage: Storage) -> None:
        first = stored_coach(storage, feed_token_hash="a" * 64)
        twin = attrs.evolve(coach(storage), user_id=first.user_id)
        assert refused(storage, lambda uow: uow.coaches.add(twin)) == "coach.exists"
        same_feed = coach(storage, feed_token_hash="a" * 64)
        assert refused(storage, lambda uow: uow.coaches.add(same_feed)) == "coach.exists"
        other = stored_coach(storage, "Eva Smit")
        taken = attrs.evolve(other, feed_token_hash="a" * 64)
        assert refused(storage, lambda uow: uow.coaches.save(taken)) == "coach.exists"

    def test_save_stores_every_change_and_the_search_keys_follow(self, storage: Storage) -> None:
        acme, globex = stored_employer(storage), stored_employer(storage)
        bas = stored_coach(storage, profile={"languages": ("nl",), "employer_ids": (acme,)})
        changed = attrs.evolve(
            bas,
            profile=attrs.evolve(
                bas.profile,
                name="Bas de Mulder",
                languages=("en",),
                specialisms=("conflict",),
                employer_ids=(globex,),
            ),
            feed_token_hash="b" * 64,
            updated_at=T0 + timedelta(hours=1),
        )
        in_transaction(storage, lambda uow: uow.coaches.save(changed))
        with storage.unit_of_work() as uow:
            assert uow.coaches.get(bas.id) == changed
            assert uow.coaches.bookable(acme) == []
            assert uow.coaches.bookable(globex, language="en", specialism="conflict") == [changed]
            assert uow.coaches.bookable(globex, language="nl") == []
        revoked = attrs.evolve(changed, feed_token_hash=None)
        in_transaction(storage, lambda uow: uow.coaches.save(revoked))
        assert read(storage, lambda uow: uow.coaches.by_feed_token("b" * 64)) is None

    def test_saving_an_unknown_coach_is_not_found(self, storage: Storage) -> None:
        unknown = coach(storage)
        with pytest.raises(NotFound), storage.unit_of_work() as uow:
            uow.coaches.save(unknown)

    def test_lists_are_by_name_and_bookable_coaches_filtered(self, storage: Storage) -> None:
        acme, globex = stored_employer(storage), stored_employer(storage)
        zoe = stored_coach(storage, "zoë Jansen", profile={"specialisms": ("werkdruk",)})
        anna = stored_coach(
            storage,
            "Anna de Wit",
            profile={"modes": (Mode.LIVE,), "locations": (Location("Zwolle", "8011"),)},
        )
        bram = stored_coach(
            storage, "Bram Bakker", profile={"employer_ids": (globex,), "languages": ("nl", "en")}
        )
        stored_coach(storage, "Aad Inactief", profile={"active": False})
        with storage.unit_of_work() as uow:
            assert [c.profile.name for c in uow.coaches.list()] == [
                "Aad Inactief",
                "Anna de Wit",
                "Bram Bakker",
                "zoë Jansen",
            ]
            assert uow.coaches.bookable(acme) == [anna, zoe]
            assert uow.coaches.bookable(globex) == [anna, bram, zoe]
            assert uow.coaches.bookable(globex, Mode.LIVE) == [anna]
            assert uow.coaches.bookable(globex, Mode.ONLINE, "en") == [bram]
            assert uow.coaches.bookable(globex, specialism="werkdruk") == [zoe]
            assert uow.coaches.bookable(new_id()) == [anna, zoe]
            assert uow.coaches.with_calendar() == []

    def test_with_calendar_lists_the_linked_by_id(self, storage: Storage) -> None:
        link = CalendarLink(
            url="https://agenda.example.nl/x/", username="x", password_sealed="s", linked_at=T0
        )
        linked = [stored_coach(storage, f"Coach {n}", calendar=link) for n in range(3)]
        stored_coach(storage, "Zonder agenda")
        found = read(storage, lambda uow: uow.coaches.with_calendar())
        assert found == sorted(linked, key=lambda c: c.id)

    def test_busy_times_are_replaced_whole_and_read_by_overlap(self, storage: Storage) -> None:
        bas, eva = stored_coach(storage), stored_coach(storage, "Eva Smit")
        day = T0 + timedelta(days=1)
        hour = timedelta(hours=1)
        first = [BusyTime("a", day, day + hour), BusyTime("b", day + 3 * hour, day + 4 * hour)]
        in_transaction(storage, lambda uow: uow.busy_times.replace(bas.id, first, pulled_at=T0))
        other = [BusyTime("c", day + hour, day + 2 * hour)]
        in_transaction(storage, lambda uow: uow.busy_times.replace(eva.id, other, pulled_at=T0))
        with storage.unit_of_work() as uow:
            both = uow.busy_times.overlapping([eva.id, bas.id], day, day + 5 * hour)
            assert [(r.coach_id, r.uid) for r in both] == sorted(
                [(bas.id, "a"), (bas.id, "b"), (eva.id, "c")]
            )
            assert uow.busy_times.overlapping([bas.id], day + hour, day + 3 * hour) == []
            assert uow.busy_times.overlapping(
                [bas.id], day + hour - timedelta(seconds=1), day + hour
            ) == [CoachBusyTime(bas.id, day, day + hour, "a")]
            assert uow.busy_times.overlapping([], day, day + hour) == []
        # Recurring events give several instances of one UID.
        again = [
            BusyTime("r", day + n * hour, day + n * hour + timedelta(minutes=30)) for n in range(3)
        ]
        in_transaction(storage, lambda uow: uow.busy_times.replace(bas.id, again, pulled_at=T0))
        rows = read(storage, lambda uow: uow.busy_times.overlapping([bas.id], T0, day + 9 * hour))
        assert [row.starts_at for row in rows] == [busy.starts_at for busy in again]
        in_transaction(storage, lambda uow: uow.busy_times.replace(bas.id, [], pulled_at=T0))
        assert (
            read(storage, lambda uow: uow.busy_times.overlapping([bas.id], T0, day + 9 * hour))
            == []
        )
        assert (
            len(read(storage, lambda uow: uow.busy_times.overlapping([eva.id], T0, day + 9 * hour)))
            == 1
        )

    def test_a_rolled_back_replace_leaves_the_busy_times_of_before(self, storage: Storage) -> None:
        bas = stored_coach(storage)
        day = T0 + timedelta(days=1)
        kept = [BusyTime("a", day, day + timedelta(hours=1))]
        in_transaction(storage, lambda uow: uow.busy_times.replace(bas.id, kept, pulled_at=T0))
        with storage.unit_of_work() as uow:
            uow.busy_times.replace(bas.id, [], pulled_at=T0)
        rows = read(
            storage, lambda uow: uow.busy_times.overlapping([bas.id], T0, day + timedelta(days=1))
        )
        assert [row.uid for row in rows] == ["a"]
