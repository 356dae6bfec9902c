"""Print the headline tables of evals/RESULTS.md from the result files in evals/results/.

    python evals/results_table.py

Every figure in RESULTS.md's tables comes from here, and every file read here is written by
`briefing eval` or a benchmark script (the command is named next to each table in RESULTS.md).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
RUNS = ["fictional-extractive", "fictional-llm", "multihop-extractive", "multihop-llm"]
METRICS = [
    ("strict_correct", "strict accuracy"),
    ("lenient_any_word", "lenient any-word accuracy (published MultiHop-RAG rule)"),
    ("hits@4", "Hits@4"),
    ("hits@10", "Hits@10"),
    ("mrr@10", "MRR@10"),
    ("map@10", "MAP@10"),
    ("evidence_recall@10", "gold evidence found in top 10"),
    ("citation_precision", "citation precision"),
]


def fmt(value) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def main() -> int:
    runs = {r: json.loads((RESULTS / r / "summary.json").read_text()) for r in RUNS if (RESULTS / r / "summary.json").exists()}
    print("| metric | " + " | ".join(runs) + " |")
    print("|---|" + "---:|" * len(runs))
    print("| questions | " + " | ".join(str(s["overall"]["n"]) for s in runs.values()) + " |")
    for key, label in METRICS:
        print(f"| {label} | " + " | ".join(fmt(s["overall"]["metrics"].get(key)) for s in runs.values()) + " |")
    print("| refusal recall (unanswerable refused) | " + " | ".join(fmt(s["overall"]["refusal"]["recall"]) for s in runs.values()) + " |")
    print("| refusal precision | " + " | ".join(fmt(s["overall"]["refusal"]["precision"]) for s in runs.values()) + " |")
    for part in ("retrieval", "first_token", "total"):
        print(f"| {part} p50 / p95 (s) | " + " | ".join(
            f"{fmt(s['overall']['latency'][part]['p50'])} / {fmt(s['overall']['latency'][part]['p95'])}" for s in runs.values()) + " |")
    print()
    print("Single-fact answerable questions (strict accuracy) and answerable questions per run:")
    for name, s in runs.items():
        by = s["by_type"]
        single = by.get("single")
        answerable = [t for t in by if t not in ("unanswerable", "null")]
        acc = [(t, by[t]["metrics"].get("strict_correct"), by[t]["n"]) for t in answerable]
        line = ", ".join(f"{t} {fmt(a)} (n={n})" for t, a, n in acc)
        right, total = sum(round(a * n) for _, a, n in acc if a is not None), sum(n for _, _, n in acc)
        line += f"; all answerable {right}/{total} = {fmt(right / total if total else None)}"
        print(f"- {name}: {line}" + (f"; single-fact {fmt(single['metrics']['strict_correct'])}" if single else ""))
    for name in ("ingest.json", "speed.json", "ui_load.json"):
        path = RESULTS / name
        if path.exists():
            data = json.loads(path.read_text())
            print(f"\n{name}: " + json.dumps(data.get("summary", data)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
