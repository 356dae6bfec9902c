"""Run questions through the assistant and record one JSONL row per question; resumable.

Rows are appended and flushed one at a time to ``out_dir/rows.jsonl``, so a run killed midway
resumes where it stopped: questions whose id already has a row are skipped. At the end the
summary, report and plots are written next to the rows (see ``report.write_report``).
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping, Protocol, Sequence

from ..errors import ConfigError
from ..types import Answer, Article
from . import metrics as m
from .questions import EvalQuestion, article_aliases

log = logging.getLogger(__name__)

RETRIEVAL_K = 10  # passages the pipeline must retrieve for evals; metrics at 10 and 4
CUTOFFS = (10, 4)
ROWS_FILE = "rows.jsonl"
RUN_FILE = "run.json"


class AskingAssistant(Protocol):
    def ask(self, question: str, history: Sequence[tuple[str, str]] = (), *, mode: str | None = None,
            reference_date: str | None = None, k: int | None = None) -> Answer: ...


def select_questions(questions: Sequence[EvalQuestion], *, limit: int | None = None,
                     types: Iterable[str] | None = None) -> list[EvalQuestion]:
    """The questions to run: those of the given types (all if None), then, with a limit, a stratified
    sample: questions sorted by id within each type, types in name order, taken round-robin (one of
    each type in turn) until the limit is reached. Deterministic, so a resumed or repeated run picks
    the same questions, and every type is represented even by a small limit."""
    wanted = None if types is None else set(types)
    pool = [q for q in questions if wanted is None or q.type in wanted]
    if limit is None or limit >= len(pool):
        return pool
    if limit < 0:
        raise ConfigError(f"limit must be zero or more, not {limit}")
    by_type: dict[str, list[EvalQuestion]] = defaultdict(list)
    for q in pool:
        by_type[q.type].append(q)
    queues = [sorted(by_type[t], key=lambda q: q.id) for t in sorted(by_type)]
    picked: list[EvalQuestion] = []
    depth = 0
    while len(picked) < limit:
        for queue in queues:
            if depth < len(queue) and len(picked) < limit:
                picked.append(queue[depth])
        depth += 1
    return picked


def score_answer(question: EvalQuestion, answer: Answer | None,
                 articles: Mapping[str, Article] | None = None) -> dict[str, Any]:
    """The metrics of one row. Answer metrics: for an answerable question, strict correctness needs
    the gold in the answer and no refusal; for an unanswerable one, correct means refused (EM/F1 follow
    SQuAD v2: 1 for a refusal). Lenient any-word is applied to the text as MultiHop-RAG's script does.
    Retrieval and citation metrics are None where there is no gold evidence. A failed question
    (answer None) counts as a wrong, unrefused answer with no retrieval. ``articles`` (by id) lets
    evidence refs that are file names match retrieved passages, which carry no path."""
    text = answer.text if answer else ""
    refused = m.is_refusal(answer) if answer else False
    golds = list(question.answers)
    if question.answerable:
        strict = (not refused) and m.strict_correct(text, golds)
        em = 0.0 if refused else m.exact_match(text, golds)
        f1 = 0.0 if refused else m.token_f1(text, golds)
    else:
        strict = refused
        em = f1 = 1.0 if refused else 0.0
    scores: dict[str, Any] = {
        "strict_correct": float(strict),
        "lenient_any_word": float(any(m.lenient_any_word(text, g) for g in golds)),
        "exact_match": em,
        "token_f1": f1,
    }
    passages = answer.passages if answer else ()
    texts = [p.text for p in passages]
    articles = articles or {}
    aliases = [
        article_aliases(p.article_id, p.url, articles[p.article_id].path if p.article_id in articles else None)
        for p in passages
    ]
    for k in CUTOFFS:
        retrieval = m.retrieval_scores(texts, list(question.evidence), k) if answer else None
        for name in ("hits", "mrr", "map", "evidence_recall"):
            scores[f"{name}@{k}"] = retrieval[f"{name}@{k}"] if retrieval else None
        scores[f"article_recall@{k}"] = m.article_recall(aliases, list(question.evidence_articles), k) if answer else None
    if answer:
        scores.update(m.citation_scores(answer, list(question.evidence)))
    else:
        scores.update({"citation_precision": None, "citation_recall": None})
    return scores


def _passage_row(p) -> dict[str, Any]:
    return {"rank": p.rank, "chunk_id": p.chunk_id, "article_id": p.article_id, "title": p.title,
            "source": p.source, "published_at": p.published_at, "url": p.url, "score": p.score}


def make_row(question: EvalQuestion, answer: Answer | None, *, wall_seconds: float | None = None,
             error: str | None = None, articles: Mapping[str, Article] | None = None) -> dict[str, Any]:
    """One result row: the question and gold, the answer with its citations, retrieved passages and
    sentence checks, the row's metrics and its latencies (seconds)."""
    timings = dict(answer.timings) if answer else {}
    if "total" not in timings and wall_seconds is not None:
        timings["total"] = wall_seconds
    return {
        "id": question.id,
        "type": question.type,
        "question": question.question,
        "history": [list(turn) for turn in question.history],
        "reference_date": question.reference_date,
        "gold_answers": list(question.answers),
        "answerable": question.answerable,
        "evidence_articles": list(question.evidence_articles),
        "answer": answer.text if answer else "",
        "refused": bool(answer and answer.refused),
        "mode": answer.mode if answer else None,
        "standalone_question": answer.standalone_question if answer else "",
        "citations": [
            {"number": c.number, "chunk_id": c.passage.chunk_id, "article_id": c.passage.article_id,
             "title": c.passage.title, "source": c.passage.source, "published_at": c.passage.published_at,
             "sentences": list(c.sentences)}
            for c in (answer.citations if answer else ())
        ],
        "passages": [_passage_row(p) for p in (answer.passages if answer else ())],
        "sentences": [s.to_dict() for s in (answer.sentences if answer else ())],
        "metrics": score_answer(question, answer, articles),
        "latency": {key: timings.get(key) for key in m.LATENCY_KEYS},
        "error": error,
    }


def read_rows(path: Path) -> list[dict[str, Any]]:
    """Rows of a rows.jsonl file; a line cut short by a kill is skipped (and logged)."""
    rows = []
    if not path.exists():
        return rows
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            log.warning("%s line %d is incomplete (an interrupted write?); it will be redone", path, number)
            continue
        if isinstance(row, dict) and "id" in row:
            rows.append(row)
    return rows


def _resume_rows(path: Path) -> dict[str, dict[str, Any]]:
    """Rows already done, by id. Failed rows and partial lines are dropped from the file so that
    those questions run again, and the file is rewritten only when something was dropped."""
    if not path.exists():
        return {}
    raw = path.read_text(encoding="utf-8")
    rows = read_rows(path)
    done: dict[str, dict[str, Any]] = {}
    for row in rows:
        if not row.get("error"):
            done[row["id"]] = row  # a later row for the same id wins
    kept = list(done.values())
    if len(kept) != len(rows) or (raw and not raw.endswith("\n")) or len(raw.splitlines()) != len(rows):
        tmp = path.with_suffix(".jsonl.tmp")
        tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept), encoding="utf-8")
        os.replace(tmp, path)
    return done


def _check_run_file(out_dir: Path, mode: str | None) -> None:
    run_file = out_dir / RUN_FILE
    if run_file.exists():
        previous = json.loads(run_file.read_text(encoding="utf-8"))
        if previous.get("mode") != mode:
            raise ConfigError(
                f"{out_dir} holds a run in mode {previous.get('mode')!r}; resuming it in mode {mode!r} would mix "
                "results: use another output folder"
            )
    else:
        run_file.write_text(json.dumps({"mode": mode, "started_at": _now()}) + "\n", encoding="utf-8")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def run_eval(assistant: AskingAssistant, questions: Sequence[EvalQuestion], out_dir: str | Path, *,
             mode: str | None = None, limit: int | None = None, types: Iterable[str] | None = None,
             progress: bool = True, meta: Mapping[str, Any] | None = None,
             articles: Iterable[Article] | None = None) -> dict[str, Any]:
    """Ask each selected question (see :func:`select_questions`) with its history and reference date,
    retrieving RETRIEVAL_K passages, append one row per question to ``out_dir/rows.jsonl``, then write
    summary.json, report.md and plots. Resumes a killed run in the same folder. Questions that raise an
    AssistantError-like Exception are recorded as failed rows (scored wrong) and retried on resume;
    KeyboardInterrupt stops the run with every finished row kept. ``articles`` (optional, the ingested
    corpus) lets evidence refs given as file names count for article recall. Returns the summary."""
    from tqdm import tqdm

    from .report import write_report

    by_id = {a.id: a for a in articles} if articles is not None else None
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _check_run_file(out_dir, mode)
    selected = select_questions(questions, limit=limit, types=types)
    rows_path = out_dir / ROWS_FILE
    done = _resume_rows(rows_path)
    todo = [q for q in selected if q.id not in done]
    if done:
        log.info("resuming %s: %d of %d questions already done", out_dir, len(selected) - len(todo), len(selected))
    started = _now()
    warned_short = False
    correct = answered = 0
    with open(rows_path, "a", encoding="utf-8") as out, tqdm(
        total=len(selected), initial=len(selected) - len(todo), desc="eval", unit="q", disable=not progress
    ) as bar:
        for q in todo:
            t0 = time.perf_counter()
            answer, error = None, None
            try:
                answer = assistant.ask(q.question, history=list(q.history), mode=mode,
                                       reference_date=q.reference_date, k=RETRIEVAL_K)
            except Exception as exc:  # one failing question must not end a long run
                log.warning("question %s failed: %s: %s", q.id, type(exc).__name__, exc)
                error = f"{type(exc).__name__}: {exc}"
            wall = time.perf_counter() - t0
            if answer is not None and len(answer.passages) < RETRIEVAL_K and not warned_short:
                log.warning("question %s: %d passages retrieved, fewer than %d; metrics at 10 are capped",
                            q.id, len(answer.passages), RETRIEVAL_K)
                warned_short = True
            row = make_row(q, answer, wall_seconds=wall, error=error, articles=by_id)
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            out.flush()
            done[q.id] = row
            answered += 1
            correct += int(row["metrics"]["strict_correct"])
            bar.set_postfix(strict=f"{correct / answered:.2f}")
            bar.update(1)
    rows = [done[q.id] for q in selected]
    summary = m.summarize(rows)
    run_meta = {
        "mode": mode,
        "limit": limit,
        "types": sorted(types) if types is not None else None,
        "n_questions": len(selected),
        "retrieval_k": RETRIEVAL_K,
        "resumed_rows": len(selected) - len(todo),
        "started_at": started,
        "finished_at": _now(),
        **dict(meta or {}),
    }
    write_report(out_dir, summary, rows, run_meta)
    return summary
