"""The no-LLM answer: the retrieved sentences that best cover the question, quoted and cited.

Also the fallback when the LLM is unavailable or fails, and the sentence selector that decides what
evidence an LLM gets to see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from typing import Sequence

from ..catalog import STOPWORDS
from ..embed import Embedder
from ..ingest.chunk import split_sentences
from ..types import Passage
from .cite import (ASKS_YEAR, DAY_OF_MONTH, IRREGULAR, YEAR, _stem, acronyms, asks_for_figure, asks_for_latest,
                   numbers, reports_an_end, spelled_out, words_to_numbers)

_QUESTION_WORDS = {"who", "what", "when", "where", "which", "why", "how", "many", "much", "did", "does", "do", "is",
                   "was", "were", "are", "has", "have", "had", "will", "would", "can", "could", "there", "and"}

CARRY = 0.3  # share of the previous sentence's score a sentence inherits
DENSE_CANDIDATES = 20
DENSE_WEIGHT = 1.0


@dataclass(frozen=True)
class ScoredSentence:
    passage_number: int  # 1-based index into the passages
    text: str
    coverage: float  # weighted share of the question's content words the sentence contains
    start: int


def question_terms(question: str) -> dict[str, float]:
    """Content words of a question with weights: names and figures count double."""
    terms: dict[str, float] = {}
    for m in re.finditer(r"[A-Za-z0-9][\w'\-]*", question):
        word = m.group(0).lower().strip("'-")
        if word in STOPWORDS or word in _QUESTION_WORDS or len(word) < 2:
            continue
        weight = 2.0 if (m.group(0)[0].isupper() and m.start() > 0) or word[0].isdigit() else 1.0
        terms[_stem(word)] = max(terms.get(_stem(word), 0.0), weight)
    return terms


def speaks_to(question: str, sentences: Sequence[str]) -> bool:
    """Whether the sentences share a word with what the question asks beyond its names and figures
    ("mayor" in "Who is the mayor of Dunmarrow?"), or the question has no such word. Sentences that
    match a question on its names alone are about the same people or places, not the fact asked for."""
    asked = [t for t, weight in question_terms(question).items() if weight < 2.0]
    words = {_stem(w) for w in re.findall(r"[a-z0-9]+", " ".join(sentences).lower())}
    return not asked or any(t in words for t in asked)


# Where the phrase saying what a "how many/how much" question counts ends, and its words that say nothing of it.
_PHRASE_END = {"in", "at", "on", "of", "to", "from", "by", "for", "with", "after", "before", "during", "between",
               "through", "into", "over", "under", "since", "per", "than", "as", "when", "while", "because", "if",
               "about", "across", "within", "according"}
_NOT_SAID = {"may", "might", "must", "shall", "still", "already", "reportedly", "currently", "yet", "ever", "total",
             "altogether", "roughly", "approximately", "exactly", "get", "got",  # besides STOPWORDS
             "people"}  # a report counts people without the word: "8,400 were evacuated"


def counted_words(question: str) -> list[str]:
    """What a "how many/how much" question counts and says of it, lower case: the words after "how many/much"
    up to the first preposition, names, auxiliaries and adverbs aside ("How many people were injured in the
    flood?" -> people, injured); [] for other questions. "How many of the homes destroyed ...?" counts homes: the
    first word of a "how many of the ..." ("how much of the 45 million velor fund" is a part of the fund: [])."""
    m = re.search(r"\bhow (?:many|much)\b(.*)", question, re.I)
    if not m:
        return []
    part = re.match(r"\s+of\s+(?:the|these|those|its|their|his|her)\s+(?:\d[\d,.]*\s+)?([a-z][\w'\-]*)", m.group(1))
    if part and m.group(0).lower().startswith("how many"):
        return [] if part.group(1) in _NOT_SAID or part.group(1) in STOPWORDS else [part.group(1)]
    words = []
    for token in re.finditer(r"[A-Za-z][\w'\-]*|[,;?]", m.group(1)):
        word = token.group(0)
        if word in ",;?" or word.lower() in _PHRASE_END:
            break
        if word[0].isupper() or word.lower() in _NOT_SAID or word.lower() in STOPWORDS:
            continue
        words.append(word.lower())
    return words


def states_what_is_counted(question: str, sentence: str) -> bool:
    """Whether ``sentence`` has every word of counted_words(question), a word counting as there when one of the
    sentence's starts with it (without its ending: "injur" in "injuries", "stay" in "stayed") or is an
    irregular past form of it ("rose" for "rise"). A sentence quoted as the answer to "How many people were
    injured in the flood?" must speak of people injured, not of "The number of people killed ..."."""
    said = re.findall(r"[a-z]+", sentence.lower())
    for word in counted_words(question):
        stem = _stem(word).rstrip("e") or word
        if not any(w.startswith(stem) or w in IRREGULAR.get(word, ()) for w in said):
            return False
    return True


def sentence_words(sentence: str, known: dict[str, tuple[str, ...]], wants_year: bool = False) -> frozenset[str]:
    """The stemmed words a sentence matches a question's terms with: its own, the name words behind the
    question's acronyms it uses ("NCPA": national, civil, protection, agency; cite.acronyms), and "year"
    for a year when the question asks for one ("completed in 1968" answers "In what year ...")."""
    words = _with_acronyms(sentence, _stems(sentence), known)
    return words | {"year"} if wants_year and YEAR.search(sentence) else words


def _stems(sentence: str) -> frozenset[str]:
    return frozenset(_stem(w) for w in re.findall(r"[a-z0-9]+", sentence.lower()))


def _with_acronyms(sentence: str, stems: frozenset[str], known: dict[str, tuple[str, ...]]) -> frozenset[str]:
    """A sentence's stemmed words plus the name words behind the ``known`` acronyms it uses."""
    return stems | {_stem(w) for w in spelled_out(sentence, known)} if known else stems


@lru_cache(maxsize=1 << 14)
def _sentence_stems(text: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """Each sentence of a text with its stemmed words: retrieval reranks the same chunks for every search
    of a question and across questions, and splitting and stemming them was much of its time."""
    return tuple((text[s:e], _stems(text[s:e])) for s, e in split_sentences(text))


def best_sentence_coverage(question: str, text: str, terms: dict[str, float] | None = None) -> float:
    """The weighted share of the question's content words found in the text's best single sentence."""
    terms = terms if terms is not None else question_terms(question)
    total = sum(terms.values())
    if not total:
        return 0.0
    known = acronyms(question)
    best = 0.0
    for sentence, stems in _sentence_stems(text):
        words = _with_acronyms(sentence, stems, known)
        best = max(best, sum(w for t, w in terms.items() if t in words))
    return best / total


def rerank_dense(question: str, scored: list[ScoredSentence], embedder: Embedder | None) -> list[ScoredSentence]:
    """The best DENSE_CANDIDATES sentences re-scored by word coverage plus DENSE_WEIGHT times their cosine
    similarity to the question (one embedder call: p50 90-140 ms per question on 2 cores, printed by
    evals/bench_evidence.py); the rest keep their order below.

    Measured with evals/bench_evidence.py: at the same evidence budget more gold answers reach the LLM.
    """
    if embedder is None or not scored:
        return scored
    head, tail = scored[:DENSE_CANDIDATES], scored[DENSE_CANDIDATES:]
    vectors = embedder.embed_batch([question] + [s.text for s in head])
    q = _unit(vectors[0])
    rescored = [replace(s, coverage=s.coverage + DENSE_WEIGHT * sum(a * b for a, b in zip(q, _unit(v))))
                for s, v in zip(head, vectors[1:])]
    rescored.sort(key=lambda x: -x.coverage)
    return rescored + tail


def _unit(vector: Sequence[float]) -> list[float]:
    norm = sum(x * x for x in vector) ** 0.5 or 1.0
    return [x / norm for x in vector]


def score_sentences(question: str, passages: Sequence[Passage], quoted: bool = False) -> list[ScoredSentence]:
    """Every sentence of the passages, scored by weighted coverage of the question, best first.

    A sentence also inherits part of the score of the sentence before it (CARRY): an answer often
    follows the sentence that matches the question's words ("... closed two riverside schools.
    Their 480 pupils will ...").

    ``quoted``: the sentences are for a quote, which names the passage's outlet ("Northgate Wire (March 5,
    2026) reported: ..."), so the outlet's words count as the sentence's ("... according to the Northgate Wire
    and the Coastline Courier?" was refused: no sentence names an outlet).
    """
    terms = question_terms(question)
    total = sum(terms.values()) or 1.0
    wants_number = asks_for_figure(question)
    wants_year = bool(ASKS_YEAR.search(question))
    known = acronyms(question)
    scored = []
    for number, p in enumerate(passages, start=1):
        context = sentence_words(p.title + " " + (p.heading or ""), known)
        outlet = sentence_words(p.source or "", known) if quoted else frozenset()
        previous = 0.0
        for s, e in split_sentences(p.text):
            sentence = p.text[s:e]
            words = sentence_words(sentence, known, wants_year) | outlet
            # Words in the title or heading count half: they frame the sentence without being in it.
            cover = sum(w for t, w in terms.items() if t in words) + 0.5 * sum(
                w for t, w in terms.items() if t in context and t not in words
            )
            own = cover / total
            coverage = max(own, CARRY * previous + (1 - CARRY) * own)
            previous = own
            if len(sentence) < 20:
                continue
            if (wants_number and not numbers(sentence)) or (wants_year and not YEAR.search(sentence)):
                coverage *= 0.7
            coverage *= 1.0 - 0.02 * (number - 1)  # a small preference for higher-ranked passages
            scored.append(ScoredSentence(number, sentence, coverage, s))
    scored.sort(key=lambda x: -x.coverage)
    return scored


def _figure_contexts(sentence: str) -> list[tuple[str, set[str]]]:
    """Each figure in the sentence with the content words within three words of it."""
    text = re.sub(r"\b\d{1,2}[:.]\d{2}\b", " ", words_to_numbers(sentence))  # clock times
    text = DAY_OF_MONTH.sub(" ", text)  # "March 4", "4 March": dates, not figures
    tokens = re.findall(r"[\w,.]+", text)
    out = []
    for i, token in enumerate(tokens):
        value = token.strip(",.").replace(",", "")
        if re.fullmatch(r"\d+(?:\.\d+)?", value) and not re.fullmatch(r"(19|20)\d\d", value):
            near = tokens[max(0, i - 3) : i] + tokens[i + 1 : i + 4]
            words = {_stem(w.lower().strip(",.")) for w in near}
            out.append((value, {w for w in words if w.isalpha() and w not in STOPWORDS and len(w) > 2}))
    return out


def figures_disagree(first: str, second: str) -> bool:
    """True when the two sentences give different figures for the same thing: different numbers
    whose neighbouring words overlap ("8,400 residents evacuated" vs "14,500 residents evacuated").
    Years are not figures, and numbers about unrelated things do not count."""
    for value_a, near_a in _figure_contexts(first):
        for value_b, near_b in _figure_contexts(second):
            if value_a != value_b and near_a & near_b:
                return True
    return False


def report_date(published_at: str | None) -> str:
    """A report's date as prose ("March 4, 2026"), as given when unparseable, "undated" when missing."""
    if not published_at:
        return "undated"
    try:
        return date.fromisoformat(published_at[:10]).strftime("%B %-d, %Y")
    except ValueError:
        return published_at


def extractive_answer(question: str, passages: Sequence[Passage], min_coverage: float = 0.5, max_sentences: int = 2) -> str:
    """Quoted best sentences with outlet, date and marker, or "" when nothing covers the question."""
    return quote_sentences(question, choose_sentences(question, passages, min_coverage, max_sentences), passages)


def choose_sentences(question: str, passages: Sequence[Passage], min_coverage: float = 0.5, max_sentences: int = 2,
                     asked_only: bool = False) -> list[ScoredSentence]:
    """The sentences an extractive answer quotes: the best one, and the next best from other articles that
    cover the question nearly as well; none when nothing covers it. ``asked_only``: only sentences that
    speak to what the question asks (speaks_to): "Saltreach Mariners won the Velorian Cup ... at Kestrel
    Park" matches "How big was the crowd at the Velorian Cup final at Kestrel Park?" on names alone; and, for a
    "how many/how much" question, that say what it counts (states_what_is_counted); for a question about how
    something ended, that report an end (reports_an_end: not "The inquiry held its first public hearing" for
    "What did the dam inquiry conclude ...?", f185)."""
    # A question in the text (often a heading such as "How many ... crossed into Syria?") is never its own answer.
    scored = [s for s in score_sentences(question, passages, quoted=True) if not s.text.rstrip().endswith("?")
              and (not asked_only or (speaks_to(question, [s.text]) and states_what_is_counted(question, s.text)
                                      and reports_an_end(question, s.text)))]
    if re.search(r"\bhow (many|much)\b", question, re.I):
        # A figure question is answered by a sentence with a figure whenever one covers the question well enough.
        with_figures = [s for s in scored if numbers(s.text)]
        if with_figures and with_figures[0].coverage >= min_coverage:
            scored = with_figures
    if not scored or scored[0].coverage < min_coverage:
        return []
    best = scored[0]
    chosen = [best]
    for s in scored[1:]:
        if len(chosen) >= max_sentences or s.coverage < 0.8 * best.coverage:
            break
        if passages[s.passage_number - 1].article_id != passages[best.passage_number - 1].article_id:
            chosen.append(s)
    return chosen


def quote_sentences(question: str, chosen: Sequence[ScoredSentence], passages: Sequence[Passage]) -> str:
    """The sentences quoted with outlet, date and marker (newest first for "latest" questions), after a
    line saying the reports differ when the first two give different figures; "" for none."""
    chosen = list(chosen)
    if asks_for_latest(question):
        chosen.sort(key=lambda s: passages[s.passage_number - 1].published_at or "", reverse=True)
    lines = []
    if len(chosen) > 1 and figures_disagree(chosen[0].text, chosen[1].text):
        lines.append(f"The reports give different figures [{chosen[0].passage_number}, {chosen[1].passage_number}].")
    for s in chosen:
        p = passages[s.passage_number - 1]
        outlet = p.source or "An undated source"
        lines.append(f"{outlet} ({report_date(p.published_at)}) reported: \u201c{s.text.strip()}\u201d [{s.passage_number}]")
    return " ".join(lines)
