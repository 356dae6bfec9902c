"""Ingest benchmark on the 609 MultiHop-RAG articles (read from ../shared, never copied here).

In one run, on the same chunks: the embedding model's own throughput (chunks/s, embed_batch alone),
then a full ingest into a fresh index (load, chunk, embed, Chroma, catalog), their ratio (target
>= 0.85), the whole ingest time (target < 4 min), a re-ingest with nothing changed (target < 5 s)
and peak RSS (target < 2 GB). Prints the figures and writes them as JSON with --out.

    python evals/bench_ingest.py [--out evals/results/ingest.json]

MultiHop-RAG: Tang & Yang 2024, ODC-BY 1.0.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchlib import MULTIHOP, go_offline, multihop_dataset

go_offline()

from assistant.config import Settings
from assistant.embed import MAX_WORD_PIECES, embedding_text
from assistant.ingest.load import ArticleLoader
from assistant.pipeline import Assistant


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset", default=str(MULTIHOP))
    ap.add_argument("--out")
    ap.add_argument("--keep", help="keep the built index in this folder (default: a temporary one, removed)")
    args = ap.parse_args()
    dataset = multihop_dataset(args.dataset)
    if dataset is None:
        return 2
    corpus = dataset / "corpus.json"
    data_dir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="briefing-bench-ingest-"))
    if args.keep and data_dir.exists():
        shutil.rmtree(data_dir)
    settings = Settings.from_env(data_dir=data_dir)
    assistant = Assistant(settings)
    indexer = assistant.indexer

    # The exact texts the ingest will embed: same loader, chunker and budget as Indexer._index_group.
    articles = ArticleLoader(settings.max_file_bytes).load(corpus)
    texts = []
    for a in articles:
        header = assistant.embedder.count_tokens(embedding_text(a.title, a.source, a.published_at, None, ""))
        budget = max(32, min(settings.chunk_tokens, MAX_WORD_PIECES - header - 2))
        texts += [embedding_text(a.title, a.source, a.published_at, c.heading, c.text) for c in indexer.chunker.chunk(a, budget)]
    assistant.embedder.embed_batch(texts[:64])  # load and warm the model outside both timings

    t = time.perf_counter()
    for i in range(0, len(texts), 1024):
        assistant.embedder.embed_batch(texts[i : i + 1024])
    model_s = time.perf_counter() - t

    t = time.perf_counter()
    report = assistant.ingest([str(corpus)])
    ingest_s = time.perf_counter() - t
    chunks = report.chunks_added

    t = time.perf_counter()
    again = assistant.ingest([str(corpus)])
    reingest_s = time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    figures = {
        "articles": len(articles),
        "chunks": chunks,
        "chunk_tokens": settings.chunk_tokens,
        "embed_dtype": settings.embed_dtype,
        "model_chunks_per_s": round(len(texts) / model_s, 1),
        "ingest_chunks_per_s": round(chunks / ingest_s, 1),
        "ratio_ingest_to_model": round((chunks / ingest_s) / (len(texts) / model_s), 3),
        "ingest_seconds": round(ingest_s, 1),
        "reingest_unchanged_seconds": round(reingest_s, 2),
        "reingest_summary": again.summary(),
        "peak_rss_mb": round(peak_mb),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
    }
    for k, v in figures.items():
        print(f"{k:>28}: {v}")
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(figures, indent=2) + "\n")
    if not args.keep:
        assistant.close()
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
