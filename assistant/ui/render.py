"""Answer / Passage / Article -> safe HTML (chat, sources panel, article viewer) and Markdown (briefing export).

Pure functions, no Gradio. Every string that comes from an article or a user goes through ``esc``:
``html.escape`` plus character references for the characters Markdown acts on, so article text can
inject neither markup nor Markdown links (the chat renders Markdown). Only http(s) URLs become links.
"""

from __future__ import annotations

import html
import re
from datetime import date, datetime
from typing import Any, Callable, Iterable, Mapping, Sequence
from urllib.parse import urlsplit

from ..types import Answer, Article, Passage

# Markers as the pipeline writes them: "[1]", "[1][2]", "[1, 2]".
MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")

# After html.escape: characters Markdown (or the chat's LaTeX/autolink rules) would act on, as references.
# "#", "&" and ";" stay as they are: html.escape's own output uses them, and they start nothing here.
_MARKDOWN_ACTIVE = {ord(c): f"&#{ord(c)};" for c in "[]()*_`!|~$\\{}:@=+-"}

REFUSAL_HINT = "No passage supports an answer. The closest passages are listed under Sources."


def esc(text: Any) -> str:
    """Text -> HTML that shows exactly that text, with no tags, no attributes and no Markdown syntax."""
    return html.escape("" if text is None else str(text), quote=True).translate(_MARKDOWN_ACTIVE)


def safe_url(url: str | None) -> str | None:
    """An http(s) URL, escaped for an attribute; anything else (javascript:, data:, relative) -> None."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c in url for c in "\"'<> \t\r\n"):
        return None
    return html.escape(url, quote=True)


def format_date(value: str | None) -> str:
    """"2026-03-04" -> "4 Mar 2026"; unparseable dates are shown as given; missing -> "undated"."""
    if not value:
        return "undated"
    try:
        day = datetime.fromisoformat(value.replace("Z", "+00:00")).date() if "T" in value else date.fromisoformat(value[:10])
    except ValueError:
        return value
    return f"{day.day} {day.strftime('%b %Y')}"


# Ids of the anchors markers point at: one namespace per turn of the conversation.
def citation_id(turn: int, number: int) -> str:
    return f"t{turn}-c{number}"


def evidence_id(turn: int, number: int) -> str:
    return f"t{turn}-e{number}"


def linked_text(text: str, href_for: Callable[[int], str | None]) -> str:
    """Escape ``text`` and turn each marker [n] into a link to ``href_for(n)`` (or a flagged span if none)."""
    out: list[str] = []
    pos = 0
    for m in MARKER.finditer(text):
        out.append(esc(text[pos:m.start()]))
        for n in (int(x) for x in re.split(r"\s*,\s*", m.group(1))):
            target = href_for(n)
            if target:
                out.append(f'<a class="cite" href="#{target}" data-target="{target}">&#91;{n}&#93;</a>')
            else:
                out.append(f'<span class="cite missing" title="no such passage">&#91;{n}&#93;</span>')
        pos = m.end()
    out.append(esc(text[pos:]))
    return "".join(out)


def _spans(text: str, sentences: Iterable[str]) -> list[tuple[int, int]]:
    """Where each sentence sits in ``text`` (exactly, else ignoring whitespace differences), merged."""
    found: list[tuple[int, int]] = []
    for sentence in sentences:
        sentence = sentence.strip()
        if not sentence:
            continue
        start = text.find(sentence)
        if start >= 0:
            found.append((start, start + len(sentence)))
            continue
        pattern = r"\s+".join(re.escape(w) for w in sentence.split())
        m = re.search(pattern, text)
        if m:
            found.append(m.span())
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, sentences: Iterable[str]) -> str:
    """Escaped ``text`` with each supporting sentence wrapped in <mark>."""
    out: list[str] = []
    pos = 0
    for start, end in _spans(text, sentences):
        out.append(esc(text[pos:start]))
        out.append(f"<mark>{esc(text[start:end])}</mark>")
        pos = end
    out.append(esc(text[pos:]))
    return "".join(out)


# Chat messages.
def _unsupported_html(answer: Answer) -> str:
    dropped = [s for s in answer.sentences if not s.supported]
    if not dropped:
        return ""
    items = "".join(
        f'<li><del>{esc(s.text)}</del> <span class="reason">{esc(s.reason or "not supported by the cited passages")}</span></li>'
        for s in dropped
    )
    label = "sentence" if len(dropped) == 1 else "sentences"
    return f'<div class="unsupported"><div class="unsupported-head">Set aside by the checks ({len(dropped)} {label})</div><ul>{items}</ul></div>'


def answer_html(answer: Answer, turn: int) -> str:
    """The assistant's chat message for a finished answer: cited text or a refusal, plus dropped sentences."""
    numbers = {c.number for c in answer.citations}
    seconds = answer.timings.get("total")
    timing = f" · {seconds:.1f} s" if seconds is not None else ""
    mode = "LLM answer" if answer.mode == "llm" else "Extractive answer"
    if answer.refused:
        body = (
            f'<div class="refusal-head">No supported answer</div><p>{esc(answer.text)}</p>'
            f'<p class="hint">{esc(REFUSAL_HINT)}</p>'
        )
        return f'<div class="brief-refusal" data-turn="{turn}">{body}{_unsupported_html(answer)}</div>'
    text = linked_text(answer.text, lambda n: citation_id(turn, n) if n in numbers else None)
    count = len(answer.citations)
    meta = f'{mode} · {count} source{"s" if count != 1 else ""} cited{timing}'
    return (
        f'<div class="brief-answer" data-turn="{turn}"><div class="answer-text">{text}</div>'
        f'{_unsupported_html(answer)}<div class="answer-meta">{esc(meta)}</div></div>'
    )


def status_html(message: str) -> str:
    """A placeholder message while the assistant works ("Searching the articles…")."""
    return f'<div class="brief-pending"><span class="dot"></span>{esc(message)}</div>'


def draft_html(draft: str, turn: int, passages: int) -> str:
    """The answer as it streams: markers point at the retrieved passages, unchecked so far."""
    text = linked_text(" ".join(draft.split()), lambda n: evidence_id(turn, n) if 1 <= n <= passages else None)
    note = "Checking citations…" if draft else f"Writing the answer from {passages} passages…"
    return f'<div class="brief-draft"><div class="answer-text">{text}</div><div class="answer-meta">{esc(note)}</div></div>'


def error_html(message: str) -> str:
    return f'<div class="brief-error"><div class="refusal-head">Could not answer</div><p>{esc(message)}</p></div>'


def chat_messages(turns: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The Chatbot value for a conversation: exactly two messages per turn (question, answer)."""
    messages: list[dict[str, str]] = []
    for i, t in enumerate(turns, start=1):
        messages.append({"role": "user", "content": esc(t["question"])})
        messages.append({"role": "assistant", "content": answer_html(t["answer"], i)})
    return messages


# Sources panel.
def _meta_html(title: str, source: str | None, published_at: str | None, url: str | None) -> str:
    link = safe_url(url)
    parts = [f'<span class="outlet">{esc(source or "Unknown outlet")}</span>', f'<span class="date">{esc(format_date(published_at))}</span>']
    if link:
        parts.append(f'<a class="original" href="{link}" target="_blank" rel="noopener noreferrer nofollow">original&#160;&#8599;</a>')
    return f'<div class="source-title">{esc(title)}</div><div class="source-meta">{" · ".join(parts)}</div>'


def passage_card(passage: Passage, number: int | str, anchor: str, sentences: Sequence[str] = (), extra_class: str = "") -> str:
    """One passage: number, title, outlet, date, link, and its text with the supporting sentences marked."""
    heading = f'<div class="section">{esc(passage.heading)}</div>' if passage.heading else ""
    return (
        f'<article class="{" ".join(filter(None, ("source", extra_class)))}" id="{html.escape(anchor)}" data-article="{html.escape(passage.article_id)}">'
        f'<div class="source-head"><span class="num">{esc(number)}</span><div>'
        f"{_meta_html(passage.title, passage.source, passage.published_at, passage.url)}</div></div>"
        f'{heading}<div class="source-text">{highlight(passage.text, sentences)}</div></article>'
    )


def _searched_as(question: str, standalone: str) -> str:
    if not standalone or standalone.strip() == question.strip():
        return ""
    return f'<div class="searched">Searched as: {esc(standalone)}</div>'


def _turn_sources(turn: int, question: str, answer: Answer) -> str:
    head = f'<div class="turn-q"><span class="turn-no">Q{turn}</span> {esc(question)}</div>' + _searched_as(question, answer.standalone_question)
    if answer.refused:
        closest = answer.passages[:3]
        cards = "".join(passage_card(p, i, evidence_id(turn, i), extra_class="closest") for i, p in enumerate(closest, 1))
        label = "Closest passages (none supports an answer)" if closest else "No passage matched"
        return f'<section class="turn refused" id="t{turn}">{head}<div class="group-label">{esc(label)}</div>{cards}</section>'
    cited_ids = {c.passage.chunk_id for c in answer.citations}
    cards = "".join(passage_card(c.passage, c.number, citation_id(turn, c.number), c.sentences) for c in answer.citations)
    others = [p for p in answer.passages if p.chunk_id not in cited_ids]
    more = ""
    if others:
        items = "".join(passage_card(p, "·", f"t{turn}-o{i}", extra_class="other") for i, p in enumerate(others, 1))
        more = f'<details class="more"><summary>Other retrieved passages ({len(others)})</summary>{items}</details>'
    label = f"Cited sources ({len(answer.citations)})"
    return f'<section class="turn" id="t{turn}">{head}<div class="group-label">{esc(label)}</div>{cards}{more}</section>'


def evidence_html(turn: int, question: str, passages: Sequence[Passage], standalone: str = "") -> str:
    """The retrieved passages for a question still being answered."""
    head = f'<div class="turn-q"><span class="turn-no">Q{turn}</span> {esc(question)}</div>'
    searched = _searched_as(question, standalone)
    cards = "".join(passage_card(p, i, evidence_id(turn, i)) for i, p in enumerate(passages, 1))
    label = f"Retrieved passages ({len(passages)}), answer in progress" if passages else "No passage matched"
    return f'<section class="turn pending" id="t{turn}">{head}{searched}<div class="group-label">{esc(label)}</div>{cards}</section>'


SOURCES_EMPTY = (
    '<div class="sources-empty"><div class="empty-title">Sources</div>'
    "<p>Ask a question. The passages retrieved for it appear here while the answer is written; then each "
    "cited passage, with the sentence that supports the answer highlighted.</p></div>"
)


def sources_html(turns: Sequence[Mapping[str, Any]], pending: str = "") -> str:
    """The sources panel: the newest question first (``pending`` is the one being answered, if any)."""
    sections = [pending] if pending else []
    for i in range(len(turns), 0, -1):
        t = turns[i - 1]
        sections.append(_turn_sources(i, t["question"], t["answer"]))
    if not sections:
        return SOURCES_EMPTY
    return f'<div class="sources">{"".join(sections)}</div>'


# Article viewer.
def article_html(article: Article | None) -> str:
    if article is None:
        return '<div class="viewer-empty">Choose an article to read it here.</div>'
    byline = f'<span class="author">By {esc(article.author)}</span> · ' if article.author else ""
    link = safe_url(article.url)
    original = f' · <a href="{link}" target="_blank" rel="noopener noreferrer nofollow">original&#160;&#8599;</a>' if link else ""
    paragraphs = "".join(f"<p>{esc(p.strip())}</p>" for p in re.split(r"\n\s*\n", article.body) if p.strip())
    return (
        f'<div class="article-view"><h2 class="article-title">{esc(article.title)}</h2>'
        f'<div class="article-meta">{byline}<span class="outlet">{esc(article.source or "Unknown outlet")}</span> · '
        f'{esc(format_date(article.published_at))}{original}</div>'
        f'<div class="article-body">{paragraphs}</div>'
        f'<div class="article-id">Article id {esc(article.id)}</div></div>'
    )


# Briefing export (Markdown) and the API payload.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>~$|])")


def md_text(text: Any) -> str:
    """Text for a Markdown document: every Markdown/HTML-active character backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(("" if text is None else str(text)).split()))


def _md_source(passage: Passage) -> str:
    parts = [f"*{md_text(passage.title)}*", md_text(passage.source or "Unknown outlet"), md_text(format_date(passage.published_at))]
    url = passage.url.strip() if passage.url and safe_url(passage.url) else None
    line = ", ".join(parts) + "."
    if url:
        line += f" <{url}>"
    return line


def briefing_markdown(turns: Sequence[Mapping[str, Any]], exported_at: datetime | None = None) -> str:
    """The conversation as a Markdown briefing; each answer's citations become footnotes."""
    when = (exported_at or datetime.now()).strftime("%d %b %Y, %H:%M")
    lines = ["# News briefing", "", f"Exported {when}. Every sentence below was checked against the passage it cites.", ""]
    for i, t in enumerate(turns, start=1):
        answer: Answer = t["answer"]
        lines += [f"## {i}. {md_text(t['question'])}", ""]
        if answer.refused:
            lines += [f"*{md_text(answer.text)}*", ""]
        else:
            numbers = {c.number for c in answer.citations}
            out, pos = [], 0
            for m in MARKER.finditer(answer.text):
                out.append(md_text(answer.text[pos:m.start()]))
                out.append("".join(f"[^{i}-{n}]" for n in (int(x) for x in re.split(r"\s*,\s*", m.group(1))) if n in numbers))
                pos = m.end()
            out.append(md_text(answer.text[pos:]))
            lines += ["".join(_rejoin(out)), ""]
        dropped = [s for s in answer.sentences if not s.supported]
        if dropped:
            lines.append("Removed by the citation check:")
            lines += [f"- ~~{md_text(s.text)}~~ ({md_text(s.reason)})" for s in dropped]
            lines.append("")
        for c in answer.citations:
            quote = " ".join(f"“{md_text(s)}”" for s in c.sentences)
            lines.append(f"[^{i}-{c.number}]: {_md_source(c.passage)}" + (f" {quote}" if quote else ""))
        if answer.citations:
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _rejoin(pieces: list[str]) -> list[str]:
    """Put a space back after a footnote run when the next piece starts a new word."""
    out: list[str] = []
    for piece in pieces:
        if out and out[-1].endswith("]") and piece and piece[0].isalnum():
            piece = " " + piece
        out.append(piece)
    return out


def answer_record(answer: Answer) -> dict[str, Any]:
    """The JSON-able answer returned by the API and written with feedback."""
    return {
        "question": answer.question,
        "answer": answer.text,
        "refused": answer.refused,
        "mode": answer.mode,
        "standalone_question": answer.standalone_question,
        "citations": [
            {
                "number": c.number,
                "title": c.passage.title,
                "source": c.passage.source,
                "published_at": c.passage.published_at,
                "url": c.passage.url,
                "article_id": c.passage.article_id,
                "chunk_id": c.passage.chunk_id,
                "sentences": list(c.sentences),
            }
            for c in answer.citations
        ],
        "sentences": [s.to_dict() for s in answer.sentences],
        "passages": [
            {"rank": p.rank, "title": p.title, "source": p.source, "published_at": p.published_at, "url": p.url,
             "article_id": p.article_id, "chunk_id": p.chunk_id, "score": p.score}
            for p in answer.passages
        ],
        "timings": {k: round(v, 4) for k, v in answer.timings.items()},
    }
