"""Question -> [Passage]: lexical (FTS5 BM25) and dense (Chroma) search, fused, filtered, diversified.

Outlets and dates named in the question become filters; a question naming several outlets is
searched once per outlet so each part gets its own evidence; no article fills more than a few slots.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Sequence

from .answer.cite import acronyms, asks_for_latest
from .catalog import STOPWORDS, Catalog
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
class QueryPart:
    """One thing a question asks about: its words, and the outlet and dates that part names."""

    text: str
    sources: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None


@dataclass(frozen=True)
class QueryPlan:
    """What the question itself asks to restrict: outlets it names, dates, recency, and its parts."""

    text: str
    sources: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    latest: bool = False  # "latest", "now", "current": prefer the newest reports
    parts: tuple[QueryPart, ...] = ()


def _month_number(token: str) -> int:
    token = token.lower().rstrip(".")
    return _MONTHS.get(token) or next(i for m, i in _MONTHS.items() if m.startswith(token[:3]))


def _date_matches(text: str) -> list[tuple[int, date]]:
    """(position, date) of every explicit date in the text."""
    found = []
    for pattern, order in (
        (_MONTH_RE + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", "mdy"),
        (r"(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH_RE + r",?\s+(\d{4})", "dmy"),
        (r"\b(\d{4})-(\d{2})-(\d{2})\b", "iso"),
    ):
        for m in re.finditer(pattern, text, re.I):
            try:
                if order == "mdy":
                    d = date(int(m.group(3)), _month_number(m.group(1)), int(m.group(2)))
                elif order == "dmy":
                    d = date(int(m.group(3)), _month_number(m.group(2)), int(m.group(1)))
                else:
                    d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
            found.append((m.start(), d))
    return sorted(found)


def find_dates(question: str, reference: date | None) -> tuple[str | None, str | None]:
    """The date range a question (or one part of it) names: "on October 2, 2023" is that day,
    "before October 22, 2023" ends the day before, "after ..." starts the day after; "yesterday",
    "today" and "last week" need a reference date."""
    q = question.lower()
    dates = _date_matches(q)
    if dates:
        pos, d = dates[0]
        lead = q[max(0, pos - 30) : pos]
        if re.search(r"\b(before|prior to|until|earlier than)\s+(?:\w+\s+){0,2}$", lead):
            return None, (d - timedelta(days=1)).isoformat()
        if re.search(r"\b(after|since|later than|following)\s+(?:\w+\s+){0,2}$", lead):
            return (d + timedelta(days=1)).isoformat(), None
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


def _outlet_mentions(question: str, outlets: Sequence[str]) -> list[tuple[int, int, str]]:
    """(start, end, outlet) of each outlet named in the question, longest names first, no overlaps."""
    mentions: list[tuple[int, int, str]] = []
    for outlet in sorted(outlets, key=len, reverse=True):
        bare = re.sub(r"^the\s+", "", outlet, flags=re.I)
        if len(bare) < 3:
            continue
        flags = re.I if (bare.isupper() or any(c.isupper() for c in bare[1:])) else 0
        for m in re.finditer(r"(?<![\w-])" + re.escape(bare) + r"(?![\w-])", question, flags=flags):
            if not any(s < m.end() and m.start() < e for s, e, _ in mentions):
                mentions.append((m.start(), m.end(), outlet))
    return sorted(mentions)


def plan_query(question: str, outlets: Sequence[str], reference_date: str | None = None) -> QueryPlan:
    """Read outlets, dates, recency words and parts out of the question.

    A question naming outlets is cut at each mention: the clause that follows a mention (up to the
    next one) is that part's text, searched within that outlet and the dates the clause names.
    """
    reference = date.fromisoformat(reference_date[:10]) if reference_date else None
    mentions = _outlet_mentions(question, outlets)
    found = tuple(dict.fromkeys(o for _, _, o in mentions))
    since, until = find_dates(question, reference)
    unnamed = question
    for start, end, _ in reversed(mentions):
        unnamed = unnamed[:start] + " " + unnamed[end:]
    latest = asks_for_latest(unnamed)
    parts = []
    for i, (start, end, outlet) in enumerate(mentions):
        stop = mentions[i + 1][0] if i + 1 < len(mentions) else len(question)
        begin = 0 if i == 0 else start
        clause = question[begin:stop]
        part_since, part_until = find_dates(question[start:stop], reference)
        parts.append(QueryPart(clause, (outlet,), part_since, part_until))
    return QueryPlan(question, found, since, until, latest, tuple(parts))


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
        dense_weight: float = 0.3,
        rrf_k: int = 60,
        per_article: int = 4,
        clause_parts: bool = False,
        rerank_weight: float = 0.5,
        rerank_depth: int = 30,
        blend_weight: float = 1.0,
        blend_depth: int = 60,
        date_bonus: float = 0.3,
        wide: int = 1000,
    ):
        self.embedder = embedder
        self.store = store
        self.catalog = catalog
        self.pool = pool
        self.lexical_weight = lexical_weight
        self.dense_weight = dense_weight
        self.rrf_k = rrf_k
        self.per_article = per_article
        self.clause_parts = clause_parts
        self.rerank_weight = rerank_weight
        self.rerank_depth = rerank_depth
        self.blend_weight = blend_weight
        self.blend_depth = blend_depth
        self.date_bonus = date_bonus
        self.wide = wide
        self._outlets: list[str] | None = None
        self._facets: dict[str, tuple[str | None, int | None]] | None = None
        self._days: dict[str | None, tuple[int, list[int]]] | None = None  # outlet -> (chunks, sorted days): _count
        self._version: int | None = None  # the catalog's data_version the caches above were read at

    def _current(self) -> None:
        """Forget the cached catalog facts when another process has changed the catalog since they were read
        (a CLI ingest beside a running web chat): its new chunks would fail every filter (_passing)."""
        version = self.catalog.data_version()
        if version != self._version:
            self.invalidate()
            self._version = version

    def outlets(self) -> list[str]:
        if self._outlets is None:
            self._outlets = [name for name, _ in self.catalog.outlets()]
        return self._outlets

    def facets(self) -> dict[str, tuple[str | None, int | None]]:
        if self._facets is None:
            self._facets = self.catalog.chunk_facets()
        return self._facets

    def _count(self, sources, day_from: int | None, day_to: int | None) -> int:
        """How many chunks of the catalog pass the filter (_passes), counted from each outlet's sorted days."""
        if self._days is None:
            days: dict[str | None, tuple[list[int], list[int]]] = {}  # outlet -> (every chunk, dated chunks' days)
            for source, day in self.facets().values():
                every, dated = days.setdefault(source, ([], []))
                every.append(day)
                if day is not None:
                    dated.append(day)
            self._days = {source: (len(every), sorted(dated)) for source, (every, dated) in days.items()}
        outlets = [self._days[s] for s in sources if s in self._days] if sources else list(self._days.values())
        if day_from is None and day_to is None:
            return sum(total for total, _ in outlets)
        low = float("-inf") if day_from is None else day_from
        high = float("inf") if day_to is None else day_to
        return sum(max(0, bisect_right(dated, high) - bisect_left(dated, low)) for _, dated in outlets)

    def invalidate(self) -> None:
        """Forget cached catalog facts after an ingest or removal."""
        self._outlets = None
        self._facets = None
        self._days = None

    def retrieve(
        self, question: str, k: int = 10, filters: Filters | None = None, reference_date: str | None = None
    ) -> list[Passage]:
        filters = filters or Filters()
        self._current()
        plan = plan_query(question, self.outlets(), reference_date)
        user_dates = bool(filters.since or filters.until)
        if filters.sources:
            parts = [QueryPart(question, filters.sources, filters.since or plan.since, filters.until or plan.until)]
        elif plan.parts:
            parts = [
                QueryPart(
                    p.text if self.clause_parts and len(content_terms(p.text)) >= 3 else question,
                    p.sources,
                    filters.since or (p.since if len(plan.parts) > 1 else plan.since),
                    filters.until or (p.until if len(plan.parts) > 1 else plan.until),
                )
                for p in plan.parts
            ]
            if len({p.sources for p in parts}) == 1 and len({(p.since, p.until) for p in parts}) == 1:
                parts = [QueryPart(question, parts[0].sources, parts[0].since, parts[0].until)]
        else:
            parts = [QueryPart(question, (), filters.since or plan.since, filters.until or plan.until)]

        texts = list(dict.fromkeys([question] + [p.text for p in parts]))
        vectors = dict(zip(texts, self.embedder.embed_batch(texts)))
        per_part = []
        wide: dict[tuple[str, str], list[tuple[str, float]]] = {}  # the wide unfiltered searches (_matches, _nearest)
        for part in parts:
            found = self._search(part.text, vectors[part.text], part.sources, part.since, part.until, wide)
            if (part.since or part.until) and not user_dates:
                # Dates in questions are fuzzy (time zones, "around"): fall back to the outlet alone;
                # the reports from the days named get a bonus (_blend).
                found = [replace(p, scores={**p.scores, "on_dates": 1.0}) for p in found]
                found += self._search(part.text, vectors[part.text], part.sources, None, None, wide)
            per_part.append(_dedupe(found))
        fused = _interleave(per_part)
        if not filters.sources and (plan.parts or len(parts) > 1):
            # Outlets named in passing are hints, not fences: also search everything.
            fused += self._search(question, vectors[question], (), filters.since, filters.until, wide)

        ranked = self._diversify(self._blend(_dedupe(fused)), k)
        by_id = {p.chunk_id: p for p in ranked}
        passages = [replace(p, score=by_id[p.chunk_id].score, scores=by_id[p.chunk_id].scores)
                    for p in self.store.get([p.chunk_id for p in ranked])]
        if plan.latest:
            passages.sort(key=lambda p: -(day_number(p.published_at) or 0))  # stable: relevance breaks ties
        return [replace(p, rank=i) for i, p in enumerate(passages, start=1)]

    def _search(self, question: str, vector, sources, since, until,
                wide: dict[tuple[str, str], list[tuple[str, float]]]) -> list[Passage]:
        day_from, day_to = day_number(since), day_number(until)
        # A name the question spells out is often an acronym in the text ("NCPA"): search for both.
        lexical = self._matches(" ".join([question, *acronyms(question)]), sources, day_from, day_to, wide)
        dense = self._nearest(question, vector, sources, day_from, day_to, wide)
        scores: dict[str, dict[str, float]] = {}
        article_of: dict[str, str] = {}
        for rank, (cid, score) in enumerate(lexical, start=1):
            scores.setdefault(cid, {})["lexical"] = score
            scores[cid]["fused"] = scores[cid].get("fused", 0.0) + self.lexical_weight / (self.rrf_k + rank)
            article_of[cid] = cid.rsplit(":", 1)[0]
        for rank, (cid, similarity) in enumerate(dense, start=1):
            scores.setdefault(cid, {})["dense"] = similarity
            scores[cid]["fused"] = scores[cid].get("fused", 0.0) + self.dense_weight / (self.rrf_k + rank)
            article_of[cid] = cid.rsplit(":", 1)[0]
        ordered = sorted(scores, key=lambda c: -scores[c]["fused"])
        if self.rerank_weight and ordered:
            ordered = self._rerank(question, ordered, scores)
        return [
            Passage(chunk_id=c, article_id=article_of[c], text="", title="", source=None, published_at=None,
                    score=scores[c]["fused"], scores=scores[c])
            for c in ordered
        ]

    def _matches(self, query: str, sources, day_from: int | None, day_to: int | None,
                 wide: dict[tuple[str, str], list[tuple[str, float]]]) -> list[tuple[str, float]]:
        """The ``pool`` best BM25 matches of the given outlets and days, as (id, score), through _shared:
        FTS5 scores a match the same whatever else the query filters on, so filtering the wider list gives
        the filtered search's ranking; that list holds every match when it came back shorter than asked."""
        def search(k: int, filtered: bool) -> list[tuple[str, float]]:
            return (self.catalog.search_text(query, k, sources or None, day_from, day_to) if filtered
                    else self.catalog.search_text(query, k))

        return self._shared(("lexical", query), search, sources, day_from, day_to, wide,
                            lambda kept, hits: len(hits) < self.wide)

    def _nearest(self, text: str, vector, sources, day_from: int | None, day_to: int | None,
                 wide: dict[tuple[str, str], list[tuple[str, float]]]) -> list[tuple[str, float]]:
        """The ``pool`` nearest chunks of the given outlets and days, as (id, similarity), through _shared:
        every chunk is a hit, so the filtered wider list is whole when it holds as many chunks as the
        catalog has that pass (_count)."""
        def search(k: int, filtered: bool) -> list[tuple[str, float]]:
            return self.store.nearest(vector, k, _where(sources, day_from, day_to) if filtered else None)

        return self._shared(("dense", text), search, sources, day_from, day_to, wide,
                            lambda kept, hits: len(kept) == self._count(sources, day_from, day_to))

    def _shared(self, key: tuple[str, str], search, sources, day_from: int | None, day_to: int | None,
                wide: dict[tuple[str, str], list[tuple[str, float]]], whole) -> list[tuple[str, float]]:
        """The ``pool`` best hits of ``search(k, filtered)`` for the given outlets and days. A question's
        filtered searches share one wider unfiltered search (``wide`` holds it under ``key``), filtered here
        by the catalog's outlet and day of each chunk: a filtered Chroma or FTS5 query costs several
        unfiltered ones (evals/RESULTS.md, Speed, session 13). The store filters itself only when fewer than
        ``pool`` of the wider hits pass and ``whole(kept, hits)`` says more could."""
        filtered = bool(sources) or day_from is not None or day_to is not None
        if not self.wide or (not filtered and key not in wide):
            return search(self.pool, True)
        if key not in wide:
            wide[key] = search(self.wide, False)
        kept = self._passing(wide[key], sources, day_from, day_to)
        if len(kept) >= self.pool or whole(kept, wide[key]):
            return kept[: self.pool]
        return search(self.pool, True)

    def _passing(self, hits: list[tuple[str, float]], sources, day_from: int | None, day_to: int | None
                 ) -> list[tuple[str, float]]:
        """The hits whose chunks pass the filter, in order."""
        facets = self.facets()
        return [(cid, score) for cid, score in hits
                if (facet := facets.get(cid)) is not None and _passes(facet, sources, day_from, day_to)]

    def _rerank(self, question: str, ordered: list[str], scores: dict[str, dict[str, float]]) -> list[str]:
        """Reorder the best candidates by fused rank plus how well their best single sentence covers the
        question: evidence usually sits in one sentence, which whole-chunk scores blur."""
        from .answer.extractive import best_sentence_coverage, question_terms

        terms = question_terms(question)
        head = ordered[: self.rerank_depth]
        texts = self.catalog.chunk_texts(head)
        top = scores[head[0]]["fused"] or 1.0
        for cid in head:
            coverage = best_sentence_coverage(question, texts.get(cid, ""), terms)
            scores[cid]["sentence"] = coverage
            scores[cid]["fused"] = scores[cid]["fused"] / top + self.rerank_weight * coverage
        return sorted(head, key=lambda c: -scores[c]["fused"]) + ordered[self.rerank_depth :]

    def _blend(self, ranked: list[Passage]) -> list[Passage]:
        """Reorder the best candidates by their place in the fused list plus their BM25 score for the
        whole question relative to the best candidate's: rank fusion keeps only ranks, so a chunk far
        ahead on the question's words ties with a near miss. Reports from the days a question names
        get a bonus over those found when its dates were dropped. (Tuned on MultiHop-RAG development
        questions 1-400, checked on all 1,128: evals/RESULTS.md.)"""
        if not self.blend_weight or not ranked:
            return ranked
        head, tail = ranked[: self.blend_depth], ranked[self.blend_depth :]
        top = max((p.scores.get("lexical", 0.0) for p in head), default=0.0) or 1.0
        score = {p.chunk_id: 1.0 / (1.0 + i / 10) + self.blend_weight * p.scores.get("lexical", 0.0) / top
                 + self.date_bonus * p.scores.get("on_dates", 0.0) for i, p in enumerate(head)}
        return sorted(head, key=lambda p: -score[p.chunk_id]) + tail

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


def content_terms(text: str) -> list[str]:
    """The words of ``text`` that a lexical search would use."""
    return [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOPWORDS and len(w) > 2]


def _passes(facet: tuple[str | None, int | None], sources: Sequence[str], day_from: int | None,
            day_to: int | None) -> bool:
    """Whether a chunk of (outlet, day) passes the filter _where gives Chroma."""
    source, day = facet
    if sources and source not in sources:
        return False
    if day_from is not None and (day is None or day < day_from):
        return False
    return day_to is None or (day is not None and day <= day_to)


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
