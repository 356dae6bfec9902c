"""How much of the answer reaches the LLM, per evidence budget: the trade-off behind BRIEFING_EVIDENCE_TOKENS.

The LLM reads the best sentences of the retrieved passages within a token budget (assistant/answer/chain.py);
a smaller budget gives a quicker first token (bench_speed.py --evidence-tokens measures that) but can leave
out the sentence with the answer. For each question this retrieves as the assistant does, builds the evidence
block at each budget exactly as the LLM would get it (sentences ranked by words, then re-ranked with the
embedder) and, beside it, with the sentences ranked by words alone, and counts the questions whose gold
answer is in the block, beside those whose gold answer is anywhere in the retrieved passages. No LLM is needed.

Question sets: every answerable fictional question of the types answered from sentences (single, temporal,
latest, multi); and, when ../shared/datasets/multihop-rag is there, a fixed sample of the MultiHop-RAG
development questions whose answer is not yes/no (their answers are names, figures and phrases).

    python evals/bench_evidence.py [--data-dir DIR] [--budgets 150 200 250 300 350] [--multihop-n 250]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

from benchlib import MULTIHOP, go_offline, indexed_assistant, multihop_dataset

go_offline()

from assistant.answer.chain import format_evidence
from assistant.answer.extractive import rerank_dense, score_sentences
from assistant.config import Settings
from assistant.evals.questions import import_multihop_questions, load_questions
from assistant.pipeline import Assistant

ROOT = Path(__file__).resolve().parents[1]
TYPES = ("single", "temporal", "latest", "multi")


def measure(name: str, assistant: Assistant, questions: list, budgets: list[int]) -> None:
    """Prints, per budget, the share of questions whose gold answer is in the evidence block, with sentences
    chosen as the LLM gets them (words, then the embedder's re-rank) and by words alone (no embedder)."""
    in_passages = 0
    in_block = {(b, ranked): 0 for b in budgets for ranked in (True, False)}
    chars = {b: 0 for b in budgets}
    rerank_ms: list[float] = []
    for q in questions:
        passages = assistant.retrieve(q.question, reference_date=q.reference_date)
        found = lambda text: any(a.lower() in text.lower() for a in q.answers)  # noqa: E731
        in_passages += found(" ".join(p.text for p in passages))
        started = time.perf_counter()
        rerank_dense(q.question, score_sentences(q.question, passages), assistant.embedder)
        rerank_ms.append((time.perf_counter() - started) * 1000)
        for b in budgets:
            block = format_evidence(q.question, passages, b, assistant.embedder)
            in_block[b, True] += found(block)
            in_block[b, False] += found(format_evidence(q.question, passages, b))
            chars[b] += len(block)
    n = len(questions)
    print(f"\n{name}: {n} questions; gold answer in the {assistant.settings.top_k} passages: {in_passages / n:.3f}")
    print(f"{'budget':>8} {'gold answer in evidence':>24} {'same, words only':>17} {'mean evidence characters':>25}")
    for b in budgets:
        print(f"{b:>8} {in_block[b, True] / n:>24.3f} {in_block[b, False] / n:>17.3f} {chars[b] / n:>25.0f}")
    print(f"sentence scoring with the embedder's re-rank: p50 {statistics.median(rerank_ms):.0f} ms per question")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="/tmp/briefing-bench-evidence")
    ap.add_argument("--multihop-data-dir", default="/tmp/briefing-bench-multihop",
                    help="index of the 609 MultiHop-RAG articles (shared with bench_speed.py)")
    ap.add_argument("--dataset", default=str(MULTIHOP))
    ap.add_argument("--budgets", type=int, nargs="+", default=[150, 200, 250, 300, 350])
    ap.add_argument("--multihop-n", type=int, default=250)
    args = ap.parse_args()

    assistant = Assistant(Settings.from_env(data_dir=args.data_dir, llm="none"))
    print(f"index: {assistant.ingest([str(ROOT / 'evals' / 'fictional' / 'corpus')]).summary()}")
    fictional = [q for q in load_questions(ROOT / "evals" / "fictional" / "questions.jsonl")
                 if q.answerable and q.type in TYPES]
    measure(f"fictional ({', '.join(TYPES)})", assistant, fictional, args.budgets)

    dataset = multihop_dataset(args.dataset)
    if dataset is not None and args.multihop_n:
        multihop = indexed_assistant(dataset, args.multihop_data_dir)
        questions = [q for q in import_multihop_questions(dataset / "MultiHopRAG-dev.json")
                     if q.answerable and q.answers[0].lower() not in ("yes", "no")]
        random.Random(0).shuffle(questions)  # a fixed sample across the question types
        measure("MultiHop-RAG dev, answers other than yes/no", multihop, questions[: args.multihop_n], args.budgets)
    return 0


if __name__ == "__main__":
    sys.exit(main())
