"""Chunking: chunks tile the body exactly, fit the embedder's window (real tokenizer), respect
sentence boundaries, carry section headings, and overlap by whole sentences only."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.embed import SentenceTransformerEmbedder
from assistant.ingest.chunk import Chunker, rebuild_body, split_sentences
from assistant.ingest.load import ArticleLoader
from assistant.types import Article

ROOT = Path(__file__).resolve().parents[2]
FICTIONAL = sorted((ROOT / "evals" / "fictional" / "corpus").glob("*.md"))
BRIEF = ROOT / "corpus" / "iraqi-militias-enter-syria-brief.md"
HEADING = "How many Iraqi militia crossed into Syria?"
SENTENCE_END = ".!?\"'\u201d\u2019)]"


@pytest.fixture(scope="module")
def count_tokens():
    """The real MiniLM word-piece counter (loads only tokenizer.json: fast)."""
    return SentenceTransformerEmbedder().count_tokens


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    loader = ArticleLoader(max_bytes=5 * 1024 * 1024)
    out = [a for path in FICTIONAL for a in loader.load(path)]
    out += loader.load(BRIEF)
    return out


@pytest.fixture(scope="module")
def brief() -> Article:
    return ArticleLoader(max_bytes=5 * 1024 * 1024).load(BRIEF)[0]


def test_fixture_corpus_is_complete(articles):
    assert len(FICTIONAL) == 45
    assert len(articles) == 46


def _at_sentence_boundary(body: str, i: int) -> bool:
    """Whether position ``i`` starts a sentence or line (judged from the text, not the chunker)."""
    before = body[:i]
    if before and not before[-1].isspace():
        return False
    stripped = before.rstrip()
    return not stripped or "\n" in before[len(stripped):] or stripped[-1] in SENTENCE_END


@pytest.mark.parametrize("budget,overlap", [(200, 0), (64, 0), (200, 40), (64, 24)])
def test_chunks_rebuild_every_body_exactly(articles, count_tokens, budget, overlap):
    chunker = Chunker(count_tokens, budget, overlap)
    multi = 0
    for article in articles:
        chunks = chunker.chunk(article)
        assert chunks, article.path
        multi += len(chunks) > 1
        assert rebuild_body(chunks) == article.body, article.path
        assert [c.ordinal for c in chunks] == list(range(len(chunks)))
        assert chunks[0].start == 0 and chunks[-1].end == len(article.body)
        for c in chunks:
            assert c.text == article.body[c.start : c.end]
            assert c.id == f"{article.id}:{c.ordinal}" and c.article_id == article.id
        for prev, nxt in zip(chunks, chunks[1:]):
            if overlap == 0:
                assert nxt.start == prev.end, "without overlap chunks must be contiguous"
            else:
                assert prev.start < nxt.start <= prev.end, "a chunk must advance and leave no gap"
    # The test means something only if bodies are actually split.
    assert multi >= (40 if budget == 64 else 5)


@pytest.mark.parametrize("budget,overlap", [(200, 0), (64, 0), (48, 16)])
def test_no_chunk_exceeds_the_budget_in_real_word_pieces(articles, count_tokens, budget, overlap):
    chunker = Chunker(count_tokens, budget, overlap)
    for article in articles:
        for c in chunker.chunk(article):
            assert count_tokens(c.text) <= budget, (article.path, c.ordinal, count_tokens(c.text))


@pytest.mark.parametrize("budget", [200, 64, 40])
def test_chunks_are_cut_between_sentences_unless_one_sentence_exceeds_the_budget(articles, count_tokens, budget):
    chunker = Chunker(count_tokens, budget)
    cuts = inside = 0
    for article in articles:
        body = article.body
        # Sentences too long for the budget, found independently of the chunker.
        too_long = [(s, e) for s, e in split_sentences(body) if count_tokens(body[s:e]) > budget]
        for c in chunker.chunk(article)[1:]:
            cuts += 1
            if _at_sentence_boundary(body, c.start):
                continue
            inside += 1
            assert any(s < c.start < e for s, e in too_long), (article.path, body[c.start - 40 : c.start + 40])
            assert body[c.start - 1].isspace() and not body[c.start].isspace(), "cut inside a word"
    assert cuts > (20 if budget == 200 else 80)
    if budget == 200:
        assert inside == 0


def test_a_sentence_longer_than_the_budget_is_cut_at_word_boundaries(count_tokens):
    long_sentence = " ".join(f"committee{i} reviewed the reservoir outflow figures" for i in range(60)) + "."
    body = f"The inquiry opened on Monday. {long_sentence} It closed on Friday."
    article = Article(id="long", title="Long sentence", body=body)
    chunks = Chunker(count_tokens, 48).chunk(article)
    assert rebuild_body(chunks) == body
    assert len(chunks) > 5
    for c in chunks:
        assert count_tokens(c.text) <= 48
    inside = [c for c in chunks[1:] if not _at_sentence_boundary(body, c.start)]
    assert inside, "the over-long sentence had to be cut somewhere inside"
    for c in inside:
        assert body[c.start - 1] == " " and body[c.start] != " ", "cut inside a word"
    # The short sentences around it are never split.
    for short in ("The inquiry opened on Monday.", "It closed on Friday."):
        assert any(short in c.text for c in chunks), short


def test_heading_is_carried_into_every_chunk_of_its_section(brief, count_tokens):
    body = brief.body
    start = body.index(HEADING)
    next_heading = body.index("Civilian deaths in the airstrikes")
    for budget in (200, 48):
        chunks = Chunker(count_tokens, budget).chunk(brief)
        section = [c for c in chunks if start <= c.start < next_heading]
        assert section, budget
        assert section[0].start == start, "a heading starts a new chunk"
        assert all(c.heading == HEADING for c in section), [c.heading for c in section]
        answer = next(c for c in chunks if "approximately 200 Iraqi militiamen" in c.text)
        assert answer.heading == HEADING
        # Chunks before the heading do not carry it.
        assert all(c.heading != HEADING for c in chunks if c.end <= start)
        if budget == 48:
            assert len(section) >= 2, "the small budget should split the section"
        # The next section gets its own heading.
        after = [c for c in chunks if c.start >= next_heading and c.start < body.index("Iran's foreign minister in Damascus")]
        assert after and all(c.heading == "Civilian deaths in the airstrikes" for c in after)


@pytest.mark.parametrize("budget,overlap", [(64, 24), (120, 40)])
def test_overlap_repeats_whole_sentences_only(articles, count_tokens, budget, overlap):
    chunker = Chunker(count_tokens, budget, overlap)
    overlaps = 0
    for article in articles:
        body = article.body
        chunks = chunker.chunk(article)
        for prev, nxt in zip(chunks, chunks[1:]):
            if nxt.start >= prev.end:
                continue
            overlaps += 1
            shared = body[nxt.start : prev.end]
            assert _at_sentence_boundary(body, nxt.start), shared
            assert _at_sentence_boundary(body, prev.end) or prev.end == len(body), shared
            assert shared.rstrip()[-1] in SENTENCE_END, shared
            spans = split_sentences(shared.rstrip())
            assert spans and spans[0][0] == 0
            assert count_tokens(shared) <= overlap
    assert overlaps > 20, "overlap was configured but never used"


BRIEF_HEADINGS = [
    HEADING,
    "Civilian deaths in the airstrikes",
    "Iran's foreign minister in Damascus",
    "The mood in Damascus and Aleppo",
    "Wider risks",
]


@pytest.mark.parametrize("budget", [200, 64])
def test_each_section_of_the_brief_carries_its_own_heading(brief, count_tokens, budget):
    """The brief's headings are sentence-case lines set off by blank lines; each starts a chunk and
    labels the chunks below it, so a section's text is never embedded under the previous heading."""
    body = brief.body
    bounds = [body.index(h) for h in BRIEF_HEADINGS] + [len(body)]
    chunks = Chunker(count_tokens, budget).chunk(brief)
    for heading, start, end in zip(BRIEF_HEADINGS, bounds, bounds[1:]):
        section = [c for c in chunks if start <= c.start < end]
        assert section and section[0].start == start, heading
        assert {c.heading for c in section} == {heading}, (heading, [c.heading for c in section])


def test_wrapped_lines_and_sentences_without_full_stop_are_not_headings(count_tokens):
    body = "Rescuers reached Pellin on Tuesday\nand found the road cut.\n\nThe water fell overnight, officials said.\n\nMore rain is forecast"
    chunks = Chunker(count_tokens, 200).chunk(Article(id="x", title="t", body=body))
    assert [c.heading for c in chunks] == [None]


def test_a_line_break_ends_a_sentence_so_a_heading_is_not_glued_to_the_next_one():
    text = "The breach opened at 02:40.\n\nBottled water\n\nThe army delivered 90,000 litres. Mr. Thell said so.\n"
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "The breach opened at 02:40.", "Bottled water", "The army delivered 90,000 litres.", "Mr. Thell said so."]
    heading = text.index("Bottled water")
    assert split_sentences(text, 100)[1] == (100 + heading, 100 + heading + len("Bottled water"))  # spans shifted by the offset
