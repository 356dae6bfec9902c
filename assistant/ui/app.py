"""The Gradio web chat for newsroom staff: ``build_app(assistant, settings)`` and ``serve(assistant, settings)``.

Chat on the left (streamed, cited answers; follow-ups), sources on the right (passages as soon as they are
retrieved, then the cited ones with the supporting sentence marked), an Articles tab (upload, list, read,
delete), feedback to a JSON-lines file, a Markdown briefing export, and an ``/ask`` API endpoint.
Everything per user lives in ``gr.State``; HTML comes only from ``render``.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import unicodedata
import uuid
from datetime import date, datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any, Sequence

import gradio as gr

from ..config import Settings
from ..errors import AssistantError, CorpusError
from ..ingest.load import SUPPORTED_SUFFIXES
from ..pipeline import MODES, Assistant, Evidence, Final, Token
from ..retrieval import Filters
from . import render

log = logging.getLogger(__name__)

CHAT_CONCURRENCY = 4  # answers computed at once; the LLM itself is serialised inside the pipeline
EXAMPLE_COUNT = 4
ARTICLE_COLUMNS = ["Date", "Outlet", "Title", "Id"]
UPLOAD_COLUMNS = ["File", "Result", "New articles", "Duplicates", "Reason"]
MODE_CHOICES = [("LLM (local model)", "llm"), ("Extractive (quotes only)", "extractive")]


# Access.
def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_access(settings: Settings) -> tuple[str, str] | None:
    """The Gradio auth pair to use, or None; refuses to expose the app beyond this machine unprotected."""
    if bool(settings.auth_user) != bool(settings.auth_password):
        raise AssistantError("set both BRIEFING_AUTH_USER and BRIEFING_AUTH_PASSWORD, or neither")
    auth = (settings.auth_user, settings.auth_password) if settings.auth_user else None
    if auth is None and not is_loopback(settings.host) and not settings.open_access:
        raise AssistantError(
            f"refusing to serve on {settings.host}, which is reachable from other machines, without a login: "
            "set BRIEFING_AUTH_USER and BRIEFING_AUTH_PASSWORD, or pass --open (BRIEFING_OPEN_ACCESS=1) to allow "
            "anyone who can reach the port, or listen on 127.0.0.1"
        )
    return auth  # type: ignore[return-value]


# Uploads.
def safe_upload_name(name: str) -> str:
    """A file name safe to create in the uploads folder: basename only, plain characters, bounded length."""
    base = PurePosixPath(str(name).replace("\\", "/")).name
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-_")[:80] or "upload"
    suffix = re.sub(r"[^A-Za-z0-9]+", "", suffix).lower()[:10]
    return f"{stem}.{suffix}" if suffix else stem


def store_upload(source: str | Path, uploads_dir: Path, max_bytes: int) -> Path:
    """Copy an uploaded file into ``uploads_dir`` under a safe, unused name; refuse big or unsupported files first."""
    source = Path(source)
    original = source.name
    size = source.stat().st_size
    if size > max_bytes:
        raise CorpusError(original, f"file is {size / 1048576:.1f} MB, over the {max_bytes / 1048576:.0f} MB limit")
    name = safe_upload_name(original)
    suffix = Path(name).suffix
    if suffix not in SUPPORTED_SUFFIXES:
        raise CorpusError(original, f"unsupported file type {suffix or '(none)'}; supported: {', '.join(SUPPORTED_SUFFIXES)}")
    uploads_dir.mkdir(parents=True, exist_ok=True)
    stem = Path(name).stem
    for attempt in range(1, 1000):
        dest = uploads_dir / (name if attempt == 1 else f"{stem}-{attempt}{suffix}")
        try:
            with source.open("rb") as src, dest.open("xb") as out:  # "x": never overwrite another upload
                shutil.copyfileobj(src, out)
            return dest
        except FileExistsError:
            continue
    raise CorpusError(original, "too many uploads with this name")


# Inputs.
def parse_day(value: str | None, label: str) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise AssistantError(f"{label} must be a date like 2026-03-04, not {value!r}") from None


def make_filters(outlets: Sequence[str] | None, since: str | None, until: str | None) -> Filters:
    since_day, until_day = parse_day(since, "From"), parse_day(until, "To")
    if since_day and until_day and since_day > until_day:
        raise AssistantError(f"the date range is empty: From {since_day} is after To {until_day}")
    return Filters(sources=tuple(outlets or ()), since=since_day, until=until_day)


def example_questions(assistant: Assistant, count: int = EXAMPLE_COUNT) -> list[str]:
    """Questions built from the newest article titles (deterministic: newest first, then by title)."""
    questions: list[str] = []
    for row in assistant.catalog.list_articles():
        topic = re.split(r"[,:;]| - | – ", row.title)[0].strip().rstrip(".")
        question = f"What do the reports say about “{topic}”?"
        if topic and question not in questions:
            questions.append(question)
        if len(questions) == count:
            break
    return questions


def library_summary(assistant: Assistant) -> str:
    counts = assistant.catalog.counts()
    outlets = assistant.catalog.outlets()
    articles = assistant.catalog.list_articles()
    dates = sorted(a.published_at[:10] for a in articles if a.published_at)
    span = f" · {render.format_date(dates[0])} to {render.format_date(dates[-1])}" if dates else ""
    return f"{counts['articles']} articles · {len(outlets)} outlets{span}"


def masthead_html(assistant: Assistant) -> str:
    return (
        '<div class="masthead"><div><div class="brand">Briefing desk</div>'
        '<div class="tagline">Answers from the article library. Every sentence cites its passage, and the citation is checked.</div></div>'
        f'<div class="library">{render.esc(library_summary(assistant))}</div></div>'
    )


# Page styling: handed to launch() (Gradio 6 takes theme/css/head there).
def theme() -> gr.themes.Base:
    return gr.themes.Base(
        primary_hue=gr.themes.colors.blue,
        secondary_hue=gr.themes.colors.slate,
        neutral_hue=gr.themes.colors.slate,
        radius_size=gr.themes.sizes.radius_sm,
        font=[gr.themes.LocalFont("IBM Plex Sans", weights=(400, 600)), "system-ui", "sans-serif"],
        font_mono=[gr.themes.LocalFont("IBM Plex Mono", weights=(400, 600)), "monospace"],
    ).set(body_background_fill="#f5f6f8", block_radius="6px", button_primary_background_fill="#1d3a5f",
          button_primary_background_fill_hover="#16304f", button_primary_text_color="#ffffff")


CSS = """
.gradio-container { max-width: 1500px !important; }
.masthead { display: flex; justify-content: space-between; align-items: flex-end; border-bottom: 3px double #1d3a5f;
  padding: 4px 2px 10px; }
.masthead .brand { font-family: Georgia, 'DejaVu Serif', serif; font-weight: 600; font-size: 28px; color: #14243a; letter-spacing: .2px; }
.masthead .tagline { color: #4a5568; font-size: 14px; }
.masthead .library { color: #4a5568; font-size: 13px; text-align: right; }
#chat .brief-answer .answer-text, #chat .brief-draft .answer-text { line-height: 1.55; }
a.cite { display: inline-block; font-size: 0.78em; font-weight: 600; vertical-align: super; line-height: 1; margin: 0 1px;
  padding: 1px 4px; border-radius: 3px; background: #e3ebf6; color: #1d3a5f !important; text-decoration: none !important; cursor: pointer; }
a.cite:hover { background: #1d3a5f; color: #fff !important; }
span.cite.missing { font-size: 0.78em; vertical-align: super; color: #b42318; }
.answer-meta { margin-top: 6px; font-size: 12px; color: #6b7280; }
.brief-refusal { border-left: 4px solid #b45309; background: #fff8eb; padding: 8px 12px; border-radius: 4px; }
.brief-refusal .refusal-head, .brief-error .refusal-head { font-weight: 600; color: #92400e; margin-bottom: 2px; }
.brief-refusal p { margin: 2px 0; } .brief-refusal .hint { font-size: 13px; color: #6b4e16; }
.brief-error { border-left: 4px solid #b42318; background: #fef3f2; padding: 8px 12px; border-radius: 4px; }
.brief-pending { color: #4a5568; font-style: italic; }
.brief-pending .dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; background: #1d3a5f; margin-right: 8px;
  animation: pulse 1s infinite alternate; }
@keyframes pulse { from { opacity: .25; } to { opacity: 1; } }
.unsupported { margin-top: 8px; padding: 6px 10px; background: #fef3f2; border-radius: 4px; font-size: 13px; }
.unsupported-head { font-weight: 600; color: #b42318; }
.unsupported ul { margin: 4px 0 0 16px; padding: 0; } .unsupported del { color: #6b7280; }
.unsupported .reason { color: #b42318; font-style: italic; }
#sources { max-height: 78vh; overflow-y: auto; }
.sources-empty { color: #4a5568; padding: 12px; } .sources-empty .empty-title { font-family: Georgia, 'DejaVu Serif', serif; font-size: 18px; font-weight: 600; color: #14243a; }
.turn { margin-bottom: 18px; }
.turn-q { font-weight: 600; color: #14243a; padding: 6px 0; border-bottom: 1px solid #d5dbe3; margin-bottom: 8px; }
.turn-no { display: inline-block; background: #14243a; color: #fff; font-size: 11px; padding: 1px 6px; border-radius: 3px; margin-right: 6px; }
.searched { font-size: 12px; color: #6b7280; margin: -4px 0 6px; }
.group-label { font-size: 11px; text-transform: uppercase; letter-spacing: .6px; color: #6b7280; margin: 6px 0; }
article.source { border: 1px solid #d5dbe3; border-radius: 6px; background: #fff; padding: 10px 12px; margin-bottom: 10px;
  scroll-margin-top: 80px; transition: box-shadow .3s, border-color .3s; }
article.source.closest { border-style: dashed; }
article.source.active { border-color: #1d3a5f; box-shadow: 0 0 0 3px #c7d7ee; }
.source-head { display: flex; gap: 10px; align-items: flex-start; }
.source-head .num { flex: none; min-width: 22px; height: 22px; border-radius: 11px; background: #1d3a5f; color: #fff; font-size: 12px;
  font-weight: 600; display: flex; align-items: center; justify-content: center; }
article.source.other .num, article.source.closest .num { background: #9aa6b5; }
.source-title { font-family: Georgia, 'DejaVu Serif', serif; font-weight: 600; color: #14243a; line-height: 1.3; }
.source-meta { font-size: 12px; color: #4a5568; margin-top: 2px; } .source-meta .outlet { font-weight: 600; }
.source-meta a { color: #1d4ed8; }
.section { font-size: 12px; color: #6b7280; margin-top: 6px; font-style: italic; }
.source-text { margin-top: 8px; font-size: 13.5px; line-height: 1.5; color: #1f2937; white-space: pre-wrap; }
.source-text mark { background: #fde68a; color: inherit; padding: 0 1px; border-radius: 2px; }
details.more summary { cursor: pointer; color: #4a5568; font-size: 13px; margin: 4px 0 8px; }
.article-view { background: #fff; border: 1px solid #d5dbe3; border-radius: 6px; padding: 18px 22px; max-height: 70vh; overflow-y: auto; }
.article-title { font-family: Georgia, 'DejaVu Serif', serif; font-weight: 600; font-size: 22px; color: #14243a; margin: 0 0 4px; }
.article-meta { color: #4a5568; font-size: 13px; margin-bottom: 12px; } .article-meta .outlet { font-weight: 600; }
.article-body p { line-height: 1.6; margin: 0 0 10px; } .article-id { font-size: 11px; color: #9aa6b5; font-family: monospace; }
.viewer-empty { color: #6b7280; padding: 12px; }
footer { opacity: .6; }
"""

# Marker links scroll the sources panel to the passage (the chat would otherwise open links in a new tab).
HEAD = """
<script>
document.addEventListener("click", function (event) {
  var link = event.target && event.target.closest ? event.target.closest("a.cite") : null;
  if (!link) { return; }
  event.preventDefault();
  event.stopPropagation();
  var id = link.getAttribute("data-target") || (link.getAttribute("href") || "").replace(/^#/, "");
  var card = id ? document.getElementById(id) : null;
  if (!card) { return; }
  var box = card.closest("details");
  if (box) { box.open = true; }
  document.querySelectorAll("article.source.active").forEach(function (el) { el.classList.remove("active"); });
  card.classList.add("active");
  card.scrollIntoView({behavior: "smooth", block: "nearest"});
}, true);
</script>
"""


def _article_rows(assistant: Assistant, outlet: str | None = None, since: str | None = None, until: str | None = None,
                  text: str | None = None) -> list:
    return assistant.catalog.list_articles(outlet or None, since, until, (text or "").strip() or None)


def _outlet_names(assistant: Assistant) -> list[str]:
    return [name for name, _ in assistant.catalog.outlets()]


def build_app(assistant: Assistant, settings: Settings) -> gr.Blocks:
    """The whole UI. Per-user data lives in gr.State; the only shared state is the assistant and a write lock."""
    ingest_lock = threading.Lock()  # one upload or deletion at a time
    feedback_lock = threading.Lock()
    default_mode = assistant.default_mode()
    examples = example_questions(assistant)

    # Chat.
    def respond(message: str, turns: list, mode: str, k: float, outlets: list, since: str, until: str):
        question = (message or "").strip()
        if not question:
            gr.Warning("Type a question first.")
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        turn = len(turns) + 1
        before = render.chat_messages(turns)
        asked = {"role": "user", "content": render.esc(question)}
        try:
            filters = make_filters(outlets, since, until)
        except AssistantError as exc:
            yield before + [asked, {"role": "assistant", "content": render.error_html(str(exc))}], gr.skip(), turns, message
            return
        options = {"mode": mode or default_mode, "passages": int(k), "outlets": list(filters.sources),
                   "since": filters.since, "until": filters.until}
        yield before + [asked, {"role": "assistant", "content": render.status_html("Searching the articles…")}], gr.skip(), turns, ""
        history = [(t["question"], t["answer"].text) for t in turns]
        answer, evidence, draft = None, None, ""
        try:
            for event in assistant.stream(question, history, mode=options["mode"], k=options["passages"], filters=filters):
                if isinstance(event, Evidence):
                    evidence = event
                    pending = render.evidence_html(turn, question, event.passages, event.standalone_question)
                    yield (before + [asked, {"role": "assistant", "content": render.draft_html("", turn, len(event.passages))}],
                           render.sources_html(turns, pending), gr.skip(), gr.skip())
                elif isinstance(event, Token):
                    draft += event.text
                    count = len(evidence.passages) if evidence else 0
                    yield (before + [asked, {"role": "assistant", "content": render.draft_html(draft, turn, count)}],
                           gr.skip(), gr.skip(), gr.skip())
                elif isinstance(event, Final):
                    answer = event.answer
        except AssistantError as exc:
            log.warning("question failed: %s", exc)
            yield before + [asked, {"role": "assistant", "content": render.error_html(str(exc))}], render.sources_html(turns), turns, gr.skip()
            return
        new_turns = [*turns, {"question": question, "answer": answer, "options": options}]
        yield render.chat_messages(new_turns), render.sources_html(new_turns), new_turns, gr.skip()

    def export_briefing(turns: list):
        if not turns:
            return gr.update(value=None, interactive=False)
        folder = Path(tempfile.gettempdir()) / "briefing-exports" / uuid.uuid4().hex
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"briefing-{datetime.now().strftime('%Y%m%d-%H%M')}.md"
        path.write_text(render.briefing_markdown(turns), encoding="utf-8")
        return gr.update(value=str(path), interactive=True)

    def new_conversation():
        return [], render.SOURCES_EMPTY, [], "", gr.update(value=None, interactive=False)

    def record_feedback(turns: list, comment: str, data: gr.LikeData):
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        if not isinstance(index, int) or index % 2 == 0 or index // 2 >= len(turns):
            return gr.skip()
        if data.liked in (True, "Like"):
            vote = "up"
        elif data.liked in (False, "Dislike"):
            vote = "down"
        else:
            return gr.skip()  # a vote taken back
        turn = turns[index // 2]
        record = {
            "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "vote": vote,
            "comment": (comment or "").strip(),
            "question": turn["question"],
            "answer": turn["answer"].text,
            "refused": turn["answer"].refused,
            "citations": render.answer_record(turn["answer"])["citations"],
            "settings": turn["options"],
            "mode_used": turn["answer"].mode,
        }
        path = settings.feedback_path
        with feedback_lock:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        gr.Info("Feedback recorded. Thank you.")
        return ""

    # Articles.
    def list_view(outlet: str, since: str, until: str, text: str, selected: str | None = None):
        try:
            rows = _article_rows(assistant, outlet, parse_day(since, "From"), parse_day(until, "To"), text)
        except AssistantError as exc:
            gr.Warning(str(exc))
            return gr.skip(), gr.skip(), gr.skip()
        table = [[(r.published_at or "")[:10], r.source or "", r.title, r.id[:12]] for r in rows]
        choices = [(f"{r.title} ({r.source or 'unknown outlet'}, {(r.published_at or 'undated')[:10]})", r.id) for r in rows]
        keep = selected if selected in {c[1] for c in choices} else None
        label = f"{len(rows)} article{'s' if len(rows) != 1 else ''} match"
        return gr.update(value=table, label=label), gr.update(choices=choices, value=keep), _outlet_update()

    def _outlet_update():
        return gr.update(choices=["All outlets", *_outlet_names(assistant)])

    def open_article(article_id: str | None):
        return render.article_html(assistant.catalog.article(article_id) if article_id else None)

    def delete_article(article_id: str | None, outlet: str, since: str, until: str, text: str):
        if not article_id:
            gr.Warning("Choose an article to delete.")
            return (gr.skip(),) * 6
        article = assistant.catalog.article(article_id)
        with ingest_lock:
            try:
                assistant.remove(article_id)
            except AssistantError as exc:
                gr.Warning(str(exc))
                return (gr.skip(),) * 6
        title = article.title if article else article_id
        gr.Info(f"Deleted: {title}")
        table, picker, outlets_upd = list_view(outlet, since, until, text)
        notice = f'<div class="viewer-empty">Deleted “{render.esc(title)}” from the library and the index.</div>'
        return table, picker, outlets_upd, notice, gr.update(choices=_outlet_names(assistant)), masthead_html(assistant)

    def upload(files, outlet: str, since: str, until: str, text: str, progress=gr.Progress()):
        if not files:
            gr.Warning("Choose one or more files first.")
            return (gr.skip(),) * 6
        rows: list[list[Any]] = []
        staged: dict[str, str] = {}
        for f in files:
            path = Path(f if isinstance(f, (str, Path)) else getattr(f, "name", f))
            try:
                dest = store_upload(path, settings.uploads_dir, settings.max_file_bytes)
            except (CorpusError, OSError) as exc:
                rows.append([path.name, "failed", 0, 0, getattr(exc, "reason", None) or str(exc)])
                continue
            staged[str(dest.resolve())] = path.name
        if staged:
            progress(0, desc="Indexing")

            def report_progress(done: int, total: int) -> None:
                progress((done, max(total, 1)), desc="Indexing articles", unit="articles")

            with ingest_lock:
                report = assistant.ingest(list(staged), progress=report_progress)
            for result in report.files:
                name = staged.get(result.path, Path(result.path).name)
                rows.append([name, result.status, result.articles, result.duplicates, "; ".join(result.reasons)])
                if result.status == "failed" and result.path in staged:
                    Path(result.path).unlink(missing_ok=True)  # keep nothing we could not index
        table, picker, outlets_upd = list_view(outlet, since, until, text)
        return (gr.update(value=rows, visible=True), table, picker, outlets_upd,
                gr.update(choices=_outlet_names(assistant)), masthead_html(assistant))

    # API: one call, one JSON answer (the same pipeline as the chat).
    def ask(question: str, mode: str = "", passages: int = 0, outlets: list[str] | None = None, since: str = "",
            until: str = "", history: list[list[str]] | None = None) -> dict:
        """Answer a question from the articles; returns the answer, its citations and the per-sentence checks.

        mode: "llm" or "extractive" (default: the server's); passages: how many to retrieve (default: the server's);
        outlets / since / until: restrict retrieval; history: earlier [question, answer] pairs for a follow-up.
        """
        if mode and mode not in MODES:
            raise gr.Error(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        try:
            filters = make_filters(outlets, since, until)
            pairs = [(str(q), str(a)) for q, a in (history or [])]
            answer = assistant.ask(question or "", pairs, mode=mode or default_mode, k=int(passages) or settings.top_k,
                                   filters=filters)
        except AssistantError as exc:
            raise gr.Error(str(exc)) from None
        return render.answer_record(answer)

    with gr.Blocks(title="Briefing desk", analytics_enabled=False, delete_cache=(3600, 7200)) as app:
        turns = gr.State([])
        masthead = gr.HTML(masthead_html(assistant), elem_id="masthead")
        with gr.Tabs(elem_id="tabs"):
            with gr.Tab("Briefing", id="briefing", elem_id="tab-briefing"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=7, min_width=420):
                        chatbot = gr.Chatbot(
                            label="Conversation", elem_id="chat", height=540, latex_delimiters=[], allow_tags=False,
                            sanitize_html=True, buttons=["copy"], feedback_options=("Like", "Dislike"),
                            placeholder="Ask about the articles in the library. Answers quote and cite them; "
                                        "follow-up questions keep the conversation's context.",
                        )
                        with gr.Row(equal_height=True):
                            question = gr.Textbox(placeholder="Ask a question about the articles…", show_label=False,
                                                  lines=1, max_lines=4, scale=9, elem_id="question", autofocus=True)
                            ask_btn = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="ask")
                        with gr.Row():
                            new_btn = gr.Button("New conversation", size="sm", variant="secondary", elem_id="new-conversation")
                            download = gr.DownloadButton("Download briefing (.md)", size="sm", variant="secondary",
                                                         interactive=False, elem_id="download")
                        if examples:
                            gr.Examples(examples=[[q] for q in examples], inputs=[question], label="Questions from the library")
                        with gr.Accordion("Answer settings", open=False, elem_id="settings"):
                            with gr.Row():
                                mode = gr.Radio(MODE_CHOICES, value=default_mode, label="Answer mode", elem_id="mode")
                                k = gr.Slider(1, 12, value=min(settings.top_k, 12), step=1, label="Passages to retrieve",
                                              elem_id="passages")
                            with gr.Row():
                                outlets = gr.Dropdown(choices=_outlet_names(assistant), value=[], multiselect=True,
                                                      label="Only these outlets", elem_id="outlets")
                                since = gr.Textbox(label="From (YYYY-MM-DD)", placeholder="any date", elem_id="since")
                                until = gr.Textbox(label="To (YYYY-MM-DD)", placeholder="any date", elem_id="until")
                        comment = gr.Textbox(label="Feedback comment (optional, sent with your 👍 or 👎 on an answer)",
                                             lines=1, elem_id="feedback-comment")
                    with gr.Column(scale=5, min_width=360):
                        sources = gr.HTML(render.SOURCES_EMPTY, elem_id="sources")

            with gr.Tab("Articles", id="articles", elem_id="tab-articles"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=6):
                        with gr.Row():
                            search = gr.Textbox(label="Search titles and text", elem_id="article-search", scale=3)
                            outlet = gr.Dropdown(choices=["All outlets", *_outlet_names(assistant)], value="All outlets",
                                                 label="Outlet", elem_id="article-outlet", scale=2)
                        with gr.Row():
                            a_since = gr.Textbox(label="From (YYYY-MM-DD)", elem_id="article-since")
                            a_until = gr.Textbox(label="To (YYYY-MM-DD)", elem_id="article-until")
                            filter_btn = gr.Button("Filter", elem_id="article-filter", scale=0, min_width=90)
                        table = gr.Dataframe(headers=ARTICLE_COLUMNS, datatype=["str"] * 4, interactive=False,
                                             wrap=True, elem_id="article-table", max_height=420)
                        picker = gr.Dropdown(choices=[], label="Article", elem_id="article-picker", allow_custom_value=False)
                        with gr.Row():
                            open_btn = gr.Button("Open", elem_id="article-open")
                            delete_btn = gr.Button("Delete from library", variant="stop", elem_id="article-delete")
                        gr.Markdown("#### Add articles")
                        files = gr.File(label="Files (" + " ".join(SUPPORTED_SUFFIXES) + f"; up to {settings.max_file_mb:g} MB each)",
                                        file_count="multiple", file_types=list(SUPPORTED_SUFFIXES), elem_id="upload")
                        upload_btn = gr.Button("Add to library", variant="primary", elem_id="upload-btn")
                        results = gr.Dataframe(headers=UPLOAD_COLUMNS, datatype=["str", "str", "number", "number", "str"],
                                               interactive=False, wrap=True, visible=False, label="Upload results",
                                               elem_id="upload-results")
                    with gr.Column(scale=5):
                        viewer = gr.HTML(render.article_html(None), elem_id="article-viewer")

        # Wiring.
        chat_inputs = [question, turns, mode, k, outlets, since, until]
        chat_outputs = [chatbot, sources, turns, question]
        for trigger in (question.submit, ask_btn.click):
            trigger(respond, chat_inputs, chat_outputs, api_visibility="private", concurrency_limit=CHAT_CONCURRENCY,
                    concurrency_id="answers").then(export_briefing, [turns], [download], api_visibility="private")
        new_btn.click(new_conversation, None, [chatbot, sources, turns, question, download], api_visibility="private")
        chatbot.like(record_feedback, [turns, comment], [comment], api_visibility="private")

        filter_inputs = [outlet, a_since, a_until, search]
        view_outputs = [table, picker, outlet]
        for trigger in (filter_btn.click, search.submit, outlet.input, a_since.submit, a_until.submit):
            trigger(lambda o, s, u, t: list_view("" if o == "All outlets" else o, s, u, t), filter_inputs, view_outputs,
                    api_visibility="private")
        open_btn.click(open_article, [picker], [viewer], api_visibility="private")
        picker.input(open_article, [picker], [viewer], api_visibility="private")
        delete_btn.click(lambda aid, o, s, u, t: delete_article(aid, "" if o == "All outlets" else o, s, u, t),
                         [picker, *filter_inputs], [table, picker, outlet, viewer, outlets, masthead], api_visibility="private")
        upload_btn.click(lambda f, o, s, u, t, progress=gr.Progress(): upload(f, "" if o == "All outlets" else o, s, u, t, progress),
                         [files, *filter_inputs], [results, table, picker, outlet, outlets, masthead], api_visibility="private")
        app.load(lambda: (*list_view("", "", "", ""), masthead_html(assistant)), None, [*view_outputs, masthead],
                 api_visibility="private")

        gr.api(ask, api_name="ask", concurrency_limit=CHAT_CONCURRENCY, concurrency_id="answers")
    return app


def launch(app: gr.Blocks, settings: Settings, *, block: bool = True, port: int | None = None, quiet: bool = False):
    """Start the server with the access rules, limits and styling; returns Gradio's (app, local_url, share_url)."""
    auth = check_access(settings)
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    return app.launch(
        server_name=settings.host, server_port=port or settings.port, auth=auth, prevent_thread_lock=not block,
        show_error=True, max_file_size=settings.max_file_bytes, footer_links=["api"], ssr_mode=False, quiet=quiet,
        theme=theme(), css=CSS, head=HEAD, auth_message="Briefing desk: sign in with your newsroom credentials.",
    )


def serve(assistant: Assistant, settings: Settings) -> None:
    """``briefing chat``: build the app and serve it until interrupted."""
    check_access(settings)  # fail before building anything
    launch(build_app(assistant, settings), settings, block=True)
