"""`briefing eval QUESTIONS --corpus PATH ... --out DIR` and `briefing eval compare RUN_A RUN_B`."""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import shlex
import sys
import tempfile
from pathlib import Path
from typing import Sequence

from ..config import Settings
from ..errors import AssistantError

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefing eval", description="Run a question set through the assistant and score it.")
    parser.add_argument("questions", help="questions: the project's JSONL, MultiHop-RAG's JSON, or SQuAD v1.1/v2.0 JSON")
    parser.add_argument("--corpus", nargs="*", default=[], help="article files/folders (not needed for SQuAD)")
    parser.add_argument("--mode", choices=["llm", "extractive"], help="answer mode (default: the configured one)")
    parser.add_argument("--limit", type=int, help="a stratified sample of this many questions")
    parser.add_argument("--types", help="comma-separated question types to keep")
    parser.add_argument("--out", required=True, help="folder for rows.jsonl, summary.json, report.md and plots")
    parser.add_argument("--data-dir", help="base data directory (the eval index lives in a subfolder of it)")
    parser.add_argument("--no-progress", action="store_true")
    return parser


def main(argv: Sequence[str]) -> int:
    argv = list(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        if argv[:1] == ["compare"]:
            if len(argv) != 3:
                print("usage: briefing eval compare RUN_A RUN_B", file=sys.stderr)
                return 2
            from . import compare_runs

            print(compare_runs(argv[1], argv[2]))
            return 0
        args = build_parser().parse_args(argv)
        return run(args, argv)
    except AssistantError as exc:
        print(f"briefing eval: error: {exc}", file=sys.stderr)
        return 1


def detect_format(path: Path) -> str:
    if path.suffix == ".jsonl":
        return "project"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise AssistantError(f"cannot read question file {path}: {exc}") from None
    if isinstance(data, dict) and "data" in data:
        return "squad"
    if isinstance(data, list) and data and isinstance(data[0], dict) and "query" in data[0]:
        return "multihop"
    raise AssistantError(f"{path}: not a known question format (project JSONL, MultiHop-RAG JSON, SQuAD JSON)")


def run(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from . import import_multihop_questions, import_squad, load_questions, run_eval
    from ..cli import ingest_with_progress
    from ..pipeline import Assistant
    from .report import settings_for_report

    code = _code_version()  # now, before a long ingest: the checkout may move on while this runs
    qpath = Path(args.questions)
    fmt = detect_format(qpath)
    corpus = [str(Path(c).resolve()) for c in args.corpus]
    if fmt == "squad":
        articles, questions = import_squad(qpath)
        tmp = Path(tempfile.mkdtemp(prefix="briefing-squad-"))
        squad_corpus = tmp / "squad-articles.jsonl"
        with squad_corpus.open("w", encoding="utf-8") as fh:
            for a in articles:
                fh.write(json.dumps({"title": a.title, "body": a.body, "source": a.source}) + "\n")
        corpus.append(str(squad_corpus))
    elif fmt == "multihop":
        questions = import_multihop_questions(qpath)
    else:
        questions = load_questions(qpath)
    if not corpus:
        raise AssistantError("--corpus is required for this question format")

    base = Settings.from_env(data_dir=args.data_dir)
    # An index of its own per corpus and chunking, reused (incrementally) while the corpus is unchanged.
    key = hashlib.sha256(json.dumps([sorted(corpus), base.chunk_tokens, base.chunk_overlap_tokens,
                                     base.embed_model]).encode()).hexdigest()[:12]
    # The joined model files stay where they are: every eval index shares them.
    settings = base.replace(data_dir=base.data_dir / "eval-indexes" / key, model_dir=base.models_dir)
    assistant = Assistant(settings)
    report = ingest_with_progress(assistant, corpus, show=not args.no_progress)
    if report.failed:
        for f in report.failed:
            print(f.line(), file=sys.stderr)
    print(f"eval index {settings.data_dir}: {report.summary()}", file=sys.stderr)
    articles = [assistant.catalog.article(r.id) for r in assistant.catalog.list_articles()]
    meta = {
        "command": "briefing eval " + " ".join(shlex.quote(a) for a in argv),
        "questions": str(qpath),
        "format": fmt,
        "corpus": corpus,
        "settings": settings_for_report(settings),
        "code": code,
    }
    mode = args.mode or assistant.default_mode()
    if mode == "llm" and settings.llm == "local":
        from ..llm import model_record

        meta["llm"] = model_record(settings)
    if fmt == "multihop":
        meta["dataset"] = "MultiHop-RAG (Tang & Yang 2024, ODC-BY 1.0)"
    summary = run_eval(
        assistant, questions, args.out, mode=mode, limit=args.limit,
        types=args.types.split(",") if args.types else None, progress=not args.no_progress, meta=meta,
        articles=articles,
    )
    print(Path(args.out) / "report.md")
    overall = summary.get("overall", summary)
    keys = [k for k in ("n", "strict_accuracy", "hits@10", "mrr@10", "evidence_recall@10") if k in overall]
    print("  ".join(f"{k}={overall[k]:.3f}" if isinstance(overall[k], float) else f"{k}={overall[k]}" for k in keys))
    return 0


def _code_version() -> str | None:
    """The git commit the code runs from ("+changes" when the work tree differs), None outside a checkout."""
    import subprocess

    root = Path(__file__).resolve().parents[2]
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("+changes" if dirty else "") if commit else None
