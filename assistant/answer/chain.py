"""The LLM answer as an LCEL chain (prompt | chat model | text), fed the sentences that matter.

Each passage [n] is sent as a header "[n] Outlet, Month D, YYYY — Title" and its few best sentences for
the question, within a small token budget, so the prompt stays short enough for a quick first token on
two CPU cores. Passage text is untrusted: it is flattened to one line per passage and anything that
could close the evidence block or imitate a marker is neutralised.
"""

from __future__ import annotations

import re
from typing import Any, Iterator, Sequence

from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate

from ..embed import Embedder
from ..types import Passage
from .cite import asks_for_latest, asks_to_identify, is_yes_no
from .extractive import report_date, rerank_dense, score_sentences
from .prompts import ANSWER_SYSTEM, ANSWER_USER, BRIDGE_HINT, CHECK_USER, LATEST_HINT, REWRITE_SYSTEM, REWRITE_USER, YES_NO_HINT

EVIDENCE_TOKENS = 350  # default budget for the evidence block, in rough tokens (4 characters each)
SENTENCES_PER_PASSAGE = 3
MIN_RELATIVE_COVERAGE = 0.3  # sentences scoring below this share of the best one are left out
REWRITE_MAX_TOKENS = 60
CHECK_MAX_TOKENS = 2
HISTORY_TURNS = 3
YES_NO_STARTS = ("Yes", "No")
YES_NO_BIAS = 0.45  # nats added to the model's log-odds of "Yes" over "No" (see yes_no_start)
TITLE_CHARS = 60  # longer titles are cut: every header is paid for out of the evidence budget

ANSWER_PROMPT = ChatPromptTemplate.from_messages([("system", ANSWER_SYSTEM), ("human", ANSWER_USER)])
CHECK_PROMPT = ChatPromptTemplate.from_messages([("system", ANSWER_SYSTEM), ("human", CHECK_USER)])
REWRITE_PROMPT = ChatPromptTemplate.from_messages([("system", REWRITE_SYSTEM), ("human", REWRITE_USER)])

_BLOCK_TAG = re.compile(r"</?\s*passages\s*>", re.I)
_MARKER_LIKE = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")


def _tokens(text: str) -> int:
    return len(text) // 4 + 1


def _clean(text: str) -> str:
    """Untrusted text as one line that can neither close the evidence block nor pose as a marker."""
    text = _BLOCK_TAG.sub(" ", text)
    text = _MARKER_LIKE.sub(r"(\1)", text)
    return re.sub(r"\s+", " ", text).strip()


def passage_header(number: int, passage: Passage) -> str:
    """``[n] Outlet, Month D, YYYY — Title`` (a long title cut at a word boundary)."""
    outlet = _clean(passage.source or "Unknown outlet")
    title = _clean(passage.title or "Untitled")
    if len(title) > TITLE_CHARS:
        title = title[:TITLE_CHARS].rsplit(" ", 1)[0].rstrip(",;:—-") + "…"
    return f"[{number}] {outlet}, {report_date(passage.published_at)} — {title}"


def _same_report_header(number: int, first: int) -> str:
    return f"[{number}] Same report as [{first}]"


def select_evidence(question: str, passages: Sequence[Passage], budget: int = EVIDENCE_TOKENS,
                    embedder: Embedder | None = None) -> dict[int, list[str]]:
    """Passage number -> its best sentences for the question (in text order), within ``budget`` tokens.

    The first passage used from an article pays for a full header; another passage of the same article
    only for a short "same report as" header (see format_evidence)."""
    scored = rerank_dense(question, score_sentences(question, passages), embedder)
    if not scored:
        return {}
    if asks_for_latest(question):
        scored = _favour_recent(scored, passages)
    floor = scored[0].coverage * MIN_RELATIVE_COVERAGE
    chosen: dict[int, list[tuple[int, str]]] = {}
    first_of: dict[str, int] = {}  # article id -> the first of its passages chosen
    used = 0
    for s in scored:
        if chosen and s.coverage < floor:
            break
        if s.text.rstrip().endswith("?"):
            continue  # a heading phrased as a question echoes the question and answers nothing
        picked = chosen.get(s.passage_number, [])
        if len(picked) >= SENTENCES_PER_PASSAGE:
            continue
        text = _clean(s.text)
        passage = passages[s.passage_number - 1]
        if picked:
            header = 0
        elif passage.article_id in first_of:
            header = _tokens(_same_report_header(s.passage_number, first_of[passage.article_id]))
        else:
            header = _tokens(passage_header(s.passage_number, passage))
        cost = _tokens(text) + header
        if chosen and used + cost > budget:
            continue  # a shorter sentence further down may still fit
        chosen.setdefault(s.passage_number, []).append((s.start, text))
        first_of.setdefault(passage.article_id, s.passage_number)
        used += cost
    return {n: [t for _, t in sorted(chosen[n])] for n in sorted(chosen)}


def _favour_recent(scored: list, passages: Sequence[Passage]) -> list:
    """For "latest" questions, newer reports outrank older ones that match the words equally well
    (a toll of 19 on March 5 must not crowd out 26 on March 13)."""
    days = sorted({p.published_at[:10] for p in passages if p.published_at})
    if len(days) < 2:
        return scored
    recency = {d: i / (len(days) - 1) for i, d in enumerate(days)}

    def boosted(s):
        p = passages[s.passage_number - 1]
        return s.coverage * (1.0 + 0.5 * recency.get((p.published_at or "")[:10], 0.0))

    return sorted(scored, key=lambda s: -boosted(s))


def format_evidence(question: str, passages: Sequence[Passage], budget: int = EVIDENCE_TOKENS,
                    embedder: Embedder | None = None) -> str:
    """The evidence block: one header line per passage used, then its selected sentences on one line.
    A second passage from an article already shown gets a short header pointing at the first."""
    blocks = []
    first_of: dict[str, int] = {}
    for number, sentences in select_evidence(question, passages, budget, embedder).items():
        passage = passages[number - 1]
        if passage.article_id in first_of:
            header = _same_report_header(number, first_of[passage.article_id])
        else:
            first_of.setdefault(passage.article_id, number)
            header = passage_header(number, passage)
        blocks.append(header + "\n" + " ".join(sentences))
    return "\n\n".join(blocks)


def hints(question: str) -> str:
    """The extra instructions this question needs (yes/no, identify-by-several-facts, latest), empty for most."""
    if is_yes_no(question):
        out = YES_NO_HINT
    elif asks_to_identify(question):
        out = BRIDGE_HINT
    else:
        out = ""
    return out + (LATEST_HINT if asks_for_latest(question) else "")


def answer_chain(chat_model: Any):
    return ANSWER_PROMPT | chat_model | StrOutputParser()


def stream_answer(chat_model: Any, question: str, passages: Sequence[Passage], budget: int = EVIDENCE_TOKENS,
                  embedder: Embedder | None = None) -> Iterator[str]:
    """Pieces of the model's answer, citing passages as [n] with n counted from 1 in ``passages``.

    A yes/no question's answer is made to start with Yes or No when the model supports it (the local
    one), which lifted MultiHop-RAG temporal questions from 0.34 to 0.64 (evals/results/multihop-llm-vs-session3.md);
    which of the two is chosen by yes_no_start."""
    inputs = answer_inputs(question, passages, budget, embedder)
    if is_yes_no(question) and getattr(chat_model, "can_force_start", False):
        chat_model = chat_model.bind(starts=yes_no_start(chat_model, inputs))
    for piece in answer_chain(chat_model).stream(inputs):
        if piece:
            yield piece


def yes_no_start(chat_model: Any, inputs: dict[str, str]) -> tuple[str, ...]:
    """The word a yes/no answer must start with: "Yes" when the model's log-odds of starting with Yes
    rather than No, plus YES_NO_BIAS, are above zero, else "No"; both words (the model's greedy pick) for a
    model that cannot tell its log-odds.

    Left to itself the 1.5B model starts with "No" far more often than the articles warrant (on 90
    MultiHop-RAG development questions outside the evaluation sample, 45 with the gold answer yes and 45
    no, it said "No" to 37 of the 45 yes ones); evals/bench_yes_no.py prints the log-odds and the
    balanced accuracy by bias from which YES_NO_BIAS was chosen."""
    odds = yes_no_logodds(chat_model, inputs)
    if odds is None:
        return YES_NO_STARTS
    yes, no = YES_NO_STARTS
    return (yes,) if starts_yes(odds) else (no,)


def yes_no_logodds(chat_model: Any, inputs: dict[str, str]) -> float | None:
    """The model's log-odds of starting the answer to ``inputs`` (answer_inputs) with Yes rather than No,
    or None for a model that cannot tell them."""
    logodds = getattr(chat_model, "start_logodds", None)
    return None if logodds is None else logodds(ANSWER_PROMPT.format_messages(**inputs), YES_NO_STARTS)


def starts_yes(logodds: float, bias: float = YES_NO_BIAS) -> bool:
    """The yes/no rule: Yes when the log-odds plus the bias are above zero."""
    return logodds + bias > 0


def answer_inputs(question: str, passages: Sequence[Passage], budget: int = EVIDENCE_TOKENS,
                  embedder: Embedder | None = None) -> dict[str, str]:
    return {"evidence": format_evidence(question, passages, budget, embedder), "question": _clean(question), "hints": hints(question)}


def model_confirms(chat_model: Any, question: str, support: Sequence[str]) -> bool:
    """Ask the model whether ``support`` (the passage sentences a checked answer relies on) answers
    ``question``; False only on a clear "No" (anything else keeps the answer)."""
    reply = chat_model.bind(max_tokens=CHECK_MAX_TOKENS).invoke(_check_prompt(question, support))
    return not re.match(r"\W*no\b", str(reply.content), re.I)


def check_logodds(chat_model: Any, question: str, support: Sequence[str]) -> float:
    """The model's log-odds of replying "Yes" rather than "No" to the check model_confirms makes
    (for a model with ``start_logodds``, the local one)."""
    return chat_model.start_logodds(_check_prompt(question, support), YES_NO_STARTS)


def _check_prompt(question: str, support: Sequence[str]) -> list:
    return CHECK_PROMPT.format_messages(support=_clean(" ".join(support)), question=_clean(question))


def _format_history(history: Sequence[tuple[str, str]]) -> str:
    lines = []
    for q, a in list(history)[-HISTORY_TURNS:]:
        answer = _MARKER_LIKE.sub("", a)
        answer = answer if len(answer) <= 300 else answer[:300].rsplit(" ", 1)[0] + " ..."
        lines.append(f"Q: {_clean(q)}\nA: {_clean(answer)}")
    return "\n".join(lines)


_PREFIX = re.compile(r"^(?:standalone question|rewritten question|question)\s*:\s*", re.I)


def clean_rewrite(output: str) -> str:
    """The first line of the model's output as a question, or "" when it is not a usable question."""
    line = next((ln.strip() for ln in output.splitlines() if ln.strip()), "")
    line = _PREFIX.sub("", line).strip().strip("\"'\u201c\u201d`").strip()
    if not 5 <= len(line) <= 300 or not re.search(r"[A-Za-z]{2}", line) or _MARKER_LIKE.search(line):
        return ""
    if "<" in line or line.lower().startswith(("the articles do not say", "i ", "sorry")):
        return ""
    return line


def rewrite_with_llm(chat_model: Any, question: str, history: Sequence[tuple[str, str]]) -> str:
    """A standalone version of a follow-up ``question`` given earlier turns, or "" on unusable output."""
    chain = REWRITE_PROMPT | chat_model.bind(max_tokens=REWRITE_MAX_TOKENS) | StrOutputParser()
    output = chain.invoke({"history": _format_history(history), "question": _clean(question)})
    return clean_rewrite(output)
