"""The search page in a real headless Chromium, against a real ``arsearch serve`` process."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit
from urllib.request import urlopen

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Dialog,
    Page,
    Playwright,
    expect,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError

import arsearch

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
#: How long to wait for any one thing in the page (ms); the server is local.
TIMEOUT_MS = 10_000

OIL = "النفط"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
HOSTILE = {
    "id": "evil-1",
    "title": f"{SCRIPT} خبر الاختراق {IMG}",
    "text": f"نص عن الاختراق {SCRIPT} ثم {IMG} في الفقرة.\n\nفقرة ثانية عن الاختراق.",
    "date": "2024-01-01",
    "source": f"مصدر {IMG}",
    "category": SCRIPT,
}
#: An article whose source address is long, to see it on a phone.
LONG_URL = (
    "https://news.example.org/ar/2024/02/15/economy/markets/"
    "the-central-bank-keeps-interest-rates-unchanged-for-the-third-month?utm_source=feed&ref=42"
)
WITH_URL = {
    "id": "url-1",
    "title": "المصرف المركزي يبقي أسعار الفائدة دون تغيير للشهر الثالث",
    "text": "قرر المصرف المركزي إبقاء أسعار الفائدة دون تغيير للشهر الثالث على التوالي، "
    "في خطوة توقعها المحللون.\n\nوقال بيان المصرف إن التضخم ما زال ضمن النطاق المستهدف.",
    "date": "2024-02-15",
    "source": "Reuters عربي",
    "category": "economy",
    "url": LONG_URL,
}
DOCS = REPO / "docs" / "screenshots"


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python -m arsearch ARGS`` as a user runs it, with this checkout importable."""
    return subprocess.run(
        [sys.executable, "-m", "arsearch", *args],
        env=_child_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _child_env() -> dict[str, str]:
    source = str(Path(arsearch.__file__).resolve().parents[1])
    env = {key: value for key, value in os.environ.items() if key != "ARSEARCH_INDEX"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [source, env.get("PYTHONPATH")]))
    env["PYTHONWARNINGS"] = "error"
    return env


@dataclass
class Server:
    """A running ``arsearch serve`` and the index it serves."""

    url: str
    index: Path
    process: subprocess.Popen[str]
    log: list[str] = field(default_factory=list)


def _read_url(process: subprocess.Popen[str], log: list[str]) -> str:
    # The first stdout line names the URL; read it in a thread so a hung
    # server fails the test after a timeout instead of blocking it.
    found: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            log.append(line)
            match = re.search(r"at (http://\S+/)", line)
            if match:
                found.append(match.group(1))
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=30)
    if not found:
        process.kill()
        process.communicate(timeout=10)
        pytest.fail(f"arsearch serve did not start: {''.join(log)}")
    return found[0]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``arsearch serve`` on a free port over seeds/ and the hostile article, built by the CLI."""
    folder = tmp_path_factory.mktemp("browser")
    hostile = folder / "hostile.jsonl"
    lines = [json.dumps(record, ensure_ascii=False) for record in (HOSTILE, WITH_URL)]
    hostile.write_text("\n".join(lines) + "\n", encoding="utf-8")
    index = folder / "index"
    built = run_cli("index", str(SEEDS), str(hostile), "--index", str(index))
    assert built.returncode == 0, built.stderr
    labels = run_cli("config", "load", str(SEEDS / "arsearch.toml"), "--index", str(index))
    assert labels.returncode == 0, labels.stderr
    # The server's log goes to a file: a pipe nobody reads could fill and stall it.
    errors = (folder / "server.log").open("w", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "arsearch", "serve", "--index", str(index), "--port", "0"],
        env=_child_env(),
        stdout=subprocess.PIPE,
        stderr=errors,
        text=True,
    )
    log: list[str] = []
    url = _read_url(process, log)
    yield Server(url=url, index=index, process=process, log=log)
    process.terminate()
    try:
        process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
    errors.close()
    # Nothing the tests did may have hit an unexpected error on the server.
    assert "Traceback" not in (folder / "server.log").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    """The Playwright driver."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, headless; never a downloaded browser."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make browser-deps).")
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@dataclass
class Watch:
    """What a page said that it should not have: console errors, page errors, dialogs."""

    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            self.errors.append(f"console {message.type}: {message.text} ({message.location})")

    def page_error(self, error: PlaywrightError) -> None:
        self.errors.append(f"page error: {error}")

    def dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@contextmanager
def open_page(browser: Browser, watch: Watch, **options: Any) -> Iterator[Page]:
    """A page in a fresh context; on leaving, no console error and no dialog may have occurred."""
    context = browser.new_context(locale="ar", **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("console", watch.console)
    page.on("pageerror", watch.page_error)
    page.on("dialog", watch.dialog)
    try:
        yield page
    finally:
        context.close()
    assert watch.errors == []
    assert watch.dialogs == []


@pytest.fixture
def watch() -> Watch:
    """The page's console errors and dialogs; both must stay empty."""
    return Watch()


@pytest.fixture
def page(browser: Browser, watch: Watch) -> Iterator[Page]:
    """A desktop-sized page; the test fails if it logs an error or opens a dialog."""
    with open_page(browser, watch, viewport=DESKTOP) as page:
        yield page


def _search(page: Page, server: Server, query: str) -> None:
    page.goto(server.url)
    box = page.get_by_label("ابحث في المقالات")
    expect(box).to_be_focused()  # autofocus
    box.fill(query)
    box.press("Enter")
    page.wait_for_url(re.compile(r"\?q="))
    expect(page.locator(".summary .count")).to_be_visible()


def _screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


def _params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


# -- the journeys ------------------------------------------------------------


def test_type_a_query_and_see_marked_results(
    page: Page, server: Server, browser: Browser, watch: Watch
) -> None:
    _search(page, server, OIL)
    expect(page.locator(".summary .total")).to_have_text("4")
    expect(page.locator(".hit")).to_have_count(4)
    expect(page.locator(".hit-title mark").first).to_have_text(OIL)
    expect(page.locator(".snippet mark").first).to_be_visible()
    expect(page.locator(".hit .meta time").first).to_have_text("2023-04-03")
    assert page.title().startswith(OIL)
    _screenshot(page, "search-desktop.png")
    with open_page(browser, watch, viewport=PHONE, is_mobile=True, has_touch=True) as phone:
        phone.goto(page.url)
        expect(phone.locator(".hit-title mark").first).to_be_visible()
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"]  # nothing spills sideways on a phone
        _screenshot(phone, "search-phone.png")


def test_follow_a_result_to_its_article(page: Page, server: Server) -> None:
    _search(page, server, OIL)
    page.locator(".hit-title a").first.click()
    page.wait_for_url(re.compile(r"/doc/a008\?q="))
    assert _params(page.url) == {"q": [OIL]}
    heading = page.get_by_role("heading", level=1)
    expect(heading.locator("mark")).to_have_text(OIL)
    expect(page.locator(".article .body p")).to_have_count(2)
    expect(page.locator(".article .body mark")).to_have_count(2)
    page.get_by_role("link", name=f"العودة إلى نتائج «{OIL}»").click()
    page.wait_for_url(re.compile(r"/\?q="))
    expect(page.locator(".hit")).to_have_count(4)


def test_page_forward(page: Page, server: Server) -> None:
    page.goto(f"{server.url}?q={quote('الجديد')}&limit=3")
    first_titles = page.locator(".hit-title").all_inner_texts()
    expect(page.locator(".pages [aria-current=page]")).to_have_text("1")
    page.get_by_role("link", name="التالي").click()
    page.wait_for_url(re.compile(r"page=2"))
    expect(page.locator(".pages [aria-current=page]")).to_have_text("2")
    expect(page.locator("ol.hits")).to_have_attribute("start", "4")
    assert page.locator(".hit-title").all_inner_texts() != first_titles
    page.get_by_role("link", name="الصفحة 3").click()
    page.wait_for_url(re.compile(r"page=3"))
    page.get_by_role("link", name="السابق").click()
    page.wait_for_url(re.compile(r"page=2"))


def test_apply_a_facet(page: Page, server: Server) -> None:
    _search(page, server, "الجديد")
    total = int(page.locator(".summary .total").inner_text())
    facet = page.locator(".facet-category a", has_text="اقتصاد")
    count = int(facet.locator(".n").inner_text())
    assert 0 < count < total
    facet.click()
    page.wait_for_url(re.compile(r"category=economy"))
    assert _params(page.url)["q"] == ["الجديد"]
    expect(page.locator(".summary .total")).to_have_text(str(count))
    expect(page.locator(".hit .category")).to_have_count(min(count, 10))
    assert set(page.locator(".hit .category").all_inner_texts()) == {"اقتصاد"}
    active = page.locator(".facet-category a[aria-current=true]")
    expect(active).to_contain_text("اقتصاد")
    active.click()  # a chosen facet links back out
    page.wait_for_url(lambda url: "category=" not in url)
    expect(page.locator(".summary .total")).to_have_text(str(total))


def test_a_chosen_facet_has_a_visible_x_and_the_others_keep_their_counts(
    page: Page, server: Server
) -> None:
    _search(page, server, "الجديد")
    before = {
        label: count
        for label, count in zip(
            page.locator(".facet-category .label").all_inner_texts(),
            page.locator(".facet-category .n").all_inner_texts(),
            strict=True,
        )
    }
    assert len(before) >= 3
    page.locator(".facet-category a", has_text="اقتصاد").click()
    page.wait_for_url(re.compile(r"category=economy"))
    active = page.locator(".facet-category a[aria-current=true]")
    clear = active.locator(".clear")
    expect(clear).to_be_visible()
    expect(clear).to_have_text("✕")
    box = clear.bounding_box()
    assert box is not None and box["width"] > 4 and box["height"] > 4
    # The other categories are still there, with the counts they had.
    after = {
        label: count
        for label, count in zip(
            page.locator(".facet-category .label").all_inner_texts(),
            page.locator(".facet-category .n").all_inner_texts(),
            strict=True,
        )
    }
    assert after == before
    _screenshot(page, "facet-chosen.png")
    expect(active).to_have_accessible_name(re.compile(r"اقتصاد.*\(إلغاء\)"))
    clear.click()
    page.wait_for_url(lambda url: "category=" not in url)
    expect(page.locator(".facet-category a[aria-current=true]")).to_have_count(0)


def test_a_home_page_example_is_a_search_in_the_body_font(page: Page, server: Server) -> None:
    page.goto(server.url)
    example = page.locator("a.example", has_text="اقتصا*")
    expect(example).to_be_visible()
    body_font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert example.evaluate("e => getComputedStyle(e).fontFamily") == body_font
    assert "mono" not in body_font.lower()
    example.click()
    page.wait_for_url(re.compile(r"\?q="))
    assert _params(page.url) == {"q": ["اقتصا*"]}
    expect(page.get_by_label("ابحث في المقالات")).to_have_value("اقتصا*")
    expect(page.locator(".hit").first).to_be_visible()


def test_an_unknown_article_is_an_arabic_404(page: Page, server: Server, watch: Watch) -> None:
    response = page.goto(server.url + "doc/no-such-id")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("المقالة غير موجودة")
    expect(page.locator(".problem .reason")).to_have_text(
        "لا توجد مقالة بهذا المعرّف: «no-such-id». ربما حُذفت المقالة، أو في الرابط خطأ."
    )
    assert "No document" not in page.content()
    assert page.title() == "المقالة غير موجودة · arsearch"
    own = "status of 404 "
    watch.errors[:] = [e for e in watch.errors if own not in e]


def test_an_articles_address_stays_one_line_left_to_right_on_a_phone(
    browser: Browser, server: Server, watch: Watch
) -> None:
    with open_page(browser, watch, viewport=PHONE, is_mobile=True, has_touch=True) as phone:
        phone.goto(server.url + "doc/url-1")
        link = phone.locator(".article .url")
        expect(link).to_be_visible()
        expect(link).to_have_attribute("href", LONG_URL)
        assert link.evaluate("e => getComputedStyle(e).direction") == "ltr"
        line = float(link.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
        box = link.bounding_box()
        assert box is not None
        assert box["height"] < 1.5 * line  # one line, not a jumble of wrapped pieces
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert link.evaluate("e => e.scrollWidth > e.clientWidth")  # cut with an ellipsis
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"]  # nothing spills sideways
        source = phone.locator(".article .meta bdi", has_text="Reuters")
        expect(source).to_have_text("Reuters عربي")
        _screenshot(phone, "article-phone.png")


def test_pick_a_suggestion_with_the_keyboard(page: Page, server: Server) -> None:
    page.goto(server.url)
    box = page.get_by_role("combobox", name="ابحث في المقالات")
    expect(box).to_be_focused()
    box.press_sequentially("اسعار النف", delay=20)
    options = page.get_by_role("option")
    expect(options.first).to_have_text("اسعار النفط")
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("ArrowDown")
    box.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    box.press("ArrowUp")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", "q-suggestions-0")
    box.press("Enter")
    page.wait_for_url(re.compile(r"\?q="))
    assert _params(page.url) == {"q": ["اسعار النفط"]}
    expect(page.locator(".hit").first).to_be_visible()
    # Escape closes the list without searching.
    box = page.get_by_role("combobox", name="ابحث في المقالات")
    box.fill("")
    box.press_sequentially("الكاظ", delay=20)
    expect(page.get_by_role("option").first).to_be_visible()
    box.press("Escape")
    expect(page.get_by_role("listbox")).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")


def test_pick_a_suggestion_in_its_original_spelling(page: Page, server: Server) -> None:
    # The index holds السعوديه (ة folded to ه); the articles write السعودية.
    page.goto(server.url)
    box = page.get_by_role("combobox", name="ابحث في المقالات")
    box.press_sequentially("السعودي", delay=20)
    options = page.get_by_role("option")
    expect(options.first).to_have_text("السعودية")
    assert "السعوديه" not in options.all_inner_texts()
    box.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    page.wait_for_url(re.compile(r"\?q="))
    assert _params(page.url) == {"q": ["السعودية"]}
    expect(page.get_by_role("combobox", name="ابحث في المقالات")).to_have_value("السعودية")
    expect(page.locator(".hit").first).to_be_visible()


def test_showing_results_for_the_corrected_words(page: Page, server: Server) -> None:
    _search(page, server, "اسعار النفت")  # no article holds النفت
    corrected = page.locator(".summary .corrected")
    expect(corrected).to_have_text(
        "تُعرض نتائج البحث عن: اسعار النفط. ابحث بدلًا من ذلك عن: اسعار النفت"
    )
    expect(page.locator(".hit mark", has_text="النفط").first).to_be_visible()
    expect(page.locator(".did-you-mean")).to_have_count(0)
    corrected.get_by_role("link", name="اسعار النفت").click()
    page.wait_for_url(re.compile(r"%22"))
    assert _params(page.url) == {"q": ['اسعار "النفت"']}
    expect(page.locator(".summary .corrected")).to_have_count(0)
    expect(page.get_by_role("combobox", name="ابحث في المقالات")).to_have_value('اسعار "النفت"')
    expect(page.locator(".hit").first).to_be_visible()  # found for اسعار alone
    expect(page.locator(".hit mark", has_text="النفط")).to_have_count(0)


def test_keyboard_reaches_the_content_first(page: Page, server: Server) -> None:
    page.goto(f"{server.url}?q={quote(OIL)}")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="انتقل إلى المحتوى")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#main$"))


def test_no_console_errors_on_any_page(page: Page, server: Server) -> None:
    for path, status in (
        ("", 200),
        (f"?q={quote(OIL)}", 200),
        (f"?q={quote('الجديد')}&sort=date&page=2", 200),
        (f"?q={quote('اسعار النفت')}", 200),
        ("?q=%D9%81%D9%8A", 200),  # only a stop word
        (f"doc/a019?q={quote('البعثات')}", 200),
        ("doc/url-1", 200),
        ("api", 200),
    ):
        response = page.goto(server.url + path)
        assert response is not None and response.status == status, path
        page.wait_for_load_state("load")


@pytest.mark.parametrize(
    "path, status",
    [("doc/no-such-id", 404), ("?q=x&limit=0", 400)],
    ids=["unknown-article", "bad-limit"],
)
def test_error_pages_are_friendly(
    page: Page, server: Server, watch: Watch, path: str, status: int
) -> None:
    response = page.goto(server.url + path)
    assert response is not None and response.status == status
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="العودة إلى صفحة البحث")).to_be_visible()
    # Chromium logs the page's own error status as a failed load: expected here, and
    # the only message allowed (the page's assets and script must still load cleanly).
    own = f"status of {status} "
    watch.errors[:] = [e for e in watch.errors if not (own in e and server.url + path in e)]


def test_the_hostile_document_renders_inert(page: Page, server: Server) -> None:
    _search(page, server, "الاختراق")
    title = page.locator(".hit-title").first
    expect(title).to_contain_text(SCRIPT)
    expect(title).to_contain_text(IMG)
    expect(page.locator(".hit .source").first).to_have_text(f"مصدر {IMG}")
    expect(page.locator(".facet-category .label").first).to_have_text(SCRIPT)
    assert page.locator("main img, main script").count() == 0
    title.locator("a").click()
    page.wait_for_url(re.compile(r"/doc/evil-1"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(SCRIPT)
    expect(page.locator(".article .body")).to_contain_text(IMG)
    expect(page.locator(".article .body mark").first).to_have_text("الاختراق")
    assert page.locator("main img, main script").count() == 0
    # A hostile query is text too: in the box, the title and "did you mean".
    page.goto(f"{server.url}?q={quote(SCRIPT + IMG)}")
    expect(page.get_by_label("ابحث في المقالات")).to_have_value(SCRIPT + IMG)
    assert page.locator("main img, main script").count() == 0
    assert page.evaluate("document.querySelectorAll('script').length") == 1  # suggest.js


def test_the_page_works_without_javascript(browser: Browser, server: Server, watch: Watch) -> None:
    with open_page(browser, watch, viewport=DESKTOP, java_script_enabled=False) as page:
        page.goto(server.url)
        box = page.get_by_label("ابحث في المقالات")
        box.fill(OIL)
        page.get_by_role("button", name="بحث").click()
        page.wait_for_url(re.compile(r"\?q="))
        expect(page.locator(".hit")).to_have_count(4)
        expect(box).not_to_have_attribute("role", "combobox")  # no script ran
        page.locator(".facet-source a").first.click()
        page.wait_for_url(re.compile(r"source="))
        expect(page.locator(".hit")).to_have_count(1)


def test_a_new_commit_is_served_without_a_restart(server: Server, tmp_path: Path) -> None:
    word = "الزبرجد"
    url = f"{server.url}api/search?q={quote(word)}"
    with urlopen(url, timeout=10) as response:
        assert json.load(response)["total"] == 0
    late = tmp_path / "late.jsonl"
    article = {"id": "late-1", "title": f"معرض {word}", "text": f"افتتح معرض {word} اليوم."}
    late.write_text(json.dumps(article, ensure_ascii=False) + "\n", encoding="utf-8")
    added = run_cli("index", str(late), "--index", str(server.index))
    assert added.returncode == 0, added.stderr
    with urlopen(url, timeout=10) as response:
        data = json.load(response)
    assert data["total"] == 1 and data["hits"][0]["id"] == "late-1"
    with urlopen(f"{server.url}healthz", timeout=10) as response:
        assert json.load(response) == {"status": "ok", "documents": 48}
