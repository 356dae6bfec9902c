"""Pure metric functions for one question (answer, retrieval, citations, refusal) and their aggregation.

Answer metrics and retrieval metrics are kept apart: retrieval is scored on ``Answer.passages``
(everything retrieved, best first), answer quality on ``Answer.text`` and ``Answer.refused``.
Every function here is deterministic and touches no files.
"""

from __future__ import annotations

import math
import re
import string
import unicodedata
from collections import Counter, defaultdict
from typing import Any, Iterable, Mapping, Sequence

from ..types import Answer

YES_NO = ("yes", "no")
LATENCY_KEYS = ("retrieval", "first_token", "total")

_ASCII_PUNCTUATION = frozenset(string.punctuation)
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_WHITESPACE = re.compile(r"\s+")


# --- answer text -----------------------------------------------------------------------------


def normalize_answer(s: str) -> str:
    """SQuAD-style normalization: lowercase, drop punctuation, drop the articles a/an/the,
    collapse whitespace. Punctuation is SQuAD's ASCII set (string.punctuation, which includes $ and +)
    plus any Unicode punctuation (curly quotes, dashes and the like news text uses), removed without
    leaving a space, so "Bankman-Fried" and "Bankman‑Fried" both become "bankmanfried"."""
    s = s.lower()
    s = "".join(ch for ch in s if ch not in _ASCII_PUNCTUATION and not unicodedata.category(ch).startswith("P"))
    s = _ARTICLES.sub(" ", s)
    return " ".join(s.split())


def _first_yes_no(normalized: str) -> str | None:
    for word in normalized.split():
        if word in YES_NO:
            return word
    return None


def strict_correct(answer_text: str, golds: Iterable[str]) -> bool:
    """Strict correctness, true if any gold matches.

    - A yes/no gold ("Yes", "no") matches when the first "yes" or "no" word of the answer is the same
      word ("Yes, both reported ..." matches "yes"; "No, ... yes ..." does not).
    - Any other gold matches when its normalized form appears in the normalized answer on word
      boundaries, so gold "20" is not found in "200" and "Google" is found in "It was Google.".
    A gold that normalizes to nothing never matches.
    """
    answer = normalize_answer(answer_text)
    for gold in golds:
        g = normalize_answer(gold)
        if not g:
            continue
        if g in YES_NO:
            if _first_yes_no(answer) == g:
                return True
        elif f" {g} " in f" {answer} ":
            return True
    return False


def exact_match(answer: str, golds: Iterable[str]) -> float:
    """SQuAD exact match: 1.0 when the normalized answer equals any normalized gold, else 0.0."""
    a = normalize_answer(answer)
    return float(any(a == normalize_answer(g) for g in golds))


def _f1(prediction: str, gold: str) -> float:
    pred_tokens = normalize_answer(prediction).split()
    gold_tokens = normalize_answer(gold).split()
    if not pred_tokens or not gold_tokens:
        # SQuAD v2 convention: two empty answers agree, one empty answer scores zero.
        return float(pred_tokens == gold_tokens)
    common = Counter(pred_tokens) & Counter(gold_tokens)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision = same / len(pred_tokens)
    recall = same / len(gold_tokens)
    return 2 * precision * recall / (precision + recall)


def token_f1(answer: str, golds: Iterable[str]) -> float:
    """SQuAD token F1: harmonic mean of token precision and recall between the normalized answer
    and a normalized gold (tokens counted with multiplicity), maximum over the golds; 0.0 if no gold."""
    return max((_f1(answer, g) for g in golds), default=0.0)


def lenient_any_word(answer: str, gold: str) -> bool:
    """LENIENT rule, the one in MultiHop-RAG's published qa_evaluate.py: the answer counts as correct
    when it shares ANY whitespace-separated, lowercased word with the gold answer. Far more lenient
    than :func:`strict_correct`; report it only beside the strict figure, labelled as such."""
    return bool(set(answer.lower().split()) & set(gold.lower().split()))


# --- refusal ----------------------------------------------------------------------------------


def is_refusal(answer: Answer) -> bool:
    """An answer is a refusal when the pipeline marked it refused (not by matching its wording)."""
    return bool(answer.refused)


def refusal_scores(rows: Iterable[Mapping[str, Any]]) -> dict[str, float | None]:
    """Refusal as a detector of unanswerable questions. Positives are rows with ``answerable`` false;
    predicted positives are rows with ``refused`` true. Precision = refused-and-unanswerable / refused,
    recall = refused-and-unanswerable / unanswerable, F1 their harmonic mean; a ratio with a zero
    denominator is None (undefined), not 0."""
    tp = fp = fn = 0
    for row in rows:
        positive = not row["answerable"]
        predicted = bool(row["refused"])
        tp += positive and predicted
        fp += predicted and not positive
        fn += positive and not predicted
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    if precision is None or recall is None:
        f1 = None
    elif precision + recall == 0:
        f1 = 0.0
    else:
        f1 = 2 * precision * recall / (precision + recall)
    return {"precision": precision, "recall": recall, "f1": f1}


# --- retrieval --------------------------------------------------------------------------------


def squash_whitespace(text: str) -> str:
    """The text with ALL whitespace removed: the form MultiHop-RAG compares evidence in."""
    return _WHITESPACE.sub("", text)


def _gold_forms(evidence: Iterable[str]) -> list[str]:
    """Distinct, non-empty squashed evidence sentences, in order (an empty one would match anything)."""
    seen: dict[str, None] = {}
    for sentence in evidence:
        s = squash_whitespace(sentence)
        if s:
            seen.setdefault(s, None)
    return list(seen)


def evidence_hits(passage_text: str, evidence: Iterable[str]) -> set[int]:
    """Indices (into the distinct non-empty evidence, see :func:`retrieval_scores`) of the gold
    sentences this passage contains, whitespace-insensitively (MultiHop-RAG's rule)."""
    squashed = squash_whitespace(passage_text)
    return {i for i, g in enumerate(_gold_forms(evidence)) if g in squashed}


def retrieval_scores(passage_texts: Sequence[str], evidence: Sequence[str], k: int) -> dict[str, float] | None:
    """Retrieval metrics at cut-off k over passages ranked best first, by MultiHop-RAG's hit rule:
    a passage hits a gold evidence sentence when the sentence with all whitespace removed is
    contained in the passage text with all whitespace removed.

    - ``hits@k``: 1.0 if any of the top k passages hits any evidence sentence, else 0.0.
    - ``mrr@k``: 1/rank of the first passage in the top k that hits any evidence, else 0.0.
    - ``map@k``: average precision over the top k, divided by min(k, number of evidence sentences).
      A passage is relevant when it hits an evidence sentence that no higher-ranked passage hit
      (a second chunk repeating an already found sentence is not counted again, which keeps the value
      within [0, 1]); each relevant rank r contributes (relevant passages in ranks 1..r) / r.
      So a passage holding two gold sentences counts once and, when gold sentences share a chunk, even
      perfect retrieval scores below 1; evidence_recall@k shows coverage. MultiHop-RAG's script instead
      adds (newly found sentences at r) / r, so its MAP@10 is not comparable with this one.
    - ``evidence_recall@k``: share of the distinct gold evidence sentences found in the top k;
      a multi-hop answer needs all of them.
    Returns None when there is no (non-empty) evidence: the question cannot be scored. Duplicate
    evidence sentences count once.
    """
    gold = _gold_forms(evidence)
    if not gold:
        return None
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    found: set[int] = set()
    first_rank = None
    relevant = 0
    precision_sum = 0.0
    for rank, text in enumerate(passage_texts[:k], start=1):
        squashed = squash_whitespace(text)
        hit = {i for i, g in enumerate(gold) if g in squashed}
        if hit and first_rank is None:
            first_rank = rank
        if hit - found:
            relevant += 1
            precision_sum += relevant / rank
        found |= hit
    return {
        f"hits@{k}": 1.0 if found else 0.0,
        f"mrr@{k}": 1.0 / first_rank if first_rank else 0.0,
        f"map@{k}": precision_sum / min(k, len(gold)),
        f"evidence_recall@{k}": len(found) / len(gold),
    }


def article_recall(
    retrieved_article_ids: Sequence[str | Iterable[str]], gold_article_refs: Sequence[str], k: int
) -> float | None:
    """Share of the distinct gold article refs matched by at least one of the top k retrieved passages.

    Each retrieved entry is an article id, or a collection of the names the article answers to
    (id, url, file name; see ``questions.article_aliases``). A ref's "#N" record suffix is ignored.
    None when there are no gold refs."""
    from .questions import strip_record_suffix

    gold = {strip_record_suffix(r) for r in gold_article_refs if r}
    if not gold:
        return None
    found: set[str] = set()
    for entry in retrieved_article_ids[:k]:
        names = {entry} if isinstance(entry, str) else set(entry)
        found |= gold & {strip_record_suffix(n) for n in names if n}
    return len(found) / len(gold)


# --- citations --------------------------------------------------------------------------------


def citation_scores(answer: Answer, evidence: Sequence[str]) -> dict[str, float | None]:
    """Citation quality of one answer.

    - ``citation_precision``: share of the answer's sentences (``answer.sentences``) that the citation
      check judged supported by their citations; None when the answer has no checked sentences
      (e.g. a refusal).
    - ``citation_recall``: share of the distinct cited passages that were needed, a cited passage being
      needed when it hits a gold evidence sentence (whitespace-insensitive rule of
      :func:`retrieval_scores`); None when the question has no evidence or nothing was cited.
    """
    precision = None
    if answer.sentences:
        precision = sum(1 for s in answer.sentences if s.supported) / len(answer.sentences)
    recall = None
    cited = {c.passage.chunk_id: c.passage.text for c in answer.citations}
    if _gold_forms(evidence) and cited:
        recall = sum(1 for text in cited.values() if evidence_hits(text, evidence)) / len(cited)
    return {"citation_precision": precision, "citation_recall": recall}


# --- latency and aggregation ------------------------------------------------------------------


def percentile(values: Iterable[float], p: float) -> float | None:
    """The p-th percentile (0-100) with linear interpolation between closest ranks (numpy's default);
    None for no values."""
    data = sorted(v for v in values if v is not None)
    if not data:
        return None
    if not 0 <= p <= 100:
        raise ValueError(f"percentile must be between 0 and 100, not {p}")
    pos = (len(data) - 1) * p / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def latency_summary(values: Iterable[float | None]) -> dict[str, float | int | None]:
    """Median and 95th percentile of the latencies (seconds) that were measured, and how many were."""
    data = [v for v in values if v is not None]
    return {"p50": percentile(data, 50), "p95": percentile(data, 95), "n": len(data)}


def _mean_metrics(rows: Sequence[Mapping[str, Any]]) -> tuple[dict[str, float], dict[str, int]]:
    sums: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        for name, value in (row.get("metrics") or {}).items():
            if value is None:
                continue
            sums[name] += float(value)
            counts[name] += 1
    names = sorted(counts)
    return {n: sums[n] / counts[n] for n in names}, {n: counts[n] for n in names}


def _group_summary(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    means, counts = _mean_metrics(rows)
    latency = rows and {key: latency_summary((r.get("latency") or {}).get(key) for r in rows) for key in LATENCY_KEYS}
    return {
        "n": len(rows),
        "n_answerable": sum(1 for r in rows if r["answerable"]),
        "n_unanswerable": sum(1 for r in rows if not r["answerable"]),
        "n_refused": sum(1 for r in rows if r["refused"]),
        "n_errors": sum(1 for r in rows if r.get("error")),
        "metrics": means,
        "counts": counts,
        "refusal": refusal_scores(rows),
        "yes_no": yes_no_counts(rows),
        "latency": latency or {key: latency_summary(()) for key in LATENCY_KEYS},
    }


def yes_no_counts(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any] | None:
    """How the answers to questions whose gold answer is yes or no lean: of the gold-yes questions, how
    many answers say yes first; of the gold-no ones, how many say no first; and the balanced accuracy
    (the mean of those two rates, which a model saying only "yes" or only "no" cannot lift above 0.5
    whatever the share of yes answers). None when there are no such questions."""
    counts = {"gold_yes": 0, "said_yes": 0, "gold_no": 0, "said_no": 0}
    for row in rows:
        golds = {normalize_answer(g) for g in row.get("gold_answers") or ()}
        if len(golds) != 1 or not golds <= set(YES_NO):
            continue
        gold = golds.pop()
        said = _first_yes_no(normalize_answer(row.get("answer") or ""))
        counts[f"gold_{gold}"] += 1
        counts[f"said_{gold}"] += said == gold
    if not counts["gold_yes"] and not counts["gold_no"]:
        return None
    rates = [counts[f"said_{w}"] / counts[f"gold_{w}"] for w in ("yes", "no") if counts[f"gold_{w}"]]
    return {**counts, "balanced_accuracy": sum(rates) / len(rates)}


def summarize(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Aggregate per-question rows (the runner's row format) overall and by question type.

    For each group: the mean of every metric over the rows where it applies (a None value means the
    metric does not apply to that row, e.g. retrieval metrics for a question without evidence) with
    the number of rows each mean is over, question/refusal/error counts, refusal precision/recall/F1,
    and p50/p95 latency of retrieval, first token and total.
    """
    by_type: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        by_type[row.get("type") or "unknown"].append(row)
    return {
        "overall": _group_summary(list(rows)),
        "by_type": {t: _group_summary(by_type[t]) for t in sorted(by_type)},
    }
