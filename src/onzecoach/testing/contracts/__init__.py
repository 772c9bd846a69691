"""The contract suites of the ports, for the author of an adapter to run.

Each contract is a pytest test class: subclass it in a test module of your own and
provide the fixtures it names, and pytest runs the checks the shipped adapters pass::

    import pytest

    from onzecoach.testing.contracts import StorageContract


    class TestMyStorage(StorageContract):
        @pytest.fixture
        def storage_factory(self, tmp_path):
            made = []

            def make():
                made.append(MyStorage(tmp_path / "portal.db"))
                return made[-1]

            make().upgrade()
            yield make
            for storage in made:
                storage.close()

``StorageContract`` checks every repository of the ``Storage`` port (fixture:
``storage_factory``), ``MailerContract`` a ``Mailer`` (``mailer``, ``mailbox``,
``failing_mailer``), ``SmsSenderContract`` an ``SmsSender`` (``sms_sender``,
``sms_inbox``, ``failing_sms_sender``) and ``CalendarContract`` a ``CoachCalendar``
(``coach_calendar``, ``failing_coach_calendar``); the last three take an optional
``secrets``. Each class says
what its fixtures return. The adapters' guide (docs/adapters.md, "Testing your adapter")
has the whole recipe.

This package needs ``pytest`` and, for the storage contract, ``hypothesis``: install
``onzecoach[testing]``; the calendar contract needs ``onzecoach[calendar]`` too, when it
runs. ``onzecoach.testing`` itself imports none of them.
"""

from __future__ import annotations

from onzecoach.testing.contracts._builders import StorageFactory
from onzecoach.testing.contracts._calendar import CalendarContract, CalendarFailure
from onzecoach.testing.contracts._mailer import MailerContract, MailFailure, mailbox_of
from onzecoach.testing.contracts._sms import SmsFailure, SmsSenderContract
from onzecoach.testing.contracts._storage import StorageContract

__all__ = [
    "CalendarContract",
    "CalendarFailure",
    "MailFailure",
    "MailerContract",
    "SmsFailure",
    "SmsSenderContract",
    "StorageContract",
    "StorageFactory",
    "mailbox_of",
]
