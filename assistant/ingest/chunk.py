"""Article -> Chunks: sentence-aware spans bounded by the embedder's word-piece window.

Chunks tile the body: each chunk is ``body[start:end]``; without overlap the chunks are contiguous,
and with overlap a chunk starts a few whole sentences before the previous one ended. A section
heading (a short line such as "How Many Iraqi Militia Crossed into Syria?") starts a new chunk and
is carried, as ``Chunk.heading``, by every chunk below it until the next heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from ..types import Article, Chunk

TokenCounter = Callable[[str], int]

# Raise it with any change that makes different chunks from the same text: an index records the version
# (with the chunk settings) it was built with, and ingest re-chunks its stored articles when they differ.
CHUNKER_VERSION = 1

# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) before whitespace and
# a character that can open a sentence. Common abbreviations are protected below.
_SENTENCE_END = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s+[\"'\u201c\u2018(\[A-Z0-9])")
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "gen", "col", "lt", "sgt", "capt", "gov", "sen",
    "rep", "rev", "inc", "ltd", "co", "corp", "vs", "etc", "no", "jan", "feb", "mar", "apr", "jun", "jul",
    "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "u.n", "e.g", "i.e", "a.m", "p.m", "mt", "ft",
}
_HEADING_MAX_WORDS = 14


@dataclass(frozen=True)
class Unit:
    """A sentence or heading: ``body[start:end]`` (without surrounding whitespace)."""

    start: int
    end: int
    heading: bool = False


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Sentence spans (start, end) of ``text``, shifted by ``offset``; whitespace between them excluded.
    A line break ends a sentence too: a heading line without a full stop is not glued to the next one."""
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        spans.extend(_line_sentences(line.group(0), offset + line.start()))
    return spans


def _line_sentences(text: str, offset: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = _skip_space(text, 0)
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if end <= start:
            continue
        word = re.search(r"([A-Za-z.]+)[.!?]*[\"'\u201d\u2019)\]]*$", text[start:end])
        if word and match.group(0).startswith(".") and len(match.group(0)) == 1:
            token = word.group(1).rstrip(".").lower()
            if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                continue  # "Mr. Smith", "J. Doe": not a sentence end
        spans.append((start + offset, end + offset))
        start = _skip_space(text, end)
    tail = text[start:].rstrip()
    if tail:
        spans.append((start + offset, start + len(tail) + offset))
    return spans


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


_INTERROGATIVE = re.compile(r"^(how|what|who|why|when|where|which|is|are|was|were|did|does|do|can|will|should)\b", re.I)
_SMALL_WORDS = {"a", "an", "the", "and", "or", "of", "in", "on", "at", "to", "for", "by", "with", "into", "from", "as",
                "is", "vs", "vs."}


def is_heading(line: str) -> bool:
    """A short line on its own that reads like a section title rather than a sentence or a caption:
    "How Many Iraqi Militia Crossed into Syria?", "Relief effort stalls" (not "Advertisement")."""
    line = line.strip()
    words = line.split()
    if len(words) < 2 or len(words) > _HEADING_MAX_WORDS or len(line) > 120:
        return False
    if re.search(r"[.;:,]\s", line) or line[-1] in ".,;:!\"'\u201d\u2019)]":
        return False  # sentences, captions ("... in 2002. Photograph: ..."), quotes
    if line.endswith("?"):
        return bool(_INTERROGATIVE.match(line))
    title_case = sum(1 for w in words if w[:1].isupper() or w[:1].isdigit() or w.lower() in _SMALL_WORDS)
    return words[0][:1].isupper() and title_case == len(words)


# Lines scraped pages repeat between paragraphs; they are not section titles.
_BOILERPLATE = {"advertisement", "advertisements", "sponsored", "related", "read more", "subscribe", "share",
                "story continues", "story continues below advertisement", "continue reading", "recommended"}


def _is_section_line(line: str) -> bool:
    """A sentence-case heading ("Civilian deaths in the airstrikes"): short, capitalised, no closing
    punctuation. Trusted only when the line is a paragraph of its own, so wrapped text never qualifies."""
    words = line.split()
    if line.lower().strip() in _BOILERPLATE:
        return False
    return (
        0 < len(words) <= 10
        and words[0][:1].isupper()
        and line[-1] not in ".,;:!\"'\u201d\u2019)]"
        and not re.search(r"[.;:,]\s", line)
    )


def units(body: str) -> list[Unit]:
    """Headings and sentences of the body, in order. A line is a heading only if more text follows it."""
    result: list[Unit] = []
    pos = 0
    lines = body.split("\n")
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            more_follows = any(rest.strip() for rest in lines[i + 1 :])
            own_paragraph = (i == 0 or not lines[i - 1].strip()) and i + 1 < len(lines) and not lines[i + 1].strip()
            if more_follows and len(lines) > 1 and (is_heading(stripped) or (own_paragraph and _is_section_line(stripped))):
                result.append(Unit(pos + lead, pos + lead + len(stripped), heading=True))
            else:
                result.extend(Unit(s, e) for s, e in split_sentences(line, pos))
        pos += len(line) + 1
    return result


class Chunker:
    """Packs sentences into chunks of at most ``max_tokens`` word pieces (counted by ``count_tokens``)."""

    def __init__(self, count_tokens: TokenCounter, max_tokens: int = 200, overlap_tokens: int = 0):
        self.count_tokens = count_tokens
        self.max_tokens = max_tokens
        self.overlap_tokens = overlap_tokens

    def chunk(self, article: Article, max_tokens: int | None = None) -> list[Chunk]:
        body = article.body
        budget = max_tokens or self.max_tokens
        pieces = self._pieces(body, budget)
        if not pieces:
            return []
        groups: list[list[int]] = []  # indices into pieces
        current: list[int] = []
        used = 0
        for i, (unit, tokens) in enumerate(pieces):
            if current and (unit.heading or used + tokens > budget):
                groups.append(current)
                current, used = [], 0
                if not unit.heading and self.overlap_tokens:
                    current, used = self._overlap(pieces, groups[-1], budget - tokens)
            current.append(i)
            used += tokens
        groups.append(current)

        # The heading in force at each unit: the last heading at or before it.
        in_force: list[str | None] = []
        heading: str | None = None
        for unit, _ in pieces:
            if unit.heading:
                heading = body[unit.start : unit.end]
            in_force.append(heading)

        chunks: list[Chunk] = []
        for ordinal, group in enumerate(groups):
            first_new = _first_new(group, groups[ordinal - 1] if ordinal else [])
            start = 0 if ordinal == 0 else pieces[group[0]][0].start
            next_new = _first_new(groups[ordinal + 1], group) if ordinal + 1 < len(groups) else None
            end = len(body) if next_new is None else pieces[next_new][0].start
            chunks.append(
                Chunk(
                    id=f"{article.id}:{ordinal}",
                    article_id=article.id,
                    ordinal=ordinal,
                    start=start,
                    end=end,
                    text=body[start:end],
                    heading=in_force[first_new],
                )
            )
        return chunks

    def _pieces(self, body: str, budget: int) -> list[tuple[Unit, int]]:
        """Units with their token counts; a sentence over the budget is cut at word boundaries."""
        result: list[tuple[Unit, int]] = []
        for unit in units(body):
            text = body[unit.start : unit.end]
            tokens = self.count_tokens(text)
            if tokens <= budget:
                result.append((unit, tokens))
                continue
            result.extend(self._split_long(body, unit, budget))
        return result

    def _split_long(self, body: str, unit: Unit, budget: int) -> list[tuple[Unit, int]]:
        words = [(m.start() + unit.start, m.end() + unit.start) for m in re.finditer(r"\S+", body[unit.start : unit.end])]
        out: list[tuple[Unit, int]] = []
        i = 0
        while i < len(words):
            # Grow greedily; word pieces per word are at least one, so budget words is an upper bound.
            j = min(len(words), i + budget)
            while j > i + 1:
                n = self.count_tokens(body[words[i][0] : words[j - 1][1]])
                if n <= budget:
                    break
                j = i + max(1, (j - i) * budget // max(n, 1)) if n > budget * 1.2 else j - 1
            piece = Unit(words[i][0], words[j - 1][1], heading=unit.heading)
            out.append((piece, self.count_tokens(body[piece.start : piece.end])))
            i = j
        return out

    def _overlap(self, pieces: list[tuple[Unit, int]], previous: list[int], room: int) -> tuple[list[int], int]:
        """Trailing whole sentences of the previous chunk, up to the overlap budget (never a heading)."""
        taken: list[int] = []
        used = 0
        for i in reversed(previous[1:]):
            unit, tokens = pieces[i]
            if unit.heading or used + tokens > min(self.overlap_tokens, room):
                break
            taken.insert(0, i)
            used += tokens
        return taken, used


def _first_new(group: list[int], previous: list[int]) -> int:
    """The first unit of ``group`` that the previous chunk did not already contain."""
    seen = set(previous)
    for i in group:
        if i not in seen:
            return i
    return group[-1]


def rebuild_body(chunks: list[Chunk]) -> str:
    """The article body reassembled from its chunks' offsets (overlaps counted once)."""
    text = ""
    covered = 0
    for chunk in sorted(chunks, key=lambda c: c.ordinal):
        text += chunk.text[covered - chunk.start :] if chunk.start < covered else chunk.text
        covered = chunk.end
    return text
