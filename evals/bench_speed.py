"""Answer speed on the 609 MultiHop-RAG articles (read from ../shared; never copied here).

For N questions (a fixed, evenly spaced sample of the development half), in one run: retrieval
latency, the extractive answer (retrieval + answer + citation check), and the local LLM's time to
first answer token and whole answer. Prints p50/p95 of each and peak RSS; --out writes JSON.

    python evals/bench_speed.py --data-dir DIR [--n 30] [--llm-n 15] [--evidence-tokens 350 250] [--out evals/results/speed.json]

With several --evidence-tokens budgets, every LLM question is asked once per budget, the budgets taking
turns (never the same question twice in a row, which would reuse its cached evidence), so the budgets
are compared side by side on the same questions in the same run.

Targets (issue 3): retrieval p50 < 100 ms, extractive p50 < 300 ms, LLM first token p50 < 3 s,
whole LLM answer p50 < 8 s. MultiHop-RAG: Tang & Yang 2024, ODC-BY 1.0.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

from benchlib import add_multihop_options, go_offline, multihop_assistant

go_offline()

from assistant.evals.metrics import percentile
from assistant.evals.questions import import_multihop_questions
from assistant.llm import model_record
from assistant.pipeline import Assistant


def forget_chunk_sentences() -> None:
    """Empty the cache of chunks' split and stemmed sentences (code before session 13 has none)."""
    from assistant.answer import extractive

    cached = getattr(extractive, "_sentence_stems", None)
    if cached is not None:
        cached.cache_clear()


def summary(values: list[float]) -> dict[str, float]:
    return {"p50_ms": round(percentile(values, 50) * 1000, 1), "p95_ms": round(percentile(values, 95) * 1000, 1), "n": len(values)}


def main() -> int:
    ap = argparse.ArgumentParser()
    add_multihop_options(ap)
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument("--llm-n", type=int, default=15)
    ap.add_argument("--evidence-tokens", type=int, nargs="+", help="LLM evidence budgets to compare (default: the configured one)")
    ap.add_argument("--out")
    args = ap.parse_args()
    opened = multihop_assistant(args)
    if opened is None:
        return 2
    dataset, assistant = opened
    settings = assistant.settings
    questions = import_multihop_questions(dataset / "MultiHopRAG-dev.json")
    step = max(1, len(questions) // args.n)
    sample = [q.question for q in questions[::step]][: args.n]

    assistant.ask("warm up the models", mode="extractive")
    retrieval = []
    for q in sample:
        t = time.perf_counter()
        assistant.retrieve(q)
        retrieval.append(time.perf_counter() - t)
    # The retrieval loop has just read these questions' chunks: forget their split sentences (a cache since
    # session 13), so each extractive answer reads its chunks afresh, as it would the first time it is asked.
    forget_chunk_sentences()
    extractive = []
    for q in sample:
        t = time.perf_counter()
        assistant.ask(q, mode="extractive")
        extractive.append(time.perf_counter() - t)
    figures = {"questions": len(sample), "retrieval": summary(retrieval), "extractive_answer": summary(extractive)}

    if args.llm_n and settings.llm != "none" and assistant.chat_model is not None:
        assistant.ask(sample[0], mode="llm")  # load the model and fill the prompt cache's shared prefix
        budgets = args.evidence_tokens or [settings.evidence_tokens]
        askers = {b: Assistant(settings.replace(evidence_tokens=b), embedder=assistant.embedder, store=assistant.store,
                               chat_model=assistant.chat_model) for b in budgets}
        timings: dict[int, dict[str, list[float]]] = {b: {"first_token": [], "check": [], "total": []} for b in budgets}
        fell_back = {b: 0 for b in budgets}
        timed = sample[1 : args.llm_n + 1]
        shift = max(1, len(timed) // len(budgets))
        for i in range(len(timed)):
            # Budgets take turns, each on a different question at a time: the same question twice in a row
            # would let the second budget reuse the first one's cached evidence prefix and look faster.
            for j, (b, asker) in enumerate(askers.items()):
                answer = asker.ask(timed[(i + j * shift) % len(timed)], mode="llm")
                fell_back[b] += answer.mode != "llm"  # the model failed, or its answer was set aside for a checked quote
                for key, values in timings[b].items():
                    if key in answer.timings:
                        values.append(answer.timings[key])
        for b in budgets:
            suffix = "" if len(budgets) == 1 else f"@{b}"
            figures["llm_first_token" + suffix] = summary(timings[b]["first_token"])
            figures["llm_answer_check" + suffix] = summary(timings[b]["check"]) if timings[b]["check"] else None
            figures["llm_whole_answer" + suffix] = summary(timings[b]["total"])
            figures["llm_fell_back_to_extractive" + suffix] = fell_back[b]
        figures.update(model_record(settings))  # the packaged file or its Q8_0 copy, and the llama.cpp build
        figures["llm_evidence_tokens"] = budgets
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(figures, indent=2))
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
