"""Retrieval benchmark on MultiHop-RAG (development half, read from ../shared; never copied here).

Ingests the 609 articles into --data-dir (incremental: reused when unchanged), then retrieves 10
passages per question and prints Hits@4/10, MRR@10, MAP@10 and evidence recall@10 with the
benchmark's own hit rule, overall and per question type, plus retrieval latency p50/p95.

    python evals/bench_retrieval.py [--data-dir DIR] [--limit N] [--lexical-weight W] [--dense-weight W]

MultiHop-RAG: Tang & Yang 2024, ODC-BY 1.0.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from benchlib import add_multihop_options, go_offline, multihop_assistant

go_offline()

from assistant.evals.metrics import percentile, retrieval_scores
from assistant.evals.questions import import_multihop_questions
from assistant.pipeline import Assistant

# HybridRetriever attributes a run may override (--clause-parts takes 0 or 1), printed with every run.
TUNABLE = {"lexical_weight": float, "dense_weight": float, "per_article": int, "pool": int, "clause_parts": int,
           "rerank_weight": float, "rerank_depth": int, "blend_weight": float, "blend_depth": int, "date_bonus": float}


def main() -> int:
    ap = argparse.ArgumentParser()
    add_multihop_options(ap)
    ap.add_argument("--limit", type=int)
    for name, kind in TUNABLE.items():
        ap.add_argument("--" + name.replace("_", "-"), type=kind)
    ap.add_argument("--types")
    ap.add_argument("--cache-queries", action="store_true",
                    help="reuse question embeddings across runs (for tuning; latency figures then exclude embedding)")
    args = ap.parse_args()
    opened = multihop_assistant(args)
    if opened is None:
        return 2
    dataset, assistant = opened
    r = assistant.retriever
    for name in TUNABLE:
        if getattr(args, name) is not None:
            setattr(r, name, getattr(args, name))
    print("retriever: " + " ".join(f"{name}={getattr(r, name)}" for name in TUNABLE))
    questions = [q for q in import_multihop_questions(dataset / "MultiHopRAG-dev.json") if q.evidence]
    if args.types:
        questions = [q for q in questions if q.type in args.types.split(",")]
    if args.limit:
        questions = questions[: args.limit]
    if args.cache_queries:
        _cache_query_vectors(assistant, [q.question for q in questions], Path(args.data_dir) / "query-vectors.json")
    assistant.retrieve("warm up", k=10)
    by_type: dict[str, list[dict]] = defaultdict(list)
    latencies = []
    for q in questions:
        start = time.perf_counter()
        passages = assistant.retrieve(q.question, k=10, reference_date=q.reference_date)
        latencies.append(time.perf_counter() - start)
        texts = [p.text for p in passages]
        scores = {**retrieval_scores(texts, q.evidence, 10), **retrieval_scores(texts, q.evidence, 4)}
        by_type[q.type].append(scores)
        by_type["all"].append(scores)
    keys = ["hits@4", "hits@10", "mrr@10", "map@10", "evidence_recall@10"]
    print(f"{'type':<12} {'n':>5} " + " ".join(f"{k:>18}" for k in keys))
    for t in sorted(by_type, key=lambda t: (t != "all", t)):
        rows = by_type[t]
        print(f"{t:<12} {len(rows):>5} " + " ".join(f"{statistics.mean(r[k] for r in rows):>18.4f}" for k in keys))
    print(f"retrieval latency: p50 {percentile(latencies, 50) * 1000:.1f} ms, p95 {percentile(latencies, 95) * 1000:.1f} ms")
    return 0


def _cache_query_vectors(assistant: Assistant, questions: list[str], path: Path) -> None:
    """Embed every question once and keep the vectors on disk, so tuning runs skip the model."""
    import json

    cache = json.loads(path.read_text()) if path.exists() else {}
    missing = [q for q in questions if q not in cache]
    if missing:
        cache.update(zip(missing, assistant.embedder.embed_batch(missing)))
        path.write_text(json.dumps(cache))
    embed = assistant.embedder.embed_batch

    def cached(texts):
        missing = [t for t in texts if t not in cache]
        if missing:
            cache.update(zip(missing, embed(missing)))
        return [cache[t] for t in texts]

    import atexit

    atexit.register(lambda: path.write_text(json.dumps(cache)))

    assistant.embedder.embed_batch = cached


if __name__ == "__main__":
    sys.exit(main())
