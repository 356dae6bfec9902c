"""Question -> [Passage]: lexical (FTS5 BM25) and dense (Chroma) search, fused, filtered, diversified.

Outlets and dates named in the question become filters; a question naming several outlets is
searched once per outlet so each part gets its own evidence; no article fills more than a few slots.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Sequence

from .catalog import Catalog
from .embed import Embedder
from .store import ChromaStore, day_number
from .types import Passage

_MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), start=1)}
_MONTH_RE = "(" + "|".join(list(_MONTHS) + [m[:3] for m in _MONTHS] + ["sept"]) + r")\.?"


@dataclass(frozen=True)
class Filters:
    """Restrictions retrieval honours; empty means none. Days are ISO dates (inclusive)."""

    sources: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.sources or self.since or self.until)


@dataclass(frozen=True)
class QueryPlan:
    """What the question itself asks to restrict: outlets it names and the date range it mentions."""

    text: str
    sources: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    latest: bool = False  # "latest", "now", "current": prefer the newest reports
    notes: list[str] = field(default_factory=list)


def _month_number(token: str) -> int:
    token = token.lower().rstrip(".")
    return _MONTHS.get(token) or next(i for m, i in _MONTHS.items() if m.startswith(token[:3]))


def find_dates(question: str, reference: date | None) -> tuple[str | None, str | None]:
    """A date range the question names: "on October 2, 2023", "in November 2023", "yesterday"."""
    q = question.lower()
    m = re.search(_MONTH_RE + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", q) or None
    if m:
        d = date(int(m.group(3)), _month_number(m.group(1)), int(m.group(2)))
        return d.isoformat(), d.isoformat()
    m = re.search(r"(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH_RE + r",?\s+(\d{4})", q)
    if m:
        d = date(int(m.group(3)), _month_number(m.group(2)), int(m.group(1)))
        return d.isoformat(), d.isoformat()
    m = re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", q)
    if m:
        d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return d.isoformat(), d.isoformat()
    if reference:
        if re.search(r"\byesterday\b", q):
            d = reference - timedelta(days=1)
            return d.isoformat(), d.isoformat()
        if re.search(r"\btoday\b", q):
            return reference.isoformat(), reference.isoformat()
        if re.search(r"\b(last|past) week\b", q):
            return (reference - timedelta(days=7)).isoformat(), reference.isoformat()
    return None, None


def plan_query(question: str, outlets: Sequence[str], reference_date: str | None = None) -> QueryPlan:
    """Read outlets, dates and recency words out of the question."""
    found = []
    for outlet in sorted(outlets, key=len, reverse=True):
        bare = re.sub(r"^the\s+", "", outlet, flags=re.I)
        if len(bare) < 3:
            continue
        # Several-word names and acronyms match in any case ("the marrent ledger", "bbc"); a one-word name
        # only as written, so "an independent" is not The Independent.
        flags = re.I if bare.isupper() or len(bare.split()) > 1 else 0
        if re.search(r"(?<![\w-])" + re.escape(bare) + r"(?![\w-])", question, flags=flags):
            if not any(bare in f for f in found):
                found.append(outlet)
    reference = date.fromisoformat(reference_date[:10]) if reference_date else None
    since, until = find_dates(question, reference)
    latest = bool(re.search(r"\b(latest|most recent|now|currently|current|so far|newest|as of)\b", question, re.I))
    return QueryPlan(question, tuple(found), since, until, latest)


class HybridRetriever:
    """BM25 over the catalog's FTS5 index plus dense search in Chroma, fused by weighted reciprocal rank."""

    def __init__(
        self,
        embedder: Embedder,
        store: ChromaStore,
        catalog: Catalog,
        *,
        pool: int = 40,
        lexical_weight: float = 1.0,
        dense_weight: float = 0.6,
        rrf_k: int = 60,
        per_article: int = 2,
    ):
        self.embedder = embedder
        self.store = store
        self.catalog = catalog
        self.pool = pool
        self.lexical_weight = lexical_weight
        self.dense_weight = dense_weight
        self.rrf_k = rrf_k
        self.per_article = per_article
        self._outlets: list[str] | None = None

    def outlets(self) -> list[str]:
        if self._outlets is None:
            self._outlets = [name for name, _ in self.catalog.outlets()]
        return self._outlets

    def invalidate(self) -> None:
        """Forget cached catalog facts after an ingest or removal."""
        self._outlets = None

    def retrieve(
        self, question: str, k: int = 10, filters: Filters | None = None, reference_date: str | None = None
    ) -> list[Passage]:
        filters = filters or Filters()
        plan = plan_query(question, self.outlets(), reference_date)
        vector = self.embedder.embed_batch([question])[0]
        sources = filters.sources or plan.sources
        since = filters.since or plan.since
        until = filters.until or plan.until

        if len(sources) > 1 and not filters.sources:
            # One search per named outlet, interleaved, so every part of the question gets evidence.
            per_part = [self._search(question, vector, (s,), since, until) for s in sources]
            fused = _interleave(per_part)
            fused += self._search(question, vector, sources, None, None)
        else:
            fused = self._search(question, vector, sources, since, until)
            if (since or until) and not (filters.since or filters.until):
                fused += self._search(question, vector, sources, None, None)  # dates in questions are fuzzy
            if sources and not filters.sources:
                fused += self._search(question, vector, (), since, until)

        ranked = self._diversify(_dedupe(fused), k)
        by_id = {p.chunk_id: p for p in ranked}
        passages = [replace(p, score=by_id[p.chunk_id].score, scores=by_id[p.chunk_id].scores)
                    for p in self.store.get([p.chunk_id for p in ranked])]
        if plan.latest:
            passages.sort(key=lambda p: -(day_number(p.published_at) or 0))  # stable: relevance breaks ties
        return [replace(p, rank=i) for i, p in enumerate(passages, start=1)]

    def _search(self, question: str, vector, sources, since, until) -> list[Passage]:
        day_from, day_to = day_number(since), day_number(until)
        lexical = self.catalog.search_text(question, self.pool, sources or None, day_from, day_to)
        where = _where(sources, day_from, day_to)
        dense = self.store.search(vector, self.pool, where)
        scores: dict[str, dict[str, float]] = {}
        article_of: dict[str, str] = {}
        for rank, (cid, score) in enumerate(lexical, start=1):
            scores.setdefault(cid, {})["lexical"] = score
            scores[cid]["fused"] = scores[cid].get("fused", 0.0) + self.lexical_weight / (self.rrf_k + rank)
            article_of[cid] = cid.rsplit(":", 1)[0]
        for p in dense:
            scores.setdefault(p.chunk_id, {})["dense"] = p.score
            scores[p.chunk_id]["fused"] = scores[p.chunk_id].get("fused", 0.0) + self.dense_weight / (self.rrf_k + p.rank)
            article_of[p.chunk_id] = p.article_id
        ordered = sorted(scores, key=lambda c: -scores[c]["fused"])
        return [
            Passage(chunk_id=c, article_id=article_of[c], text="", title="", source=None, published_at=None,
                    score=scores[c]["fused"], scores=scores[c])
            for c in ordered
        ]

    def _diversify(self, ranked: list[Passage], k: int) -> list[Passage]:
        """Best first, but at most ``per_article`` passages of one article until the list would run short."""
        chosen: list[Passage] = []
        held: list[Passage] = []
        per: dict[str, int] = {}
        for p in ranked:
            if per.get(p.article_id, 0) < self.per_article:
                chosen.append(p)
                per[p.article_id] = per.get(p.article_id, 0) + 1
            else:
                held.append(p)
            if len(chosen) >= k:
                break
        return [replace(p, rank=i) for i, p in enumerate((chosen + held)[:k], start=1)]


def _where(sources: Sequence[str], day_from: int | None, day_to: int | None) -> dict | None:
    clauses = []
    if sources:
        clauses.append({"source": {"$in": list(sources)}})
    if day_from is not None:
        clauses.append({"day": {"$gte": day_from}})
    if day_to is not None:
        clauses.append({"day": {"$lte": day_to}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _interleave(lists: list[list[Passage]]) -> list[Passage]:
    out = []
    for i in range(max((len(x) for x in lists), default=0)):
        out.extend(x[i] for x in lists if i < len(x))
    return out


def _dedupe(passages: list[Passage]) -> list[Passage]:
    seen: set[str] = set()
    out = []
    for p in passages:
        if p.chunk_id not in seen:
            seen.add(p.chunk_id)
            out.append(p)
    return out
