#!/usr/bin/env python3
"""Speed and accuracy of the LLM answer path on the fictional eval set, through the real pipeline.

Usage: python evals/bench_llm.py [--model 1.5b|0.5b|PATH] [-n 40] [--types single,unanswerable]
                                 [--data-dir /tmp/briefing-bench-llm] [--rows out.jsonl] [-v]

Ingests evals/fictional/corpus into a scratch data dir (re-ingesting is harmless: ids are content
hashes), warms the model up with one question, then asks N questions with mode="llm" and prints:
accuracy on answerable questions (a gold answer occurs in the answer text, case-insensitive), the
refusal rate on unanswerable ones, time to first token and total time (p50, p95), and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from assistant.config import Settings  # noqa: E402
from assistant.evals.questions import load_questions  # noqa: E402
from assistant.pipeline import Assistant  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def is_correct(answer_text: str, gold: tuple[str, ...]) -> bool:
    text = answer_text.lower()
    return any(g.strip() and g.strip().lower() in text for g in gold)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="/tmp/briefing-bench-llm")
    parser.add_argument("--questions", default=str(HERE / "fictional" / "questions.jsonl"))
    parser.add_argument("--corpus", default=str(HERE / "fictional" / "corpus"))
    parser.add_argument("--model", default="1.5b", help="1.5b, 0.5b or a path to a GGUF file")
    parser.add_argument("-n", type=int, default=0, help="ask at most N questions (0: all)")
    parser.add_argument("--types", default="", help="comma-separated question types to keep")
    parser.add_argument("--rows", default="", help="write one JSON row per question here")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every question and answer")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    questions = load_questions(args.questions)
    if args.types:
        keep = set(args.types.split(","))
        questions = [q for q in questions if q.type in keep]
    if args.n:
        # Spread the sample over the types instead of taking the first N of one type.
        by_type: dict[str, list] = defaultdict(list)
        for q in questions:
            by_type[q.type].append(q)
        sample, i = [], 0
        while len(sample) < min(args.n, len(questions)):
            for group in by_type.values():
                if i < len(group) and len(sample) < args.n:
                    sample.append(group[i])
            i += 1
        questions = sample

    settings = Settings.from_env(data_dir=Path(args.data_dir), llm="local", llm_model=args.model)
    assistant = Assistant(settings)
    started = time.perf_counter()
    files = sorted(str(p) for p in Path(args.corpus).glob("*") if p.is_file())
    assistant.ingest(files)
    ingest_s = time.perf_counter() - started
    started = time.perf_counter()
    if assistant.chat_model is None:
        print(f"no LLM: {assistant._llm_failed}", file=sys.stderr)
        return 1
    load_s = time.perf_counter() - started
    assistant.ask("What happened?", mode="llm")  # warm-up: page the weights in, fill the prompt cache

    rows = []
    for q in questions:
        answer = assistant.ask(q.question, history=q.history, mode="llm", reference_date=q.reference_date)
        ok = (not answer.refused and is_correct(answer.text, q.answers)) if q.answerable else answer.refused
        row = {
            "id": q.id, "type": q.type, "answerable": q.answerable, "question": q.question, "gold": list(q.answers),
            "answer": answer.text, "refused": answer.refused, "mode": answer.mode, "correct": ok,
            "unsupported": [s.to_dict() for s in answer.sentences if not s.supported],
            "first_token": answer.timings.get("first_token"), "total": answer.timings.get("total"),
        }
        rows.append(row)
        if args.verbose:
            mark = "ok " if ok else "BAD"
            print(f"{mark} {q.id} [{q.type}] {q.question}\n    gold: {q.answers}\n    got:  {answer.text!r} "
                  f"({row['first_token'] or 0:.1f}s/{row['total']:.1f}s)"
                  + "".join(f"\n    dropped: {u['text']!r} ({u['reason']})" for u in row["unsupported"]), flush=True)

    if args.rows:
        with open(args.rows, "w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row) + "\n")

    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    ttft = [r["first_token"] for r in rows if r["first_token"] is not None]
    total = [r["total"] for r in rows]
    print(f"model {args.model}: {len(rows)} questions (ingest {ingest_s:.1f}s, model load {load_s:.1f}s)")
    if answerable:
        print(f"  answerable correct:   {sum(r['correct'] for r in answerable)}/{len(answerable)} "
              f"({statistics.mean(r['correct'] for r in answerable):.0%}); wrongly refused "
              f"{sum(r['refused'] for r in answerable)}")
    if unanswerable:
        print(f"  unanswerable refused: {sum(r['refused'] for r in unanswerable)}/{len(unanswerable)} "
              f"({statistics.mean(r['refused'] for r in unanswerable):.0%})")
    by_type = defaultdict(list)
    for r in rows:
        by_type[r["type"]].append(r["correct"])
    print("  by type: " + ", ".join(f"{t} {sum(v)}/{len(v)}" for t, v in sorted(by_type.items())))
    print(f"  fell back to extractive: {sum(r['mode'] != 'llm' for r in rows)}; "
          f"answers with a dropped sentence: {sum(bool(r['unsupported']) for r in rows)}")
    print(f"  first token  p50 {percentile(ttft, 0.5):.2f}s  p95 {percentile(ttft, 0.95):.2f}s")
    print(f"  total        p50 {percentile(total, 0.5):.2f}s  p95 {percentile(total, 0.95):.2f}s")
    print(f"  peak RSS     {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
