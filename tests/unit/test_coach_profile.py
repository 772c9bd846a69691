"""A coach's profile as people enter it: tidied, or every broken rule named."""

from __future__ import annotations

import pytest

from onzecoach.catalogues import LANGUAGES
from onzecoach.coaches import DEFAULT_SPECIALISMS, Location, Mode, Profile, check_profile
from onzecoach.errors import FieldError

THEMES = frozenset(DEFAULT_SPECIALISMS)


def test_the_language_catalogue_names_each_language_in_dutch() -> None:
    assert list(LANGUAGES) == [
        "nl", "en", "de", "fr", "es", "pt", "it", "pl", "tr", "ar", "uk", "fy",
    ]  # fmt: skip
    assert LANGUAGES["fy"] == "Fries"
    assert LANGUAGES["uk"] == "Oekraïens"
    with pytest.raises(TypeError):
        LANGUAGES["xx"] = "?"  # type: ignore[index]


def test_a_profile_is_tidied() -> None:
    profile = check_profile(
        {
            "name": "  Bas   Mulder ",
            "languages": "NL",
            "specialisms": ["Werkdruk", "werkdruk"],
            "modes": ["online", "LIVE", "live"],
            "locations": [
                {"city": " Den  Haag ", "postcode": "2511ab"},
                Location("Den Haag", "2511"),
            ],
            "video_url": " https://meet.example.nl/bas?x=1 ",
        },
        themes=THEMES,
    )
    assert profile == Profile(
        name="Bas Mulder",
        languages=("nl",),
        specialisms=("werkdruk",),
        modes=(Mode.LIVE, Mode.ONLINE),
        locations=(Location("Den Haag", "2511"),),
        video_url="https://meet.example.nl/bas?x=1",
    )


def test_a_profile_round_trips_through_its_data() -> None:
    profile = Profile(
        name="Eva",
        bio="Een.\n\nTwee.",
        languages=("en", "nl"),
        modes=(Mode.LIVE,),
        locations=(Location("Zwolle", "8011"),),
        active=False,
        employer_ids=("0" * 32,),
    )
    assert check_profile(profile.as_data(), themes=THEMES) == profile


def test_fields_left_out_keep_the_base_and_a_changed_mode_asks_for_what_it_needs() -> None:
    base = Profile(name="Eva", video_url="https://video.example.nl/eva")
    assert check_profile({"bio": "Hallo"}, themes=THEMES, base=base) == Profile(
        name="Eva", bio="Hallo", video_url="https://video.example.nl/eva"
    )
    problems = check_profile({"modes": ["live"], "video_url": ""}, themes=THEMES, base=base)
    assert isinstance(problems, list)
    assert {(p.field, p.code) for p in problems} == {("locations", "required")}


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("name", None, "required"),
        ("name", 12, "invalid"),
        ("name", "x" * 201, "too_long"),
        ("name", "Bas\x00", "invalid_characters"),
        ("bio", "a\u202eb", "invalid"),
        ("bio", "x" * 1001, "too_long"),
        ("languages", {"nl": True}, "invalid"),
        ("languages", ["nl", "klingon"], "unknown"),
        ("specialisms", ["rouw"], "unknown"),
        ("modes", ["per post"], "invalid"),
        ("modes", "online,live", "invalid"),
        ("locations", "Utrecht", "invalid"),
        ("locations", [{"city": "Utrecht"}], "invalid"),
        ("locations", [{"city": "", "postcode": "3511"}], "invalid"),
        ("locations", [{"city": "X", "postcode": str(1000 + n)} for n in range(11)], "too_long"),
        ("video_url", "https://user:pw@video.example.nl/", "invalid"),
        ("video_url", "javascript:alert(1)", "invalid"),
        ("video_url", "https://localhost/", "invalid"),
        ("active", "nee", "invalid"),
        ("employer_ids", ["niet-een-id"], "invalid"),
        ("colour", "blauw", "unknown_field"),
    ],
)
def test_each_broken_rule_is_named(field: str, value: object, code: str) -> None:
    data: dict[str, object] = {
        "name": "Bas",
        "modes": ["live", "online"],
        "locations": [{"city": "Utrecht", "postcode": "3511"}],
        "video_url": "https://video.example.nl/bas",
    }
    data[field] = value
    problems = check_profile(data, themes=THEMES)
    assert isinstance(problems, list)
    assert all(isinstance(p, FieldError) and p.message for p in problems)
    assert (field, code) in {(p.field, p.code) for p in problems}
