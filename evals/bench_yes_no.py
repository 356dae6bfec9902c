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

from benchlib import MULTIHOP, emit, go_offline, indexed_assistant, multihop_dataset

go_offline()

from assistant.answer.chain import ANSWER_PROMPT, YES_NO_BIAS, YES_NO_STARTS, answer_inputs
from assistant.answer.cite import is_yes_no
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
    ap.add_argument("--data-dir", default="/tmp/briefing-bench-multihop")
    ap.add_argument("--dataset", default=str(MULTIHOP))
    ap.add_argument("--out", default="")
    ap.add_argument("--rows", default="", help="also write each question's log-odds here (JSON lines)")
    args = ap.parse_args()
    dataset = multihop_dataset(args.dataset)
    if dataset is None:
        return 2
    assistant = indexed_assistant(dataset, args.data_dir)
    model = assistant.chat_model
    if model is None or not hasattr(model, "start_logodds"):
        print("needs the local model (BRIEFING_LLM=local)", file=sys.stderr)
        return 2
    settings = assistant.settings
    rows = []
    for q in held_out_questions(dataset):
        passages = assistant.retrieve(q.question, 10)[: settings.top_k]  # as `briefing eval` does: 10 retrieved, 6 read
        inputs = answer_inputs(q.question, passages, settings.evidence_tokens, assistant.embedder)
        odds = model.start_logodds(ANSWER_PROMPT.format_messages(**inputs), YES_NO_STARTS)
        rows.append({"id": q.id, "gold": q.answers[0].lower(), "logodds": round(odds, 4)})
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    if args.rows:
        Path(args.rows).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    n_yes = sum(r["gold"] == "yes" for r in rows)
    n_no = len(rows) - n_yes
    lines = [f"MultiHop-RAG dev yes/no questions outside the evaluation sample: {n_yes} yes, {n_no} no; "
             f"model {settings.llm_model}, evidence budget {settings.evidence_tokens}",
             "first word Yes when log-odds + bias > 0",
             "  bias  yes right  no right  balanced accuracy"]
    for step in range(0, 17):
        bias = step * 0.05
        yes_right = sum(r["gold"] == "yes" and r["logodds"] + bias > 0 for r in rows)
        no_right = sum(r["gold"] == "no" and r["logodds"] + bias <= 0 for r in rows)
        mark = "   <- YES_NO_BIAS" if abs(bias - YES_NO_BIAS) < 1e-9 else ""
        lines.append(f"  {bias:4.2f}  {yes_right:3d} / {n_yes}  {no_right:3d} / {n_no}  "
                     f"{(yes_right / n_yes + no_right / n_no) / 2:.3f}{mark}")
    emit(lines, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
