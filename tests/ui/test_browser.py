"""The real web app in Debian's Chromium: streamed cited answers, sources, follow-ups, uploads, deletion,
inert injection payloads, and isolated sessions.

The app runs in-process (a background thread) on the fictional corpus plus an injection article, with the
real embedder and BRIEFING_LLM=none (extractive answers). Skipped only when /usr/bin/chromium is missing
and BRIEFING_REQUIRE_BROWSER is unset; with it set (CI), a missing browser fails.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest
from servers import free_port

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "evals" / "fictional" / "corpus"
CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 60_000

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
MD_LINK = "[click](javascript:alert(1))"
INJECTION = f"""---
title: Zephyr ferry plan approved {SCRIPT}
source: Harbour Bulletin {IMG}
date: 2026-03-12
url: javascript:alert(1)
---
The Zephyr ferry will carry 240 passengers between Marrent and Saltreach {IMG} from May, the harbour council said {SCRIPT}.

Residents can read the timetable {MD_LINK} before the first sailing on May 4.
"""
UPLOAD = """---
title: Glassmere lighthouse to reopen after restoration
source: Coastline Courier
date: 2026-03-15
url: https://courier.example/2026/03/15/glassmere-lighthouse
---
The Glassmere lighthouse will reopen to visitors on April 3 after a 14-month restoration costing 2.6 million velor.

The keeper's cottage beside the lighthouse will become a small museum about the coast, the harbour trust said.
"""
LIGHTHOUSE_Q = "When will the Glassmere lighthouse reopen to visitors?"


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    """The real app on a free port: fictional corpus + injection article, real embedder, extractive answers."""
    for key, value in {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False",
                       "ANONYMIZED_TELEMETRY": "False"}.items():
        os.environ.setdefault(key, value)
    from assistant.config import Settings
    from assistant.pipeline import Assistant
    from assistant.ui.app import build_app, launch

    base = tmp_path_factory.mktemp("ui-browser")
    injection = base / "injection.md"
    injection.write_text(INJECTION, encoding="utf-8")
    settings = Settings(data_dir=base / "data", llm="none")
    assistant = Assistant(settings)
    report = assistant.ingest([str(CORPUS), str(injection)])
    assert not report.failed, report.summary()
    app = build_app(assistant, settings)
    _, url, _ = launch(app, settings, block=False, port=free_port(), quiet=True)
    yield {"url": url, "assistant": assistant, "settings": settings, "base": base}
    app.close()
    assistant.close()


@pytest.fixture(scope="session")
def playwright_driver():
    if not CHROMIUM.exists():
        if os.environ.get("BRIEFING_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing and BRIEFING_REQUIRE_BROWSER is set: apt-get install -y chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium); set BRIEFING_REQUIRE_BROWSER to fail instead")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def open_page(playwright_driver, app_server, tmp_path):
    """Factory: a fresh browser context (its own profile) on the app; records every JS dialog."""
    contexts = []

    def make():
        profile = tmp_path / f"profile{len(contexts)}"
        context = playwright_driver.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=BROWSER_ARGS,
            viewport={"width": 1440, "height": 1000})
        contexts.append(context)
        page = context.pages[0] if context.pages else context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.dialogs = []
        page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
        page.goto(app_server["url"], wait_until="load")
        page.wait_for_selector("#question textarea")
        return page

    yield make
    for context in contexts:
        context.close()


ANSWER = "#chat .brief-answer, #chat .brief-refusal"


def ask(page, question: str, wait: bool = True):
    before = page.locator(ANSWER).count()
    page.fill("#question textarea", question)
    page.click("#ask")
    if wait:
        wait_for_answers(page, before + 1)


def wait_for_answers(page, count: int):
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length >= n && !document.querySelector('#chat .brief-draft, #chat .brief-pending')",
        arg=[ANSWER, count], timeout=TIMEOUT_MS)


def watch_for_evidence(page):
    """Record whether the sources panel showed retrieved passages before the answer was final."""
    page.evaluate("""() => {
      window.__evidenceSeen = false; window.__pendingSeen = false;
      new MutationObserver(() => {
        if (document.querySelector('#sources section.pending article.source')) window.__evidenceSeen = true;
        if (document.querySelector('#chat .brief-pending, #chat .brief-draft')) window.__pendingSeen = true;
      }).observe(document.body, {subtree: true, childList: true, characterData: true});
    }""")


def assert_no_injection(page):
    assert page.dialogs == [], f"a dialog opened: {page.dialogs}"
    found = page.evaluate("""() => ({
      // (Gradio's inline config is JSON with "<" written as \u003c: data, not a script of ours)
      scripts: Array.from(document.scripts).filter(s => s.textContent.trim() === 'alert(1)').length,
      scriptTags: document.querySelectorAll('#chat script, #sources script, #article-viewer script, #article-table script').length,
      onerror: document.querySelectorAll('[onerror]').length,
      imgx: document.querySelectorAll('img[src="x"]').length,
      jslinks: Array.from(document.querySelectorAll('a[href]')).filter(a => a.href.trim().toLowerCase().startsWith('javascript:')).length,
    })""")
    assert found == {"scripts": 0, "scriptTags": 0, "onerror": 0, "imgx": 0, "jslinks": 0}, found


def test_streamed_answer_with_citations_and_open_source(open_page):
    page = open_page()
    watch_for_evidence(page)
    ask(page, "Who was appointed to lead the inquiry into the dam failure?")
    answer = page.locator("#chat .brief-answer").last
    assert "Santov" in answer.inner_text()
    assert page.evaluate("window.__pendingSeen"), "no progress was shown while the answer was produced"
    links = answer.locator("a.cite")
    assert links.count() >= 1
    # The sources panel lists the cited passages with title, outlet, date and the supporting sentence marked.
    cards = page.locator("#sources article.source[id^='t1-c']")
    assert cards.count() >= 1
    first = cards.first
    assert first.locator(".source-title").inner_text().strip()
    assert first.locator(".outlet").inner_text().strip()
    assert re.search(r"\d{1,2} \w{3} 2026", first.locator(".date").inner_text())
    assert first.locator("mark").count() >= 1
    # Open a source: the marker scrolls to and highlights its passage, without leaving the page.
    pages_before = len(page.context.pages)
    target = links.first.get_attribute("href").lstrip("#")
    links.first.click()
    page.wait_for_selector(f"#sources article.source.active#{target}")
    card = page.locator(f"#{target}")
    assert card.is_visible()
    assert "Santov" in card.locator("mark").first.inner_text()
    assert len(page.context.pages) == pages_before


def test_evidence_is_shown_before_the_answer(open_page):
    page = open_page()
    watch_for_evidence(page)
    ask(page, "What did the 2023 inspection report warn about?")
    # Evidence arrives before the answer: either the panel rendered it, or the final panel lists the passages.
    seen = page.evaluate("window.__evidenceSeen")
    assert seen or page.locator("#sources section#t1 article.source").count() >= 1


def test_follow_up_uses_the_conversation_and_new_conversation_clears_it(open_page):
    page = open_page()
    ask(page, "Who was appointed to lead the inquiry into the dam failure?")
    ask(page, "When is her first hearing?")
    assert page.locator(ANSWER).count() == 2
    sources = page.locator("#sources").inner_text()
    assert "following up on: Who was appointed to lead the inquiry" in sources
    assert page.locator("#sources section.turn").count() == 2
    page.wait_for_function("""() => { const b = document.querySelector('#download');
      const button = b && (b.tagName === 'BUTTON' ? b : b.querySelector('button')); return button && !button.disabled; }""")
    page.click("#new-conversation")
    page.wait_for_function("() => document.querySelectorAll('#chat .brief-answer, #chat .brief-refusal').length === 0")
    ask(page, "When is her first hearing?")
    assert "following up on" not in page.locator("#sources").inner_text()


def test_refusal_is_styled_and_shows_closest_passages(open_page):
    page = open_page()
    ask(page, "What is the population of the planet Mars colony?")
    refusal = page.locator("#chat .brief-refusal").last
    assert refusal.is_visible()
    assert "do not say" in refusal.inner_text()
    panel = page.locator("#sources").text_content()  # (inner_text applies the label's text-transform)
    assert "Closest passages" in panel or "No passage matched" in panel
    assert page.locator("#sources section.refused article.source.closest").count() >= 1


def _articles_tab(page):
    page.get_by_role("tab", name="Articles").click()
    page.wait_for_selector("#upload-btn")


def _briefing_tab(page):
    page.get_by_role("tab", name="Briefing").click()
    page.wait_for_selector("#question textarea")


def test_upload_then_ask_then_delete(open_page, app_server, tmp_path):
    assistant = app_server["assistant"]
    page = open_page()
    source = tmp_path / "Glassmere lighthouse (draft).md"
    source.write_text(UPLOAD, encoding="utf-8")
    _articles_tab(page)
    page.set_input_files("#upload input[type=file]", str(source))
    page.wait_for_timeout(500)
    page.click("#upload-btn")
    page.wait_for_function("() => (document.querySelector('#upload-results')?.innerText || '').includes('added')")
    results = page.locator("#upload-results").inner_text()
    assert "Glassmere lighthouse (draft).md" in results
    stored = list(app_server["settings"].uploads_dir.iterdir())
    assert any(p.name == "Glassmere-lighthouse-draft.md" for p in stored), stored

    _briefing_tab(page)
    ask(page, LIGHTHOUSE_Q)
    assert "April 3" in page.locator("#chat .brief-answer").last.inner_text()
    assert "Glassmere lighthouse to reopen" in page.locator("#sources section#t1").inner_text()

    # Find it in the list, open it, delete it.
    _articles_tab(page)
    page.fill("#article-search textarea, #article-search input", "Glassmere")
    page.press("#article-search textarea, #article-search input", "Enter")
    page.wait_for_function("() => (document.querySelector('#article-table')?.innerText || '').includes('Glassmere')")
    page.click("#article-picker input")
    page.get_by_role("option", name=re.compile("Glassmere lighthouse")).click()
    page.wait_for_selector("#article-viewer .article-title")
    assert "14-month restoration" in page.locator("#article-viewer").inner_text()
    page.click("#article-delete")
    page.wait_for_function("() => (document.querySelector('#article-viewer')?.innerText || '').includes('Deleted')")
    assert not [r for r in assistant.catalog.list_articles(text="Glassmere")]

    _briefing_tab(page)
    ask(page, LIGHTHOUSE_Q)
    assert "Glassmere lighthouse to reopen" not in page.locator("#sources section#t2").inner_text()


def test_injection_payloads_are_inert_everywhere(open_page):
    page = open_page()
    ask(page, "How many passengers will the Zephyr ferry carry?")
    answer = page.locator("#chat .brief-answer, #chat .brief-refusal").last.inner_text()
    sources = page.locator("#sources").inner_text()
    assert "Zephyr" in sources
    assert IMG in sources or IMG in answer  # the payload is shown as text
    assert_no_injection(page)
    # Open the source link for it, if any, and the article viewer.
    links = page.locator("#chat a.cite")
    if links.count():
        links.first.click()
    _articles_tab(page)
    page.fill("#article-search textarea, #article-search input", "Zephyr")
    page.press("#article-search textarea, #article-search input", "Enter")
    page.wait_for_function("() => (document.querySelector('#article-table')?.innerText || '').includes('Zephyr')")
    assert SCRIPT in page.locator("#article-table").inner_text()
    page.click("#article-picker input")
    page.get_by_role("option", name=re.compile("Zephyr ferry")).click()
    page.wait_for_selector("#article-viewer .article-title")
    viewer = page.locator("#article-viewer").inner_text()
    assert MD_LINK in viewer and SCRIPT in viewer
    assert page.locator("#article-viewer a").count() == 0  # the javascript: URL gives no link
    page.wait_for_timeout(500)
    assert_no_injection(page)


def test_two_sessions_stay_isolated(open_page):
    first, second = open_page(), open_page()
    q1 = "Who was appointed to lead the inquiry into the dam failure?"
    q2 = "How many jobs will Brightloom cut?"
    ask(first, q1, wait=False)
    ask(second, q2, wait=False)
    wait_for_answers(first, 1)
    wait_for_answers(second, 1)
    chat1, chat2 = first.locator("#chat").inner_text(), second.locator("#chat").inner_text()
    assert q1 in chat1 and q2 not in chat1
    assert q2 in chat2 and q1 not in chat2
    assert "Brightloom" not in first.locator("#sources .turn-q").inner_text()
    # A follow-up in one session is rewritten from that session's history only.
    ask(second, "When will they be cut?")
    sources2 = second.locator("#sources").inner_text()
    assert f"following up on: {q2}" in sources2 and q1 not in sources2
    assert first.locator(ANSWER).count() == 1


DAM_Q = "Who was appointed to lead the inquiry into the dam failure?"
JOBS_Q = "How many jobs will Brightloom cut?"
ZEPHYR_Q = "How many passengers will the Zephyr ferry carry?"
MARKERS = re.compile(r"\[\d+(?:\s*,\s*\d+)*\]")


def _vote(page, n: int, label: str):
    """Click Like/Dislike under the n-th (0-based) assistant message; the button then shows Liked/Disliked."""
    bars = page.locator("#chat .message-buttons-left")  # the action bar under each assistant message
    assert bars.count() == page.locator(ANSWER).count()
    bar = bars.nth(n)
    bar.get_by_role("button", name=label, exact=True).click()
    bar.get_by_role("button", name=f"{label}d", exact=True).wait_for()


def _feedback_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def _wait_for_lines(path: Path, count: int, timeout: float = 30.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = _feedback_lines(path)
        if len(lines) >= count:
            return lines
        time.sleep(0.2)
    return _feedback_lines(path)


def _plain(text: str) -> str:
    """Answer text without citation markers or whitespace, for comparing what the page shows with what was stored."""
    return re.sub(r"\s+", "", MARKERS.sub("", text))


def test_feedback_is_appended_with_question_answer_and_citations(open_page, app_server):
    settings = app_server["settings"]
    path = settings.feedback_path
    assert path.parent == settings.data_dir and path.parent.is_relative_to(app_server["base"])
    start = len(_feedback_lines(path))  # the app is shared by the session: count only what this test adds
    expected_settings = {"mode": app_server["assistant"].default_mode(), "passages": min(settings.top_k, 12),
                         "outlets": [], "since": None, "until": None}
    page = open_page()

    ask(page, DAM_Q)
    shown = page.locator("#chat .brief-answer").last.locator(".answer-text").inner_text()
    comment = "Names the chair but not the deadline."
    page.fill("#feedback-comment textarea", comment)
    _vote(page, 0, "Dislike")
    _wait_for_lines(path, start + 1)
    page.wait_for_timeout(1000)  # a second line would be a duplicate write
    lines = _feedback_lines(path)
    assert len(lines) == start + 1, lines[start:]
    record = json.loads(lines[start])
    assert record["vote"] == "down"
    assert record["comment"] == comment
    assert record["question"] == DAM_Q
    assert "Santov" in record["answer"] and _plain(record["answer"]) == _plain(shown)
    assert record["refused"] is False
    assert record["citations"], record
    for citation in record["citations"]:
        assert citation["title"].strip() and citation["source"].strip(), citation
        assert re.fullmatch(r"2026-\d\d-\d\d.*", citation["published_at"] or ""), citation
        assert re.search(rf"\[[\d, ]*\b{citation['number']}\b[\d, ]*\]", record["answer"]), citation  # cited in the text
    assert record["settings"] == expected_settings
    assert record["mode_used"] == expected_settings["mode"]
    # The comment was sent with the vote and the box cleared for the next one.
    page.wait_for_function("() => document.querySelector('#feedback-comment textarea').value === ''")

    ask(page, JOBS_Q)
    _vote(page, 1, "Like")
    _wait_for_lines(path, start + 2)
    page.wait_for_timeout(1000)
    lines = _feedback_lines(path)
    assert len(lines) == start + 2, lines[start:]
    assert json.loads(lines[start]) == record  # appended, the first line untouched
    second = json.loads(lines[start + 1])
    assert second["vote"] == "up"
    assert second["comment"] == ""
    assert second["question"] == JOBS_Q
    assert "Brightloom" in second["answer"] or second["refused"]
    assert second["settings"] == expected_settings


def _download_enabled(page):
    page.wait_for_function("""() => { const b = document.querySelector('#download');
      const button = b && (b.tagName === 'BUTTON' ? b : b.querySelector('button')); return button && !button.disabled; }""")


def _unescape_md(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def test_download_briefing_has_the_answers_and_footnoted_citations(open_page, tmp_path):
    from assistant.ui.render import md_text

    page = open_page()
    questions = [DAM_Q, ZEPHYR_Q]
    shown = []
    for i, q in enumerate(questions, start=1):
        ask(page, q)
        answer = page.locator("#chat .brief-answer, #chat .brief-refusal").last
        assert answer.get_attribute("class") == "brief-answer", f"no cited answer for {q!r}"
        shown.append(answer.locator(".answer-text").inner_text())
    # The sources panel's cited cards: what each footnote must carry.
    cards = {}
    for i in (1, 2):
        found = page.locator(f"#sources section#t{i} article.source[id^='t{i}-c']")
        assert found.count() >= 1
        cards[i] = [{"num": c.locator(".num").inner_text().strip(),
                     "title": c.locator(".source-title").text_content(),
                     "outlet": c.locator(".outlet").text_content(),
                     "date": c.locator(".date").text_content()} for c in found.all()]
    _download_enabled(page)
    # The file is re-exported after each answer (a follow-on event): download until it has both turns.
    deadline = time.monotonic() + 30
    for attempt in range(100):
        with page.expect_download() as info:
            page.click("#download")
        assert info.value.suggested_filename.endswith(".md"), info.value.suggested_filename
        target = tmp_path / f"briefing{attempt}.md"
        info.value.save_as(target)
        text = target.read_text(encoding="utf-8")
        if text.count("\n## ") >= 2 or time.monotonic() > deadline:
            break
        page.wait_for_timeout(500)

    assert text.startswith("# News briefing")
    sections = re.split(r"^## ", text, flags=re.M)[1:]
    assert len(sections) == 2, text
    for i, (q, section, page_text) in enumerate(zip(questions, sections, shown), start=1):
        assert section.startswith(f"{i}. {md_text(q)}\n"), section[:200]
        body = [line for line in section.split("\n")[1:] if line.strip() and not line.startswith("[^")]
        assert body, section
        paragraph = body[0]
        refs = re.findall(rf"\[\^{i}-(\d+)\]", paragraph)
        assert refs, f"no footnote references in answer {i}: {paragraph}"
        assert _plain(_unescape_md(re.sub(r"\[\^\d+-\d+\]", "", paragraph))) == _plain(page_text)
        notes = {m.group(1): m.group(2) for m in re.finditer(rf"^\[\^{i}-(\d+)\]: (.*)$", section, flags=re.M)}
        assert set(refs) <= set(notes), (refs, notes)
        assert {c["num"] for c in cards[i]} == set(notes)
        for card in cards[i]:
            note = notes[card["num"]]
            assert note.startswith(f"*{md_text(card['title'])}*, {md_text(card['outlet'])}, {md_text(card['date'])}."), note
            assert re.search(r"\d{1,2} \w{3} 2026", note)
            assert "“" in note  # the supporting sentence is quoted
    # The injection article is cited in the second answer: its markup is escaped text, never raw HTML or a JS link.
    assert "Zephyr ferry plan approved" in text
    # (Markdown shows a backslash-escaped "\<script\>" as text; an unescaped tag would be live HTML)
    assert not re.search(r"(?<!\\)<\s*/?\s*(script|img)", text, flags=re.I), "raw HTML in the briefing"
    assert not re.search(r"(?<!\\)\]\(\s*javascript:", text, flags=re.I)  # no live Markdown link
    assert "<javascript:" not in text.lower()  # nor an autolink to the article's URL
    assert r"\<script\>" in text
    assert_no_injection(page)
