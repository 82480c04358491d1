"""What the browser tests share: viewports, a watched browser, the axe audit, screenshots, steps.

Every page a test opens is watched (`Browser`): console errors, uncaught exceptions and any
request to another origin fail the test at its end. `audit()` runs axe-core (the copy in
tests/e2e/vendor/, evaluated in the page: never a CDN, nothing installed) and fails on serious
or critical violations. With E2E_SCREENSHOTS=1, `screenshot()` writes docs/screenshots/.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--font-render-hinting=none",
]
SCREENSHOT_DIR = Path(
    os.environ.get("E2E_SCREENSHOT_DIR") or Path(__file__).resolve().parents[2] / "docs" / "screenshots"
)
SCREENSHOTS = os.environ.get("E2E_SCREENSHOTS") == "1"
TIMEOUT_MS = 10_000
# axe-core, vendored as its single published file (tests/e2e/vendor/README.md says how to update it).
AXE_SOURCE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
PASSWORD = "a-long-journal-passphrase-42"


@dataclass(frozen=True)
class Viewport:
    name: str
    options: dict[str, Any]
    time_zone: str

    @property
    def phone(self) -> bool:
        return bool(self.options.get("is_mobile"))


DESKTOP = Viewport("desktop", {"viewport": {"width": 1280, "height": 800}}, "America/New_York")
# A zone far from UTC: a date shown in the server's zone instead of the person's stands out.
PHONE = Viewport(
    "phone",
    {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True},
    "Pacific/Auckland",
)
VIEWPORTS = [DESKTOP, PHONE]


@dataclass
class Problems:
    origin: str
    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    # Paths a test opens to see their error page (a 404 on purpose): Chromium logs the
    # document's status as a console error on some loads and not on others.
    expected_errors: set[str] = field(default_factory=set)

    def on_console(self, message: Any) -> None:
        if message.type == "error":
            url = message.location.get("url", "")
            if message.text.startswith("Failed to load resource") and urlsplit(url).path in self.expected_errors:
                return
            self.errors.append(f"console: {message.text} ({url})")

    def on_page_error(self, error: Any) -> None:
        self.errors.append(f"pageerror: {error}")

    def on_request(self, request: Any) -> None:
        url = request.url
        if url.startswith(("data:", "blob:", "about:")):
            return
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.foreign.append(url)


class Browser:
    """Contexts (each one person's browser profile) on one viewport, all of them watched."""

    def __init__(self, browser: Any, base_url: str, viewport: Viewport) -> None:
        self.browser = browser
        self.base_url = base_url
        self.viewport = viewport
        self.problems = Problems(origin=base_url)
        self.contexts: list[Any] = []

    @property
    def phone(self) -> bool:
        return self.viewport.phone

    def new_context(self, **overrides: Any) -> Any:
        options = {
            **self.viewport.options,
            "base_url": self.base_url,
            "timezone_id": self.viewport.time_zone,
            "locale": "en-GB",
            "accept_downloads": True,
            "reduced_motion": "reduce",
            **overrides,
        }
        context = self.browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        context.on("console", self.problems.on_console)
        context.on("weberror", lambda error: self.problems.on_page_error(error.error))
        context.on("request", self.problems.on_request)
        self.contexts.append(context)
        return context

    def new_page(self, **overrides: Any) -> Any:
        return self.new_context(**overrides).new_page()

    def press(self, locator: Any) -> None:
        """A tap on a phone, a click on a desktop."""
        if self.phone:
            locator.scroll_into_view_if_needed()
            locator.tap()
        else:
            locator.click()

    def screenshot(self, page: Any, name: str, *, from_top: bool = True) -> None:
        screenshot(page, self.viewport, name, from_top=from_top)

    def assert_clean(self) -> None:
        assert not self.problems.errors, "errors in the browser:\n" + "\n".join(self.problems.errors)
        assert not self.problems.foreign, "requests to another origin:\n" + "\n".join(self.problems.foreign)

    def close(self) -> None:
        for context in self.contexts:
            try:
                context.close()
            except Exception:  # already gone with the browser
                pass


# --- Checks -------------------------------------------------------------------------------

AUDITED: list[tuple[str, str, list[str]]] = []  # (viewport, page, minor violations) for the summary


@functools.cache
def _axe_source() -> str:
    return AXE_SOURCE.read_text(encoding="utf-8")


def audit(page: Any, label: str, *, rules: list[str] | None = None) -> None:
    """axe-core on the current page: fails on serious or critical violations."""
    options: dict[str, Any] = {"resultTypes": ["violations"]}
    if rules:
        options["runOnly"] = {"type": "rule", "values": rules}
    # Evaluated through the DevTools protocol, which the pages' Content Security Policy (no
    # inline scripts) does not apply to; once per document.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    violations = page.evaluate("(options) => axe.run(document, options).then((r) => r.violations)", options)
    blocking = [v for v in violations if v["impact"] in ("serious", "critical")]
    report = "\n".join(
        f"  {v['id']} ({v['impact']}): {v['help']} at {[node['target'] for node in v['nodes']][:5]}" for v in blocking
    )
    assert not blocking, f"axe on {label} ({page.url}):\n{report}"
    AUDITED.append((label, page.url, [f"{v['id']} ({v['impact']})" for v in violations]))


CONTRAST = """(selector) => {
  // "rgb(r, g, b[, a])" or, from color-mix(), "color(srgb r g b[ / a])" with 0..1 channels.
  const parse = (text) => {
    const n = text.match(/[\\d.]+/g).map(Number);
    const k = text.startsWith("color(") ? 255 : 1;
    return { rgb: [n[0] * k, n[1] * k, n[2] * k], alpha: n.length > 3 ? n[3] : 1 };
  };
  const luminance = ([r, g, b]) => {
    const f = (v) => (v /= 255) <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (node) => {
    for (; node; node = node.parentElement) {
      if (node instanceof SVGElement && node.tagName !== "svg") continue;
      const colour = parse(getComputedStyle(node).backgroundColor);
      if (colour.alpha > 0.5) return colour.rgb;
    }
    return [255, 255, 255];
  };
  let lowest = null;
  for (const node of document.querySelectorAll(selector)) {
    const style = getComputedStyle(node);
    const text = parse(node instanceof SVGElement ? style.fill : style.color).rgb;
    const [a, b] = [luminance(text), luminance(background(node))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    lowest = lowest === null ? ratio : Math.min(lowest, ratio);
  }
  return lowest;
}"""


def lowest_contrast(page: Any, selector: str) -> float:
    """The lowest contrast ratio of the text of `selector` against what is behind it: for what
    axe leaves "to review" (a one-character text, text drawn in an SVG chart)."""
    ratio = page.evaluate(CONTRAST, selector)
    assert ratio is not None, f"nothing matches {selector} on {page.url}"
    return round(ratio, 2)


CUT_OFF = """(width) => {
  const scrolls = (node) => {
    for (let parent = node.parentElement; parent; parent = parent.parentElement) {
      const overflow = getComputedStyle(parent).overflowX;
      if (overflow === "auto" || overflow === "scroll") return true;
    }
    return false;
  };
  const found = [];
  for (const node of document.body.querySelectorAll("*")) {
    const box = node.getBoundingClientRect();
    if (!box.width || !box.height || box.right <= width + 1 || scrolls(node)) continue;
    const style = getComputedStyle(node);
    if (style.visibility === "hidden" || style.position === "fixed") continue;
    const classes = typeof node.className === "string" ? node.className.trim().split(/\\s+/).join(".") : "";
    const name = node.tagName.toLowerCase() + (node.id ? "#" + node.id : "") + (classes ? "." + classes : "");
    found.push(name + " (right edge at " + Math.round(box.right) + "px)");
    if (found.length > 5) break;
  }
  return found;
}"""


def no_horizontal_scroll(page: Any, label: str) -> None:
    """Nothing sticks out sideways: the page is as wide as the screen, and nothing is cut off at
    its right edge (wide things such as tables or the navigation strip scroll in a box of their own)."""
    # The screen's width, not the page's: a phone zooms out to fit a page that is too wide.
    screen = page.viewport_size["width"]
    width = page.evaluate("Math.max(document.documentElement.scrollWidth, window.innerWidth)")
    assert width <= screen, f"{label} does not fit: {width}px wide on a {screen}px screen"
    cut_off = page.evaluate(CUT_OFF, screen)
    assert not cut_off, f"{label}: cut off at the right edge of a {screen}px screen: {cut_off}"


def screenshot(page: Any, viewport: Viewport, name: str, *, from_top: bool = True) -> None:
    """docs/screenshots/<viewport>-<name>.png (what the screen shows, from the top of the page
    unless told otherwise), only when E2E_SCREENSHOTS=1 (see docs/screenshots/README.md)."""
    if not SCREENSHOTS:
        return
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    if from_top:
        page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(
        path=str(SCREENSHOT_DIR / f"{viewport.name}-{name}.png"),
        animations="disabled",
        caret="hide",
        scale="css",
    )


# --- Steps --------------------------------------------------------------------------------


def log_in(page: Any, username: str, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.locator("main").get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def nav(page: Any, ui: Browser, name: str) -> None:
    """Follow a link of the main navigation, as a person would."""
    link = page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)
    href = link.get_attribute("href")
    ui.press(link)
    page.wait_for_url(lambda url: urlsplit(url).path == href)
    page.wait_for_load_state()


def text_of(page: Any, selector: str) -> str:
    return re.sub(r"\s+", " ", page.locator(selector).first.inner_text()).strip()
