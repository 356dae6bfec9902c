"""Assistant(settings).ask(question, history) -> Answer: the one pipeline behind the UI, the CLI and the evals.

question (+ history) -> rewrite -> retrieve -> [Passage] -> answer (LLM or extractive) -> check citations
-> (LLM answers) ask the model whether the cited sentences answer the question -> Answer.
``stream`` yields the evidence first, then answer tokens, then the checked Answer.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, replace
from typing import Any, Iterator, Sequence

from .answer.cite import (figure_of_another, figure_off_question, is_choice, is_composite,
                          is_single_fact, is_yes_no, missing_answer_kind, name_off_question, only_pending, stated_apart,
                          unmentioned, unstated_figures, verify)
from .answer.extractive import choose_sentences, extractive_answer, quote_sentences, score_sentences
from .answer.rewrite import asked_part, rewrite_question
from .catalog import Catalog
from .config import Settings
from .embed import Embedder, SentenceTransformerEmbedder
from .errors import AssistantError
from .ingest.index import IngestReport, Indexer, Progress
from .retrieval import Filters, HybridRetriever, plan_query
from .store import ChromaStore
from .types import Answer, Citation, Passage, SentenceCheck

log = logging.getLogger(__name__)

REFUSAL_TEXT = "The articles do not say."
MODES = ("llm", "extractive")
_THAN = re.compile(r"\bthan\b", re.I)
YES_NO_SUPPORT = 2  # sentences of the cited passages the model reads when asked whether they settle a yes/no question


@dataclass(frozen=True)
class Evidence:
    """Stream event: the retrieved passages, before any answer text."""

    passages: tuple[Passage, ...]
    standalone_question: str


@dataclass(frozen=True)
class Token:
    """Stream event: a piece of answer text as the model writes it."""

    text: str


@dataclass(frozen=True)
class Final:
    """Stream event: the finished, checked answer."""

    answer: Answer


class Assistant:
    """Wires the stages together; heavy parts (embedder, LLM, Chroma) are created lazily."""

    def __init__(self, settings: Settings, *, embedder: Embedder | None = None, chat_model: Any = None,
                 store: ChromaStore | None = None):
        self.settings = settings
        self.embedder = embedder or SentenceTransformerEmbedder.from_settings(settings)
        self.store = store or ChromaStore(settings)
        self.catalog = Catalog(settings.catalog_path)
        self.indexer = Indexer(settings, self.embedder, self.store, self.catalog)
        self.retriever = HybridRetriever(self.embedder, self.store, self.catalog)
        self._chat_model = chat_model
        self._chat_lock = threading.Lock()
        self._llm_failed: str | None = None

    # Articles.
    def ingest(self, paths: Sequence[str], progress: Progress | None = None) -> IngestReport:
        report = self.indexer.ingest(paths, progress)
        self.retriever.invalidate()
        return report

    def remove(self, ref: str) -> list[str]:
        """Remove an article (by id or id prefix) or every article of a file (by path); returns removed ids."""
        from pathlib import Path

        key = str(Path(ref).expanduser().resolve())
        if key in self.catalog.files():
            removed = self.indexer.remove_file(key)
        else:
            matches = self.catalog.find_articles(ref) if len(ref) >= 4 else []
            if len(matches) != 1:
                raise AssistantError(
                    f"no article or ingested file matches {ref!r}" if not matches
                    else f"{ref!r} matches {len(matches)} articles; give more of the id"
                )
            self.indexer.remove_article(matches[0])
            removed = matches
        self.retriever.invalidate()
        return removed

    # Questions.
    @property
    def chat_model(self):
        """The configured LLM (LangChain chat model), or None for BRIEFING_LLM=none."""
        if self._chat_model is None and self.settings.llm != "none" and self._llm_failed is None:
            from .llm import build_chat_model

            try:
                self._chat_model = build_chat_model(self.settings)
            except AssistantError as exc:
                self._llm_failed = str(exc)
                log.warning("LLM unavailable, answering extractively: %s", exc)
        return self._chat_model

    def default_mode(self) -> str:
        return "extractive" if self.settings.llm == "none" else "llm"

    def retrieve(self, question: str, k: int | None = None, filters: Filters | None = None,
                 reference_date: str | None = None) -> list[Passage]:
        return self.retriever.retrieve(question, k or self.settings.top_k, filters, reference_date)

    def ask(self, question: str, history: Sequence[tuple[str, str]] = (), **kwargs: Any) -> Answer:
        answer = None
        for event in self.stream(question, history, **kwargs):
            if isinstance(event, Final):
                answer = event.answer
        assert answer is not None
        return answer

    def stream(self, question: str, history: Sequence[tuple[str, str]] = (), *, mode: str | None = None,
               k: int | None = None, filters: Filters | None = None, reference_date: str | None = None,
               answer_k: int | None = None) -> Iterator[Evidence | Token | Final]:
        """Evidence first, then answer tokens, then the checked Answer.

        ``k`` passages are retrieved (and returned, for evaluation); the answer is written from the best
        ``answer_k`` of them (default: the configured top_k).
        """
        question = question.strip()
        if not question:
            raise AssistantError("the question is empty")
        mode = mode or self.default_mode()
        if mode not in MODES:
            raise AssistantError(f"answer mode must be one of {', '.join(MODES)}, not {mode!r}")
        started = time.perf_counter()
        timings: dict[str, float] = {}
        standalone = rewrite_question(question, history, self.chat_model if mode == "llm" else None)
        timings["rewrite"] = time.perf_counter() - started
        k = k or self.settings.top_k
        passages = self.retrieve(standalone, k, filters, reference_date)
        timings["retrieval"] = time.perf_counter() - started - timings["rewrite"]
        yield Evidence(tuple(passages), standalone)
        context = passages[: answer_k or self.settings.top_k]

        draft = ""
        used_mode = mode
        if mode == "llm" and self.chat_model is not None and context:
            from .answer.chain import stream_answer

            try:
                with self._chat_lock:  # one in-process model: one generation at a time
                    for piece in stream_answer(self.chat_model, standalone, context, self.settings.evidence_tokens,
                                               self.embedder):
                        if "first_token" not in timings:
                            timings["first_token"] = time.perf_counter() - started
                        draft += piece
                        yield Token(piece)
            except Exception as exc:  # a failing model must not fail the question: fall back
                log.warning("LLM failed (%s); answering extractively", exc)
                draft, used_mode = "", "extractive"
        else:
            used_mode = "extractive"
        if used_mode == "extractive":
            draft = extractive_answer(standalone, context)
            if draft:
                timings["first_token"] = time.perf_counter() - started
                yield Token(draft)

        text, citations, checks, refused, off_target = self._checked(draft, context, standalone, used_mode, timings)
        declined = refused and bool(checks) and all(c.supported for c in checks)  # "The articles do not say."
        if (off_target or declined) and used_mode == "llm" and self._worth_checking(standalone):
            # The model's sentences hold but do not answer, or it found no answer: it may have read the wrong
            # sentence of the evidence, or overlooked the right one. Offer the sentences that best match the
            # question among those that match more than its names (speaks_to: the sentence itself, not its
            # passage, which matched the crowd's size to a sentence about the score, f061 in session 11), each
            # put through the same checks on its own (the model's among them: only for single facts, not
            # yes/no or composite questions). Asked about two quoted sentences at once, the model passed pairs
            # of which neither answers (f173, f198 in evals/results/fictional-llm, session 9).
            kept, set_aside = [], []
            for sentence in choose_sentences(standalone, context, asked_only=True):
                _, quoted_citations, quoted_checks, quote_refused, _ = self._checked(
                    quote_sentences(standalone, [sentence], context), context, standalone, used_mode, timings)
                if not quote_refused:
                    kept.append(sentence)
                else:
                    set_aside += [c for c in quoted_checks if not c.supported]
            if kept:
                quoted, quoted_citations, quoted_checks, quote_refused = verify(
                    quote_sentences(standalone, kept, context), context, standalone)
                if not quote_refused:
                    # The model's sentences and the quotes set aside stay in the record, marked with why.
                    text, citations, refused = quoted, quoted_citations, False
                    checks = checks + tuple(set_aside) + quoted_checks
                    used_mode = "extractive"
        if refused:
            text = REFUSAL_TEXT
        timings["total"] = time.perf_counter() - started
        yield Final(Answer(
            question=question, text=text, citations=citations, sentences=checks, passages=tuple(passages),
            refused=refused, mode=used_mode, standalone_question=standalone, timings=timings,
        ))

    def _checked(self, draft: str, context: Sequence[Passage], question: str, mode: str, timings: dict[str, float]
                 ) -> tuple[str, tuple[Citation, ...], tuple[SentenceCheck, ...], bool, bool]:
        """The draft after the citation check and the answer checks: (text, citations, sentence checks,
        refused, off target). Off target: every claim is supported, but the answer gives no name or figure
        where one is asked for (no person's name where a person is: missing_answer_kind), no cited report
        states a figure the question describes its subject by (unstated_figures), its cited text does not
        mention what the question names, no one cited
        report states its name or figure together with what the question names (stated_apart), a figure
        it gives counts something else in the cited passage (figure_of_another) or, stated there, speaks of
        nothing the question asks about (figure_off_question), no cited sentence naming the person it gives
        speaks of what a "who" question asks (name_off_question), a question about how something ended is
        answered only from sentences about the process under way (only_pending), or the model,
        asked separately, finds that the cited sentences do not answer the question (for a plain yes/no
        question, is_plain_yes_no: that the cited passages' sentences best matching it do not settle it)."""
        text, citations, checks, refused = verify(draft, context, question)
        if refused:
            return text, citations, checks, True, False
        standalone, question = question, asked_part(question)  # the model's check reads the whole standalone one
        missing = missing_answer_kind(question, text, [c.passage.source or "" for c in citations],
                                      "\n".join(c.passage.text for c in citations))
        if missing:
            # Supported but beside the point: say the articles do not say, rather than pass it off as an answer.
            return text, (), _rejected(checks, f"it gives no {missing}"), True, True
        if is_yes_no(question) or is_choice(question):
            # Not for yes/no questions: a bare "Yes [1]." has no supporting sentence, and checking whole cited
            # passages instead refused many right MultiHop answers, whose questions name several reports.
            # Nor for choices, which name figures to compare ("more than 40 percent").
            return self._model_checked(text, citations, checks, standalone, mode, timings)
        reports = {c.passage.article_id: article.body for c in citations
                   if (article := self.catalog.article(c.passage.article_id)) is not None}
        unstated = unstated_figures(question, citations, reports)
        if unstated:
            return text, (), _rejected(checks, unstated), True, True
        if is_single_fact(question):
            absent = unmentioned(question, citations)
            if absent:
                return text, (), _rejected(checks, f"the cited sentences do not mention {', '.join(absent)}"), True, True
            apart = (stated_apart(question, text, citations, reports) or figure_of_another(text, citations)
                     or figure_off_question(question, text, citations) or name_off_question(question, text, citations)
                     or only_pending(question, citations))
            if apart:
                return text, (), _rejected(checks, apart), True, True
        return self._model_checked(text, citations, checks, standalone, mode, timings)

    def _model_checked(self, text: str, citations: tuple[Citation, ...], checks: tuple[SentenceCheck, ...],
                       question: str, mode: str, timings: dict[str, float]
                       ) -> tuple[str, tuple[Citation, ...], tuple[SentenceCheck, ...], bool, bool]:
        """_checked's last step: the answer as it stands, unless the model, asked separately, finds that
        what it cites does not answer the question (LLM answers only)."""
        check = self._model_check(question, citations) if mode == "llm" else None
        if check:
            support, reason = check
            checked = time.perf_counter()
            confirmed = self._model_confirms(question, support)
            timings["check"] = timings.get("check", 0.0) + time.perf_counter() - checked
            if not confirmed:
                return text, (), _rejected(checks, f"asked separately, the model found that {reason}"), True, True
        return text, citations, checks, False, False

    def _worth_checking(self, question: str) -> bool:
        """Whether to ask the model if the cited sentences state the answer. Not for yes/no questions (a
        "no" is not stated anywhere), nor for comparisons, choices and bridge questions, whose answers
        are worked out from several facts: no single cited sentence states them, and the model's check
        rejected many correct answers of those kinds."""
        return self.settings.answer_check and is_single_fact(question)

    def _model_check(self, question: str, citations: Sequence[Citation]) -> tuple[list[str], str] | None:
        """What to ask the model about an answer, as (the sentences it reads, what a "No" means), or None.
        A single fact: the sentences the answer cites. A plain yes/no question (is_plain_yes_no): a bare
        "No [1]." cites no sentence, so the cited passages' sentences that best match the question, and
        whether they settle it at all."""
        if self._worth_checking(question):
            return [s for c in citations for s in c.sentences], "the cited sentences do not say"
        if self.settings.answer_check and is_plain_yes_no(question, self.retriever.outlets()):
            best = score_sentences(question, [c.passage for c in citations])[:YES_NO_SUPPORT]
            return [s.text for s in best], "the cited passages do not settle the question"
        return None

    def _model_confirms(self, question: str, support: Sequence[str]) -> bool:
        from .answer.chain import model_confirms

        try:
            with self._chat_lock:
                return model_confirms(self.chat_model, question, support)
        except Exception as exc:  # the check is a second opinion: without it the checked answer stands
            log.warning("answer check failed (%s); keeping the answer", exc)
            return True

    def close(self) -> None:
        self.catalog.close()


def is_plain_yes_no(question: str, outlets: Sequence[str]) -> bool:
    """A yes/no question about a single fact ("Did Dario Menk resign?"), which the model, asked about
    something the articles never mention, answered with a confident "No"
    (evals/fictional/questions-unanswerable-yes-no.jsonl). Not a comparison (nor any "than": "Was the lake
    fuller then than on March 2?"), nor a question naming one of ``outlets``: those compare what reports
    say, which no single sentence settles (every yes/no question of MultiHop-RAG's development half names
    an outlet: evals/count_reach.py)."""
    return (is_yes_no(question) and not is_composite(question) and not _THAN.search(question)
            and not plan_query(question, outlets).sources)


def _rejected(checks: Sequence[SentenceCheck], why: str) -> tuple[SentenceCheck, ...]:
    """The checks with every supported sentence marked as not answering the question, saying ``why``."""
    return tuple(replace(c, supported=False, reason=f"does not answer the question: {why}") if c.supported else c
                 for c in checks)
