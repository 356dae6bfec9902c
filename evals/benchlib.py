"""What the MultiHop-RAG benchmark scripts share: where the dataset lives and the offline switches.

MultiHop-RAG (Tang & Yang 2024, ODC-BY 1.0) is read from ../shared/datasets/multihop-rag/ and never copied here.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

MULTIHOP = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "multihop-rag"


def go_offline() -> None:
    """Load models by local path only: without these, a hub lookup retries for about 70 s before failing."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def multihop_dataset(path: str | Path) -> Path | None:
    """The dataset folder if it holds corpus.json; otherwise says so on stderr and returns None."""
    dataset = Path(path)
    if not (dataset / "corpus.json").exists():
        print(f"MultiHop-RAG not found at {dataset}", file=sys.stderr)
        return None
    return dataset


def indexed_assistant(dataset: Path, data_dir: str):
    """An Assistant (default settings, ``data_dir``) with the dataset's 609 articles ingested; prints the index line."""
    import time

    from assistant.config import Settings
    from assistant.pipeline import Assistant

    assistant = Assistant(Settings.from_env(data_dir=data_dir))
    started = time.perf_counter()
    report = assistant.ingest([str(dataset / "corpus.json")])
    print(f"index: {report.summary()} ({time.perf_counter() - started:.1f} s); "
          f"chunk_tokens={assistant.settings.chunk_tokens}")
    return assistant


def add_multihop_options(ap) -> None:
    """--data-dir (where the benchmark's index lives) and --dataset (the MultiHop-RAG folder)."""
    ap.add_argument("--data-dir", default="/tmp/briefing-bench-multihop")
    ap.add_argument("--dataset", default=str(MULTIHOP))


def multihop_assistant(args):
    """(dataset folder, indexed Assistant) for parsed add_multihop_options arguments, or None (said on
    stderr) when the dataset is not there."""
    dataset = multihop_dataset(args.dataset)
    if dataset is None:
        return None
    return dataset, indexed_assistant(dataset, args.data_dir)


def emit(lines: list[str], out: str = "") -> None:
    """Print a benchmark's result lines and, with ``out``, write them to that file too."""
    print("\n".join(lines))
    if out:
        Path(out).write_text("\n".join(lines) + "\n", encoding="utf-8")
