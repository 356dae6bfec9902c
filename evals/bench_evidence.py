"""How much of the answer reaches the LLM, per evidence budget: the trade-off behind BRIEFING_EVIDENCE_TOKENS.

The LLM reads the best sentences of the retrieved passages within a token budget (assistant/answer/chain.py);
a smaller budget gives a quicker first token (bench_speed.py --evidence-tokens measures that) but can leave
out the sentence with the answer. For every answerable fictional question of the types answered from
sentences (single, temporal, latest, multi), this retrieves as the assistant does, builds the evidence block
at each budget, and prints the share of questions whose gold answer is in it, beside the share whose gold
answer is anywhere in the passages the answer is written from. No LLM is needed.

    python evals/bench_evidence.py [--data-dir DIR] [--budgets 150 200 250 300 350]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchlib import go_offline

go_offline()

from assistant.answer.chain import format_evidence
from assistant.config import Settings
from assistant.evals.questions import load_questions
from assistant.pipeline import Assistant

ROOT = Path(__file__).resolve().parents[1]
TYPES = ("single", "temporal", "latest", "multi")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="/tmp/briefing-bench-evidence")
    ap.add_argument("--budgets", type=int, nargs="+", default=[150, 200, 250, 300, 350])
    args = ap.parse_args()
    assistant = Assistant(Settings.from_env(data_dir=args.data_dir, llm="none"))
    print(f"index: {assistant.ingest([str(ROOT / 'evals' / 'fictional' / 'corpus')]).summary()}")
    questions = [q for q in load_questions(ROOT / "evals" / "fictional" / "questions.jsonl")
                 if q.answerable and q.type in TYPES]
    in_passages = 0
    in_block = {b: 0 for b in args.budgets}
    chars = {b: 0 for b in args.budgets}
    for q in questions:
        passages = assistant.retrieve(q.question, reference_date=q.reference_date)
        found = lambda text: any(a.lower() in text.lower() for a in q.answers)  # noqa: E731
        in_passages += found(" ".join(p.text for p in passages))
        for b in args.budgets:
            block = format_evidence(q.question, passages, b)
            in_block[b] += found(block)
            chars[b] += len(block)
    n = len(questions)
    print(f"{n} answerable questions ({', '.join(TYPES)}); gold answer in the {assistant.settings.top_k} passages: "
          f"{in_passages / n:.3f}")
    print(f"{'budget':>8} {'gold answer in evidence':>24} {'mean evidence characters':>25}")
    for b in args.budgets:
        print(f"{b:>8} {in_block[b] / n:>24.3f} {chars[b] / n:>25.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
