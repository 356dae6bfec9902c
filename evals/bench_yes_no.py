"""How the local model leans on yes/no questions, and the bias that evens it out (chain.YES_NO_BIAS).

For MultiHop-RAG development yes/no questions that are NOT in the 200-question evaluation sample
(`briefing eval ... --limit 200`), 45 whose gold answer is yes and 45 no (every 5th and every 4th in
file order), this builds the answer prompt exactly as the assistant does and reads the model's log-odds
of starting the answer with "Yes" rather than "No" (LlamaCppChatModel.start_logodds). It prints, for
each bias added to those log-odds, how many yes and no questions the first word gets right and the
balanced accuracy (the mean of the two rates, so the dataset's share of yes answers does not reward
leaning either way). Needs the local model; reads ../shared, never copies it.

    python evals/bench_yes_no.py [--data-dir DIR] [--out evals/results/yes_no_bias.txt]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from benchlib import add_multihop_options, emit, go_offline, multihop_assistant

go_offline()

from assistant.answer.chain import YES_NO_BIAS, answer_inputs, starts_yes, yes_no_logodds
from assistant.answer.cite import is_yes_no
from assistant.evals.metrics import yes_no_counts
from assistant.evals.questions import import_multihop_questions
from assistant.evals.runner import select_questions

PER_ANSWER = 45


def held_out_questions(dataset: Path) -> list:
    questions = import_multihop_questions(dataset / "MultiHopRAG-dev.json")
    sample = {q.id for q in select_questions(questions, limit=200)}
    pool = [q for q in questions if q.id not in sample and is_yes_no(q.question) and q.answers
            and q.answers[0].lower() in ("yes", "no")]
    yes = [q for q in pool if q.answers[0].lower() == "yes"][::5][:PER_ANSWER]
    no = [q for q in pool if q.answers[0].lower() == "no"][::4][:PER_ANSWER]
    return yes + no


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_multihop_options(ap)
    ap.add_argument("--out", default="")
    ap.add_argument("--rows", default="", help="also write each question's log-odds here (JSON lines)")
    args = ap.parse_args()
    opened = multihop_assistant(args)
    if opened is None:
        return 2
    dataset, assistant = opened
    model = assistant.chat_model
    if model is None or not hasattr(model, "start_logodds"):
        print("needs the local model (BRIEFING_LLM=local)", file=sys.stderr)
        return 2
    settings = assistant.settings
    rows = []
    for q in held_out_questions(dataset):
        passages = assistant.retrieve(q.question, 10)[: settings.top_k]  # as `briefing eval` does: 10 retrieved, 6 read
        inputs = answer_inputs(q.question, passages, settings.evidence_tokens, assistant.embedder)
        odds = yes_no_logodds(model, inputs)
        rows.append({"id": q.id, "gold": q.answers[0].lower(), "logodds": round(odds, 4)})
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    if args.rows:
        Path(args.rows).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    emit(bias_table(rows, f"model {settings.llm_model}, evidence budget {settings.evidence_tokens}"), args.out)
    return 0


def bias_table(rows: list[dict], about: str) -> list[str]:
    """For each bias from 0 to 0.8, the first word's hits on yes and on no questions and the balanced
    accuracy (metrics.yes_no_counts, as eval reports print it) under chain.starts_yes."""
    n_yes = sum(r["gold"] == "yes" for r in rows)
    lines = [f"MultiHop-RAG dev yes/no questions outside the evaluation sample: {n_yes} yes, {len(rows) - n_yes} no; {about}",
             "first word Yes when log-odds + bias > 0",
             "  bias  yes right  no right  balanced accuracy"]
    for step in range(0, 17):
        bias = step * 0.05
        c = yes_no_counts({"gold_answers": [r["gold"]], "answer": "Yes" if starts_yes(r["logodds"], bias) else "No"}
                          for r in rows)
        mark = "   <- YES_NO_BIAS" if abs(bias - YES_NO_BIAS) < 1e-9 else ""
        lines.append(f"  {bias:4.2f}  {c['said_yes']:3d} / {c['gold_yes']}  {c['said_no']:3d} / {c['gold_no']}  "
                     f"{c['balanced_accuracy']:.3f}{mark}")
    return lines


if __name__ == "__main__":
    raise SystemExit(main())
