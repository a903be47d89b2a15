"""Headless Chromium for the HTML report tests and the README's screenshot.

`load(page)` opens a local HTML file in a fresh, isolated profile with every
background service off, and returns the browser's own serialisation of the
DOM (after parsing, CSS and CSP), a screenshot and every URL the network
log saw. Debian's package is `chromium`; `.ci/run` installs it when missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

FLAGS = (
    "--headless",
    "--no-sandbox",  # CI containers run as root, where the sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--hide-scrollbars",
    # The browser's own background requests (clock check, phishing lists, metrics),
    # so that the network log holds only what the page asked for.
    "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,Translate,MediaRouter,"
    "AutofillServerCommunication,CertificateTransparencyComponentUpdater",
    "--disable-client-side-phishing-detection",
    "--disable-domain-reliability",
    "--safebrowsing-disable-auto-update",
    "--metrics-recording-only",
)


def find() -> str | None:
    """The Chromium binary (TFCERT_CHROMIUM, else the first on PATH), or None."""
    given = os.environ.get("TFCERT_CHROMIUM")
    if given:
        return given
    for name in NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass
class Loaded:
    dom: str
    requests: list[str]
    """URLs the page requested (see `_urls`); the file:// page itself is not among them."""
    screenshot: Path | None


def _run(binary: str, page: Path, profile: Path, extra: list[str]) -> str:
    proc = subprocess.run(
        [binary, *FLAGS, f"--user-data-dir={profile}", *extra, page.resolve().as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def load(
    page: Path,
    *,
    screenshot: Path | None = None,
    width: int = 1000,
    height: int = 1400,
    dark: bool = False,
) -> Loaded:
    """Open `page`; return its DOM, the URLs it requested, and a screenshot if asked."""
    binary = find()
    assert binary is not None, "no Chromium"
    with tempfile.TemporaryDirectory(prefix="tfcert-chromium-") as tmp:
        netlog = Path(tmp) / "netlog.json"
        scheme = ["--force-dark-mode", "--blink-settings=preferredColorScheme=0"] if dark else []
        dom = _run(
            binary,
            page,
            Path(tmp) / "profile",
            ["--dump-dom", f"--log-net-log={netlog}", "--net-log-capture-mode=Everything", *scheme],
        )
        assert netlog.exists(), "Chromium wrote no net log"
        urls = _urls(json.loads(netlog.read_text("utf-8")))
        if screenshot is not None:
            _run(
                binary,
                page,
                Path(tmp) / "profile2",
                [
                    f"--screenshot={screenshot.resolve()}",
                    f"--window-size={width},{height}",
                    *scheme,
                ],
            )
    return Loaded(dom, urls, screenshot)


def _urls(netlog: Any) -> list[str]:
    """The URLs of the requests the page made, from the net log.

    Every request starts with a URL_REQUEST_START_JOB event; the browser's own
    background requests (update checks, the clock, spelling lists) have the
    initiator "not an origin", while whatever a page asks for (an <img>, a
    stylesheet, a fetch) names the page's origin ("null" for a file:// page).
    """
    types = {v: k for k, v in netlog.get("constants", {}).get("logEventTypes", {}).items()}
    found: list[str] = []
    for event in netlog.get("events", []):
        if types.get(event.get("type")) != "URL_REQUEST_START_JOB":
            continue
        params = event.get("params") or {}
        if "url" in params and params.get("initiator") != "not an origin":
            found.append(str(params.get("url")))
    return found


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""


class Dom(HTMLParser):
    """The browser's DOM dump, parsed back into elements with their own text."""

    def __init__(self, dom: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(dom)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.elements.append(element)
        if tag not in ("meta", "link", "br", "img", "input", "hr", "rect", "line", "path"):
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i].tag == tag:
                del self._open[i:]
                break

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data

    def find(self, tag: str | None = None, **attrs: str) -> list[Element]:
        return [
            e
            for e in self.elements
            if (tag is None or e.tag == tag)
            and all(e.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]

    def by_id(self, ident: str) -> Element:
        found = [e for e in self.elements if e.attrs.get("id") == ident]
        assert len(found) == 1, (ident, len(found))
        return found[0]
