"""The typed records that travel along the data path, each carrying its provenance.

file -> Article -> Chunk -> (Chroma + lexical index) -> Passage -> Answer
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Article:
    """One news article. ``id`` is a hash of its normalized title and body, so the same
    article under another file name gets the same id."""

    id: str
    title: str
    body: str
    source: str | None = None  # the outlet, e.g. "Reuters"
    published_at: str | None = None  # ISO 8601 date or datetime; absent stays absent
    url: str | None = None
    author: str | None = None
    path: str | None = None  # the file it was loaded from (and record index for JSON: "file.json#3")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Chunk:
    """A contiguous span of an article's body: ``article.body[start:end] == text``."""

    id: str  # f"{article_id}:{ordinal}"
    article_id: str
    ordinal: int
    start: int
    end: int
    text: str
    heading: str | None = None  # the section heading the span sits under, if any


@dataclass(frozen=True)
class Passage:
    """A chunk returned by retrieval, with the article metadata needed to cite it."""

    chunk_id: str
    article_id: str
    text: str
    title: str
    source: str | None
    published_at: str | None
    url: str | None = None
    heading: str | None = None
    ordinal: int = 0
    start: int = 0
    end: int = 0
    score: float = 0.0
    rank: int = 0  # 1-based position in the final ranking
    scores: dict[str, float] = field(default_factory=dict)  # per-retriever scores, for inspection

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Citation:
    """Marker ``[number]`` in an answer, pointing at a passage and the sentences in it that support the claim."""

    number: int
    passage: Passage
    sentences: tuple[str, ...] = ()  # exact sentences of passage.text that support the answer

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "passage": self.passage.to_dict(), "sentences": list(self.sentences)}


@dataclass(frozen=True)
class SentenceCheck:
    """The verdict of the citation check on one sentence of an answer."""

    text: str
    citations: tuple[int, ...]  # marker numbers the sentence cites
    supported: bool
    reason: str = ""  # why it was judged unsupported, e.g. "number 300 not in [1]"

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "citations": list(self.citations), "supported": self.supported, "reason": self.reason}


@dataclass(frozen=True)
class Answer:
    """What the pipeline returns for one question: the text, its checked citations, and the evidence."""

    question: str
    text: str
    citations: tuple[Citation, ...] = ()
    sentences: tuple[SentenceCheck, ...] = ()
    passages: tuple[Passage, ...] = ()  # everything retrieved, best first
    refused: bool = False
    mode: str = "extractive"  # "llm" or "extractive"
    standalone_question: str = ""  # the question after follow-up rewriting
    timings: dict[str, float] = field(default_factory=dict)  # seconds: retrieval, first_token, total

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "text": self.text,
            "citations": [c.to_dict() for c in self.citations],
            "sentences": [s.to_dict() for s in self.sentences],
            "passages": [p.to_dict() for p in self.passages],
            "refused": self.refused,
            "mode": self.mode,
            "standalone_question": self.standalone_question,
            "timings": dict(self.timings),
        }
