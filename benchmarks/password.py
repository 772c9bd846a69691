"""Password hashing cost: onzecoach's PasswordHasher beside argon2-cffi's own, from one run.

For the default parameters (RFC 9106 low memory: 64 MiB, t=3, p=4) and for OWASP's
minimum (19 MiB, t=2, p=1), prints the median time of one hash and of one verify over R
runs, for ``onzecoach.accounts`` PasswordHasher and for
``argon2.PasswordHasher.from_parameters`` with the same parameters, and onzecoach's
overhead in percent. The two are measured in turn (A, B, A, B, ...; who goes first
alternates each round) so that drift in clock speed or load hits both alike. Argon2
itself dominates; the overhead is what onzecoach's wrapping adds.

    python benchmarks/password.py [R]    # R defaults to 20
"""

from __future__ import annotations

import argparse
import importlib.metadata
import statistics
import time
from collections.abc import Callable

import argon2

from onzecoach.accounts import OWASP_MINIMUM, RFC_9106_LOW_MEMORY, PasswordHasher

#: What every run hashes and verifies: a typical passphrase, 32 bytes of UTF-8.
SAMPLE = "Ünïcödé wachtwoord 🙂 2026"


def timed(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def interleaved(
    ours: Callable[[], object], theirs: Callable[[], object], runs: int
) -> tuple[float, float]:
    """The median seconds of each action, measured alternately."""
    # Warm up once each: first allocations and any lazy set-up are not what is measured.
    ours()
    theirs()
    ours_times: list[float] = []
    theirs_times: list[float] = []
    for round_ in range(runs):
        if round_ % 2 == 0:
            ours_times.append(timed(ours))
            theirs_times.append(timed(theirs))
        else:
            theirs_times.append(timed(theirs))
            ours_times.append(timed(ours))
    return statistics.median(ours_times), statistics.median(theirs_times)


def compare(parameters: argon2.Parameters, runs: int) -> list[tuple[str, float, float]]:
    ours = PasswordHasher(parameters)
    theirs = argon2.PasswordHasher.from_parameters(parameters)
    our_hash, their_hash = ours.hash(SAMPLE), theirs.hash(SAMPLE)
    return [
        ("hash", *interleaved(lambda: ours.hash(SAMPLE), lambda: theirs.hash(SAMPLE), runs)),
        (
            "verify",
            *interleaved(
                lambda: ours.verify(our_hash, SAMPLE),
                lambda: theirs.verify(their_hash, SAMPLE),
                runs,
            ),
        ),
    ]


def describe(parameters: argon2.Parameters) -> str:
    return (
        f"{parameters.memory_cost // 1024} MiB, "
        f"t={parameters.time_cost}, p={parameters.parallelism}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="?", type=int, default=20, help="runs per figure")
    args = parser.parse_args()
    runs: int = args.runs
    if runs < 1:
        parser.error("runs must be at least 1")

    version = importlib.metadata.version("argon2-cffi")
    print(f"argon2id, argon2-cffi {version}: median of {runs} runs, in milliseconds")
    print(f"{'parameters':48} {'':6} {'onzecoach':>10} {'argon2-cffi':>12} {'overhead':>9}")
    for name, parameters in [
        ("RFC 9106 low memory (default)", RFC_9106_LOW_MEMORY),
        ("OWASP minimum", OWASP_MINIMUM),
    ]:
        label = f"{name}, {describe(parameters)}"
        for operation, ours, theirs in compare(parameters, runs):
            overhead = (ours - theirs) / theirs * 100
            print(
                f"{label:48} {operation:6} {ours * 1000:10.2f} {theirs * 1000:12.2f}"
                f" {overhead:+8.1f}%"
            )
            label = ""


if __name__ == "__main__":
    main()
