"""A stand-in for the college website: the home page with the real Training & Placement markup.

Variants are switched at run time so tests and the demo can show what happens when the site
changes, is redesigned or breaks:

* ``normal`` / ``changed`` — the real structure (two revisions of the figures),
* ``redesigned`` — a new layout without the tab container, tab list and batch bodies,
* ``no_figures`` — the structure is there but every batch is empty,
* ``empty`` — ``200 OK`` with an empty body,
* ``error`` — ``500``; ``not_found`` — ``404``.

Run it for the demo: ``python -m jiit_assets_tests.standins.college_site --port 8082``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from importlib import resources

from jiit_assets_tests.standins.http import LoopbackServer, StandinHandler

PAGE_VARIANTS = ("normal", "changed", "redesigned", "no_figures")
VARIANTS = (*PAGE_VARIANTS, "empty", "error", "not_found")


def page(variant: str) -> str:
    """The HTML the stand-in serves for a page variant (also used directly by parsing tests)."""
    if variant not in PAGE_VARIANTS:
        raise ValueError(f"no page for variant {variant!r}; pages: {', '.join(PAGE_VARIANTS)}")
    data = resources.files("jiit_assets_tests.standins") / "data" / "college_site" / f"{variant}.html"
    return data.read_text(encoding="utf-8")


@dataclass(frozen=True)
class _Response:
    status: int
    body: bytes


def _response_for(variant: str) -> _Response:
    if variant == "empty":
        return _Response(200, b"")
    if variant == "error":
        return _Response(500, b"<html><body><h1>500 Internal Server Error</h1></body></html>")
    if variant == "not_found":
        return _Response(404, b"<html><body><h1>404 Not Found</h1></body></html>")
    return _Response(200, page(variant).encode("utf-8"))


class CollegeSiteStandin:
    """A running stand-in: ``.url``, ``.set_variant(name)``, ``.requests``, ``.stop()``."""

    def __init__(self, port: int = 0, variant: str = "normal") -> None:
        self._lock = threading.Lock()
        self._variant = "normal"
        self._requests = 0
        self.user_agents: list[str] = []
        self.set_variant(variant)
        standin = self

        class Handler(StandinHandler):
            server_version = "Apache"
            sys_version = ""

            def do_GET(self) -> None:
                with standin._lock:
                    standin._requests += 1
                    standin.user_agents.append(self.headers.get("User-Agent", ""))
                    response = _response_for(standin._variant)
                self.send_body(response.status, response.body, "text/html; charset=UTF-8")

        self._http = LoopbackServer(Handler, port, name="college-site")

    @property
    def url(self) -> str:
        return f"{self._http.url}/"

    @property
    def requests(self) -> int:
        with self._lock:
            return self._requests

    @property
    def variant(self) -> str:
        with self._lock:
            return self._variant

    def set_variant(self, name: str) -> None:
        if name not in VARIANTS:
            raise ValueError(f"unknown variant {name!r}; choose one of {', '.join(VARIANTS)}")
        with self._lock:
            self._variant = name

    def reset(self, variant: str = "normal") -> None:
        with self._lock:
            self._requests = 0
            self.user_agents.clear()
        self.set_variant(variant)

    def stop(self) -> None:
        self._http.stop()


def start_college_site_standin(port: int = 0, variant: str = "normal") -> CollegeSiteStandin:
    return CollegeSiteStandin(port=port, variant=variant)
