"""How sure the local model is when it passes an answer in the answer check (chain.model_confirms).

For every answered single-fact question of an eval run (rows.jsonl written by `briefing eval --mode llm`),
this puts the same check to the model again: the question and the passage sentences the answer cites
(for a fallback quote, each quoted passage on its own, as the pipeline checks them), and reads the
model's log-odds of replying "Yes" rather than "No" (LlamaCppChatModel.start_logodds). It prints each
answer's log-odds with its outcome (right, wrong, or answered though the set says the articles do not
say), and, for each threshold, how many of each the check would set aside if it passed only answers
above it. A replay of the final answers: a set-aside answer could still be replaced by the fallback
quote, which this does not follow. With --index (the eval index the run used, printed by `briefing eval`
as "eval index DIR"), also the answers the check set aside: their sentences are checked again against the
retrieved passages (read back from that index), which cites each to the passage that supports it, and the
model is asked about those passages' supporting sentences, as it was then (an approximation: the rows do not
keep which passages a set-aside answer cited). Needs the local model.

    python evals/bench_check.py evals/results/fictional-llm/rows.jsonl [--index DIR] [--out evals/results/check_logodds.txt]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from benchlib import emit, go_offline

go_offline()

from assistant.answer.chain import check_logodds  # noqa: E402
from assistant.answer.cite import is_single_fact, verify  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.evals.metrics import strict_correct  # noqa: E402
from assistant.llm import build_chat_model  # noqa: E402

THRESHOLDS = [-3.0, -2.0, -1.5, -1.0, -0.5, -0.25, 0.0, 0.25, 0.5, 1.0, 1.5, 2.0]


def outcome(row: dict) -> str:
    if not row["answerable"]:
        return "unanswerable"
    return "right" if row["metrics"].get("strict_correct") else "wrong"


def checked_rows(rows: list[dict]) -> list[dict]:
    """The answered rows whose answer went through the model's check: single-fact questions."""
    return [r for r in rows if not r["refused"] and not r.get("error") and r["citations"]
            and is_single_fact(r["standalone_question"] or r["question"])]


SET_ASIDE = "asked separately, the model found"


def set_aside_outcome(row: dict) -> str:
    """A set-aside answer was "right" when its sentences hold a gold answer, as the strict measure reads
    an answer (metrics.strict_correct)."""
    if not row["answerable"]:
        return "set aside, unanswerable"
    text = " ".join(s["text"] for s in row["sentences"] if SET_ASIDE in s["reason"])
    right = strict_correct(text, row["gold_answers"])
    return "set aside, right" if right else "set aside, wrong"


def set_aside_rows(rows: list[dict]) -> list[dict]:
    """The rows the model's check turned into refusals."""
    return [r for r in rows if r["refused"] and any(SET_ASIDE in s["reason"] for s in r["sentences"])]


def set_aside_support(row: dict, store, top_k: int) -> list[str]:
    """The supporting sentences of the passages that the set-aside sentences, checked again against the
    row's first ``top_k`` retrieved passages (read from ``store``), cite."""
    context = store.get([p["chunk_id"] for p in row["passages"]])[:top_k]
    draft = " ".join(s["text"] for s in row["sentences"] if SET_ASIDE in s["reason"])
    question = row["standalone_question"] or row["question"]
    _, citations, _, _ = verify(draft, context, question)
    return [s for c in citations for s in c.sentences]


def supports(row: dict) -> list[list[str]]:
    """What the model read in the check: all cited sentences for the model's answer, each cited
    passage's sentences on their own for a fallback quote (mode extractive)."""
    cited = [c["sentences"] for c in row["citations"]]
    return cited if row["mode"] == "extractive" else [[s for c in cited for s in c]]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rows", help="rows.jsonl of a `briefing eval --mode llm` run")
    ap.add_argument("--index", default="", help="the eval index (data directory) the run used")
    ap.add_argument("--out", default="")
    args = ap.parse_args()
    rows = [json.loads(line) for line in Path(args.rows).read_text(encoding="utf-8").splitlines() if line.strip()]
    settings = Settings.from_env()  # the default data directory, where the install joined the model
    if settings.llm != "local":
        print("needs the local model (BRIEFING_LLM=local)", file=sys.stderr)
        return 2
    model = build_chat_model(settings)
    scored = []
    for row in checked_rows(rows):
        question = row["standalone_question"] or row["question"]
        odds = min(check_logodds(model, question, support) for support in supports(row))
        scored.append({"id": row["id"], "type": row["type"], "outcome": outcome(row), "mode": row["mode"],
                       "logodds": round(odds, 3)})
        print(json.dumps(scored[-1]), file=sys.stderr, flush=True)
    if args.index:
        from assistant.store import ChromaStore

        store = ChromaStore(settings.replace(data_dir=Path(args.index)))
        for row in set_aside_rows(rows):
            support = set_aside_support(row, store, settings.top_k)
            if not support:
                continue
            odds = check_logodds(model, row["standalone_question"] or row["question"], support)
            scored.append({"id": row["id"], "type": row["type"], "outcome": set_aside_outcome(row),
                           "mode": "llm", "logodds": round(odds, 3)})
            print(json.dumps(scored[-1]), file=sys.stderr, flush=True)
    emit(report(scored, f"{args.rows}, model {settings.llm_model}"), args.out)
    return 0


def report(scored: list[dict], about: str) -> list[str]:
    kinds = ("right", "wrong", "unanswerable", "set aside, right", "set aside, wrong", "set aside, unanswerable")
    count = {k: sum(s["outcome"] == k for s in scored) for k in kinds}
    lines = [f"answer check log-odds (Yes over No) of the answered single-fact questions of {about}",
             "  ".join(f"{k}: {count[k]}" for k in kinds),
             "set aside when log-odds <= threshold (the check as it runs: greedy, about threshold 0):",
             "  threshold  " + "  ".join(f"{k:>24}" for k in kinds)]
    for t in THRESHOLDS:
        lines.append(f"  {t:9.2f}  " + "  ".join(f"{sum(s['outcome'] == k and s['logodds'] <= t for s in scored):24d}"
                                              for k in kinds))
    lines.append("each answer, lowest log-odds first:")
    for s in sorted(scored, key=lambda s: s["logodds"]):
        lines.append(f"  {s['logodds']:7.2f}  {s['id']}  {s['outcome']:<24} {s['type']:<12} {s['mode']}")
    return lines


if __name__ == "__main__":
    sys.exit(main())
