"""axe-core's WCAG 2.1 A and AA rules, run on every document a browser test opens.

``assert_accessible(page)`` checks the page as it is now, for a state a script made (a
list of search hits). ``WatchedPage`` makes the check automatic: it wraps a Playwright
page, notes each new document the main frame commits, and checks it before the test
touches the page again, at whatever viewport the page has then. A document the test
navigated away from before any such touch is a failure at the end of the test, not a
silent gap.

axe-core is the copy axe-playwright-python bundles. Its ``Axe.run`` sends the 550 kB
script with every call and brings back every rule's result, passed and inapplicable ones
too; here ``open_page`` adds the script to each document as an init script (which the
app's Content-Security-Policy does not apply to) and only the violations travel back,
which halves the time a check takes.
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import urldefrag

import attrs

#: The tags of the WCAG 2.0 and 2.1 success criteria at levels A and AA; axe's other
#: rules (best practices, AAA, experimental) are not claimed.
WCAG_21_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
OPTIONS = {"runOnly": {"type": "tag", "values": list(WCAG_21_AA)}, "resultTypes": ["violations"]}
_RUN = "options => axe.run(document, options).then(results => results.violations)"


@functools.cache
def axe_script() -> str:
    """axe-core itself, read when a browser is there to run it (the import may be missing:
    the ``browser`` fixture then skips)."""
    from axe_playwright_python.base import AXE_SCRIPT  # noqa: PLC0415

    return str(AXE_SCRIPT)


@attrs.frozen
class Violation:
    """One rule broken, with where and what axe says about each element."""

    rule: str
    impact: str
    help: str
    help_url: str
    nodes: tuple[tuple[str, str], ...]  # (target selector, axe's first message)

    def __str__(self) -> str:
        lines = [f"- {self.rule} ({self.impact}): {self.help} <{self.help_url}>"]
        lines += [f"    {target}: {message}" for target, message in self.nodes]
        return "\n".join(lines)


def violations(page: Any) -> list[Violation]:
    """What axe-core finds on the page now, WCAG 2.1 A and AA only."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_script())  # a page not opened by open_page
    found = page.evaluate(_RUN, OPTIONS)
    return [
        Violation(
            rule=item["id"],
            impact=item.get("impact") or "",
            help=item["help"],
            help_url=item["helpUrl"],
            nodes=tuple((_target(node), _message(node)) for node in item["nodes"]),
        )
        for item in found
    ]


def assert_accessible(page: Any) -> None:
    """Fail with a readable list of the WCAG 2.1 A/AA violations on the page, if any."""
    found = violations(page)
    if found:
        width = page.viewport_size["width"] if page.viewport_size else "?"
        listed = "\n".join(str(violation) for violation in found)
        raise AssertionError(
            f"axe-core: {len(found)} WCAG 2.1 A/AA rule(s) broken on {page.url} "
            f"at {width}px wide:\n{listed}"
        )


def _target(node: dict[str, Any]) -> str:
    # A selector per frame (and shadow root) on the way to the element.
    return " >>> ".join(str(part) for part in node["target"])


def _message(node: dict[str, Any]) -> str:
    checks = [*node.get("any", []), *node.get("all", []), *node.get("none", [])]
    return str(checks[0]["message"]) if checks else str(node.get("failureSummary", ""))


class WatchedPage:
    """A Playwright page whose every new document gets ``assert_accessible``.

    Any attribute of the page the test reaches for (``locator``, ``goto``, ``screenshot``,
    ``url``...) first checks the document the main frame committed since the last check,
    once it has loaded. A Playwright action that navigates returns after the commit, so
    the next touch of the page sees the new document. ``finish()`` checks the last one and
    fails if a document was replaced before it could be checked (two navigations without
    a touch of the page between them: reach for the page, e.g. ``page.wait_for_url``).
    """

    def __init__(self, page: Any) -> None:
        self._page = page
        self._pending: str | None = None
        self.checked: list[str] = []
        self.missed: list[str] = []
        page.on("framenavigated", self._navigated)

    def _navigated(self, frame: Any) -> None:
        if frame != self._page.main_frame or not frame.url.startswith("http"):
            return
        # A move within the document (a #fragment) replaces nothing: it is checked again.
        if self._pending is not None and urldefrag(self._pending).url != urldefrag(frame.url).url:
            self.missed.append(self._pending)
        self._pending = frame.url

    def check(self) -> None:
        """Check the new document, if there is one; the test calls this by touching the page."""
        if self._pending is None:
            return
        self._pending = None
        self._page.wait_for_load_state("load")
        self.checked.append(self._page.url)
        assert_accessible(self._page)

    def finish(self) -> None:
        """Check the last document; fail if one was never checked."""
        self.check()
        assert not self.missed, (
            "these documents were replaced before axe-core could check them (touch the "
            f"page between two navigations): {self.missed}"
        )

    def __getattr__(self, name: str) -> Any:
        self.check()
        return getattr(self._page, name)
