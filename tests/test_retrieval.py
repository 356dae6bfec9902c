"""Retrieval: outlets and dates read out of questions, filters honoured, diversity, multi-outlet questions."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.embed import HashEmbedder
from assistant.pipeline import Assistant
from assistant.retrieval import Filters, HybridRetriever, find_dates, plan_query
from assistant.types import Passage

ROOT = Path(__file__).resolve().parents[1]
FICTIONAL = ROOT / "evals" / "fictional" / "corpus"
OUTLETS = ["The Marrent Ledger", "Veloria Public Radio", "Northgate Wire", "Coastline Courier", "The Civic Observer",
           "Dunmarrow Gazette"]

QUESTIONS = [
    "How many people died after the Harlow Gap Dam failed?",
    "How many people were evacuated from Dunmarrow?",
    "Who won the Velorian Cup final?",
    "What did Brightloom pay for Tidewell Analytics?",
    "How many hepatitis A cases were linked to the oysters?",
    "Who will lead the inquiry into the dam failure?",
]


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    a = Assistant(Settings.from_env({}, data_dir=tmp_path_factory.mktemp("data"), llm="none"), embedder=HashEmbedder())
    report = a.ingest([str(FICTIONAL)])
    assert report.counts() == {"added": 45}
    yield a
    a.close()


@pytest.mark.parametrize(
    "question,expected",
    [
        ("What did The Marrent Ledger report about the breach?", ("The Marrent Ledger",)),
        ("What did the Marrent Ledger report about the breach?", ("The Marrent Ledger",)),
        ("what did the marrent ledger report about the breach?", ("The Marrent Ledger",)),
        ("According to Northgate Wire, how many were evacuated?", ("Northgate Wire",)),
        ("What did NORTHGATE WIRE say about evacuees?", ("Northgate Wire",)),
        ("How many were evacuated from Dunmarrow?", ()),  # a town is not an outlet ("Dunmarrow Gazette")
        ("Did the Civic Observer and Veloria Public Radio agree?", ("Veloria Public Radio", "The Civic Observer")),
    ],
)
def test_plan_query_finds_outlets_named_in_the_question(question, expected):
    assert set(plan_query(question, OUTLETS).sources) == set(expected)


def test_single_word_outlet_names_match_only_as_names():
    outlets = OUTLETS + ["The Independent", "BBC"]
    assert plan_query("Which candidate ran as an independent?", outlets).sources == ()
    assert plan_query("What did The Independent say about the vote?", outlets).sources == ("The Independent",)
    assert plan_query("What did the bbc report?", outlets).sources == ("BBC",)


@pytest.mark.parametrize(
    "question,reference,expected",
    [
        ("What was published on October 2, 2023 about the strike?", None, ("2023-10-02", "2023-10-02")),
        ("What happened on Oct. 2nd 2023?", None, ("2023-10-02", "2023-10-02")),
        ("What did the Ledger report on 2 March 2026?", None, ("2026-03-02", "2026-03-02")),
        ("Which articles appeared on 2026-03-04?", None, ("2026-03-04", "2026-03-04")),
        ("What happened yesterday in Dunmarrow?", date(2026, 3, 6), ("2026-03-05", "2026-03-05")),
        ("What happened today?", date(2026, 3, 6), ("2026-03-06", "2026-03-06")),
        ("What happened in the past week?", date(2026, 3, 14), ("2026-03-07", "2026-03-14")),
        ("What happened yesterday?", None, (None, None)),
        ("How many people died in the flood?", date(2026, 3, 6), (None, None)),
    ],
)
def test_find_dates(question, reference, expected):
    assert find_dates(question, reference) == expected


def test_plan_query_uses_the_reference_date_and_notices_recency_words():
    plan = plan_query("What is the latest death toll reported yesterday?", OUTLETS, "2026-03-08T09:30:00")
    assert (plan.since, plan.until) == ("2026-03-07", "2026-03-07")
    assert plan.latest
    assert not plan_query("How many people died?", OUTLETS).latest


@pytest.mark.parametrize(
    "question,latest",
    [
        ("How many people are currently listed as missing after the dam failure?", True),
        ("How many cases have been recorded so far in the outbreak?", True),
        ("Who is the current chief executive of Quellwater Hydro?", True),
        ("What's the death toll now?", True),
        ("Is Lucia Ferrant still the chief executive?", True),
        # Describing clauses and quotations only identify something: no preference for new reports.
        ("Who is the individual under 30, once the richest, who is now facing a criminal trial?", False),
        ("Who is the man that was once likened to an investor but is now facing fraud charges?", False),
        ("Did the Ledger report his losses, stating he is on a current three-fight winning streak?", False),
        ("Which article featured \"Chris Hammer's latest book\"?", False),
        ("Does the Courier suggest that the mayor is considering leaving her current role?", False),
    ],
)
def test_recency_words_ask_for_the_newest_reports_only_in_the_main_clause(question, latest):
    assert plan_query(question, OUTLETS).latest is latest


def test_a_recency_word_inside_an_outlet_name_asks_for_nothing():
    outlets = OUTLETS + ["Business Today | Latest Stock Market And Economy News India"]
    q = "Did Business Today | Latest Stock Market And Economy News India report the merger?"
    assert plan_query(q, outlets).sources == ("Business Today | Latest Stock Market And Economy News India",)
    assert not plan_query(q, outlets).latest
    assert plan_query("What is the latest figure from Northgate Wire?", outlets).latest


def _candidate(cid: str, lexical: float | None) -> Passage:
    return Passage(cid, cid.split(":")[0], "", "", None, None, scores={} if lexical is None else {"lexical": lexical})


def test_blend_lets_a_chunk_far_ahead_on_the_questions_words_overtake_a_near_tie_in_rank_fusion():
    retriever = HybridRetriever(None, None, None)  # _blend reads only the candidates' scores
    fused = [_candidate("a:0", 4.0), _candidate("b:0", 12.0), _candidate("c:0", None), _candidate("d:0", 11.0)]
    assert [p.chunk_id for p in retriever._blend(fused)] == ["b:0", "d:0", "a:0", "c:0"]
    close = [_candidate("a:0", 11.5), _candidate("b:0", 12.0), _candidate("c:0", None)]
    assert [p.chunk_id for p in retriever._blend(close)] == ["a:0", "b:0", "c:0"]
    dated = [_candidate("a:0", 12.0), replace(_candidate("b:0", 11.5), scores={"lexical": 11.5, "on_dates": 1.0})]
    assert [p.chunk_id for p in retriever._blend(dated)] == ["b:0", "a:0"]  # the report from the day named
    retriever.blend_weight = 0
    assert retriever._blend(fused) == fused


@pytest.mark.parametrize("question", QUESTIONS)
@pytest.mark.parametrize(
    "filters",
    [
        Filters(sources=("Northgate Wire",)),
        Filters(sources=("Coastline Courier", "Dunmarrow Gazette")),
        Filters(since="2026-03-10", until="2026-03-12"),
        Filters(sources=("The Marrent Ledger",), since="2026-03-05"),
        Filters(until="2026-03-04"),
    ],
    ids=["one-outlet", "two-outlets", "date-range", "outlet-since", "until"],
)
def test_filters_are_honoured_by_every_passage(assistant, question, filters):
    passages = assistant.retrieve(question, k=8, filters=filters)
    assert passages, "the filtered corpus is not empty, so something must come back"
    for p in passages:
        if filters.sources:
            assert p.source in filters.sources, (p.source, p.title)
        day = p.published_at[:10]
        assert not filters.since or day >= filters.since, (day, p.title)
        assert not filters.until or day <= filters.until, (day, p.title)
        assert p.text and p.title


@pytest.mark.parametrize("question", QUESTIONS)
@pytest.mark.parametrize("k", [6, 10])
def test_no_article_fills_more_than_its_share_of_slots(assistant, question, k):
    default, assistant.retriever.per_article = assistant.retriever.per_article, 2
    try:
        passages = assistant.retrieve(question, k=k)
    finally:
        assistant.retriever.per_article = default
    assert len(passages) == k
    assert max(Counter(p.article_id for p in passages).values()) <= 2
    assert [p.rank for p in passages] == list(range(1, k + 1))
    assert len({p.chunk_id for p in passages}) == k


def test_question_naming_two_outlets_gets_evidence_from_both(assistant):
    question = "How many people were evacuated from Dunmarrow according to the Northgate Wire and the Coastline Courier?"
    passages = assistant.retrieve(question, k=6)
    top = [p.source for p in passages[:4]]
    assert "Northgate Wire" in top and "Coastline Courier" in top, top
    texts = " ".join(p.text for p in passages)
    assert "8,400" in texts and "14,500" in texts, "both sides of the contradiction"


def test_outlet_named_in_the_question_ranks_its_articles_first(assistant):
    passages = assistant.retrieve("What did Veloria Public Radio report about the cup final?", k=6)
    assert [p.source for p in passages[:3]] == ["Veloria Public Radio"] * 3


def test_date_in_the_question_ranks_that_days_reports_first(assistant):
    passages = assistant.retrieve("What was reported on March 5, 2026 about Dunmarrow?", k=6)
    days = [p.published_at[:10] for p in passages]
    assert days[0] == "2026-03-05"
    assert days.count("2026-03-05") >= 3, days


def test_a_latest_question_gets_the_newest_reports_first(assistant):
    latest = assistant.retrieve("What is the latest confirmed death toll from the Harlow Gap Dam failure?", k=6)
    days = [p.published_at[:10] for p in latest]
    assert days == sorted(days, reverse=True) and len(set(days)) > 1, days


def test_passages_carry_citation_metadata(assistant):
    for p in assistant.retrieve("Harlow Gap Dam breach", k=6):
        assert p.source in OUTLETS and p.published_at and p.title and p.url
        body = assistant.catalog.article(p.article_id).body
        assert body[p.start : p.end] == p.text


def test_a_name_the_question_spells_out_also_finds_the_passages_that_use_its_acronym(assistant):
    # The article names the National Civil Protection Agency once and its director as "director of the NCPA".
    passages = assistant.retrieve("Who is the director of the National Civil Protection Agency?", 6)
    assert any("Hesper Okonne, director of the NCPA" in p.text for p in passages)


class _CountingStore:
    """The real store, recording whether each dense search asked Chroma to filter."""

    def __init__(self, store):
        self.store, self.filtered, self.plain = store, 0, 0

    def nearest(self, vector, k, where=None):
        if where:
            self.filtered += 1
        else:
            self.plain += 1
        return self.store.nearest(vector, k, where)

    def get(self, chunk_ids):
        return self.store.get(chunk_ids)


class _CountingCatalog:
    """The real catalog, recording whether each BM25 search asked SQLite to filter."""

    def __init__(self, catalog):
        self.catalog, self.filtered, self.plain = catalog, 0, 0

    def search_text(self, query, k, sources=None, day_from=None, day_to=None):
        if sources or day_from is not None or day_to is not None:
            self.filtered += 1
        else:
            self.plain += 1
        return self.catalog.search_text(query, k, sources, day_from, day_to)

    def __getattr__(self, name):
        return getattr(self.catalog, name)


FILTERED_QUESTIONS = [
    "What did The Marrent Ledger report about the breach?",
    "Did the Civic Observer and Veloria Public Radio agree on the death toll?",
    "What did Northgate Wire report on March 17, 2026 about Brightloom?",
    "What was reported on March 4, 2026 about the dam?",
]


@pytest.mark.parametrize("wide", [1000, 3])
def test_filtered_searches_read_one_wide_search_and_find_what_filtered_searches_find(assistant, wide):
    # 85 chunks: a wide search of 1,000 covers them all, so neither Chroma nor SQLite is asked to filter;
    # one of 3 leaves most filters short, and they filter themselves. Either way the passages are the same.
    exact = HybridRetriever(assistant.embedder, assistant.store, assistant.catalog, wide=0)
    counting, lexical = _CountingStore(assistant.store), _CountingCatalog(assistant.catalog)
    shared = HybridRetriever(assistant.embedder, counting, lexical, wide=wide)
    for question in FILTERED_QUESTIONS:
        assert [p.chunk_id for p in shared.retrieve(question)] == [p.chunk_id for p in exact.retrieve(question)]
    if wide == 1000:  # one search of each kind per question
        assert counting.filtered == 0 and counting.plain == len(FILTERED_QUESTIONS)
        assert lexical.filtered == 0 and lexical.plain == len(FILTERED_QUESTIONS)
    else:
        assert counting.filtered > 0 and lexical.filtered > 0


def test_the_count_of_chunks_a_filter_passes_matches_the_filter_itself(assistant):
    from assistant.retrieval import _passes

    retriever = HybridRetriever(assistant.embedder, assistant.store, assistant.catalog)
    facets = retriever.facets()
    days = sorted({day for _, day in facets.values() if day is not None})
    bounds = [None, days[0] - 1, days[0], days[len(days) // 2], days[-1], days[-1] + 1]
    for sources in [(), ("Coastline Courier",), ("Northgate Wire", "Veloria Public Radio"), ("No Such Outlet",)]:
        for day_from in bounds:
            for day_to in bounds:
                expected = sum(_passes(facet, sources, day_from, day_to) for facet in facets.values())
                assert retriever._count(sources, day_from, day_to) == expected, (sources, day_from, day_to)


def _report(path: Path, title: str, source: str, day: str, sentence: str) -> Path:
    path.write_text(f"---\ntitle: {title}\nsource: {source}\ndate: {day}\n---\n\n" + (sentence + " ") * 6)
    return path


def test_a_long_running_process_sees_what_another_process_ingested_or_removed(tmp_path):
    """The web chat caches each chunk's outlet and day; a CLI ingest beside it must not leave its new
    articles failing every outlet or date filter, nor removed ones still found."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _report(corpus / "a.md", "Bridge repairs begin", "Northgate Wire", "2026-03-02",
            "Crews began repairing the Route 9 bridge on Monday.")
    settings = Settings.from_env({}, data_dir=tmp_path / "data", llm="none")
    chat = Assistant(settings, embedder=HashEmbedder())
    chat.ingest([str(corpus)])
    dated = "What did ferry workers do on March 20, 2026?"
    named = "According to Kestrel Dispatch, why did ferry workers walk out?"
    assert {p.source for p in chat.retriever.retrieve(dated, k=3)} == {"Northgate Wire"}  # caches the facets

    cli = Assistant(settings, embedder=HashEmbedder())
    strike = _report(tmp_path / "strike.md", "Ferry workers strike", "Kestrel Dispatch", "2026-03-20",
                     "Ferry workers in Saltreach walked out on Friday over pay.")
    assert cli.ingest([str(strike)]).counts() == {"added": 1}
    assert chat.retriever.retrieve(dated, k=3)[0].title == "Ferry workers strike"
    assert chat.retriever.retrieve(named, k=3)[0].source == "Kestrel Dispatch"
    assert "Kestrel Dispatch" in chat.retriever.outlets()  # read out of questions from now on (plan_query)

    cli.remove(str(strike))
    assert [p.title for p in chat.retriever.retrieve(dated, k=3)] == ["Bridge repairs begin"]
    chat.close()
    cli.close()


def test_another_process_s_article_is_found_through_bm25_at_once_and_through_embedded_chroma_only_anew(tmp_path):
    """What README says of an ingest beside a running chat with the embedded store: BM25 (the shared catalog)
    finds the new article at the chat's next question; embedded Chroma loads its vector index once per
    process, so the chat's dense search does not see the new vectors, and a process opened afterwards does."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _report(corpus / "a.md", "Bridge repairs begin", "Northgate Wire", "2026-03-02",
            "Crews began repairing the Route 9 bridge on Monday.")
    strike = _report(tmp_path / "strike.md", "Ferry workers strike", "Kestrel Dispatch", "2026-03-20",
                     "Ferry workers in Saltreach walked out on Friday over pay.")
    settings = Settings.from_env({}, data_dir=tmp_path / "data", llm="none")
    chat = Assistant(settings, embedder=HashEmbedder())
    chat.ingest([str(corpus)])
    question = "Why did ferry workers in Saltreach walk out?"
    vector = HashEmbedder().embed_batch([question])[0]
    assert len(chat.store.nearest(vector, 10)) == 1  # opens the embedded store in this process

    ingest = ("import sys; from pathlib import Path; from assistant.config import Settings; "
              "from assistant.embed import HashEmbedder; from assistant.pipeline import Assistant; "
              "a = Assistant(Settings.from_env({}, data_dir=Path(sys.argv[1]), llm='none'), embedder=HashEmbedder()); "
              "print(a.ingest([sys.argv[2]]).counts())")
    out = subprocess.run([sys.executable, "-c", ingest, str(tmp_path / "data"), str(strike)], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    assert "'added': 1" in out.stdout

    assert chat.retriever.retrieve(question, k=3)[0].title == "Ferry workers strike"  # through BM25
    assert len(chat.store.nearest(vector, 10)) == 1  # the chat's dense index: still the first article only
    nearest = ("import sys; from pathlib import Path; from assistant.config import Settings; "
               "from assistant.embed import HashEmbedder; from assistant.store import ChromaStore; "
               "s = ChromaStore(Settings.from_env({}, data_dir=Path(sys.argv[1]), llm='none')); "
               "print(len(s.nearest(HashEmbedder().embed_batch([sys.argv[2]])[0], 10)))")
    fresh = subprocess.run([sys.executable, "-c", nearest, str(tmp_path / "data"), question], cwd=ROOT,
                           capture_output=True, text=True, check=True)
    assert fresh.stdout.split()[-1] == "2"  # a process opened afterwards sees both
    chat.close()
