"""`briefing ingest|articles|remove|status|ask|chat|eval`: the only place errors become exit codes."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from datetime import date
from pathlib import Path
from typing import Sequence

from .config import Settings
from .errors import AssistantError

log = logging.getLogger("assistant")

BUNDLED_CORPUS = Path(__file__).resolve().parent.parent / "corpus"

EXIT_OK, EXIT_ERROR, EXIT_PARTIAL, EXIT_USAGE = 0, 1, 3, 2


def _iso_date(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2023-10-02") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefing", description="Cited answers over a collection of news articles.")
    parser.add_argument("--data-dir", help="where the index and models live (default: $BRIEFING_DATA_DIR or ~/.local/share/briefing-assistant)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="add article files, folders or globs to the index")
    p.add_argument("paths", nargs="+")
    p.add_argument("--no-progress", action="store_true")

    p = sub.add_parser("articles", help="list indexed articles")
    p.add_argument("--outlet")
    p.add_argument("--since", type=_iso_date)
    p.add_argument("--until", type=_iso_date)
    p.add_argument("--search", help="only articles whose title or text contains this")

    p = sub.add_parser("remove", help="remove an article (id or id prefix) or an ingested file (path)")
    p.add_argument("refs", nargs="+")

    sub.add_parser("status", help="where the index is, counts, embedding model")

    p = sub.add_parser("ask", help="answer one question with cited passages")
    p.add_argument("question")
    p.add_argument("--mode", choices=["llm", "extractive"])
    p.add_argument("-k", type=int, help="passages to use")
    p.add_argument("--outlet", action="append", default=[], help="only this outlet (repeatable)")
    p.add_argument("--since", type=_iso_date)
    p.add_argument("--until", type=_iso_date)
    p.add_argument("--date", type=_iso_date, help="the reference date for 'yesterday' and 'latest'")
    p.add_argument("--passages", action="store_true", help="also list every retrieved passage")

    p = sub.add_parser("chat", help="serve the web chat (Gradio)")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--open", action="store_true", help="allow listening beyond localhost without credentials")
    p.add_argument("--no-bundled", action="store_true", help="do not ingest the bundled corpus into an empty index")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["eval"]:
        from .evals.cli import main as eval_main

        return eval_main(argv[1:])
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    try:
        overrides = {"data_dir": args.data_dir}
        if args.command == "chat":
            overrides.update(host=args.host, port=args.port, open_access=True if args.open else None)
        settings = Settings.from_env(**overrides)
        return COMMANDS[args.command](settings, args)
    except AssistantError as exc:
        print(f"briefing: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("briefing: interrupted", file=sys.stderr)
        return 130


def _assistant(settings: Settings):
    from .pipeline import Assistant

    return Assistant(settings)


def cmd_ingest(settings: Settings, args) -> int:
    assistant = _assistant(settings)
    report = ingest_with_progress(assistant, args.paths, show=not args.no_progress)
    for result in report.files:
        if result.status != "unchanged" or args.verbose:
            print(result.line())
    print(report.summary())
    return EXIT_PARTIAL if report.failed else EXIT_OK


def ingest_with_progress(assistant, paths: Sequence[str], show: bool = True):
    from tqdm import tqdm

    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None and show and total:
            bar = tqdm(total=total, unit="article", desc="Indexing", file=sys.stderr)
        if bar is not None:
            if total != bar.total:  # a second phase (stored articles re-chunked, then new ones indexed)
                bar.reset(total=total)
            bar.n = done
            bar.refresh()

    try:
        return assistant.ingest(paths, progress)
    finally:
        if bar is not None:
            bar.close()


def cmd_articles(settings: Settings, args) -> int:
    assistant = _assistant(settings)
    rows = assistant.catalog.list_articles(args.outlet, args.since, args.until, args.search)
    for r in rows:
        print(f"{(r.published_at or 'undated')[:10]:<10}  {(r.source or '-')[:22]:<22}  {r.chunk_count:>3} chunks  {r.id[:10]}  {r.title}")
    print(f"{len(rows)} article(s)")
    return EXIT_OK


def cmd_remove(settings: Settings, args) -> int:
    assistant = _assistant(settings)
    failed = False
    for ref in args.refs:
        try:
            removed = assistant.remove(ref)
            print(f"removed {ref}: {len(removed)} article(s)")
        except AssistantError as exc:
            print(f"briefing: error: {exc}", file=sys.stderr)
            failed = True
    return EXIT_ERROR if failed else EXIT_OK


def cmd_status(settings: Settings, args) -> int:
    assistant = _assistant(settings)
    counts = assistant.catalog.counts()
    print(f"data directory:  {settings.data_dir}")
    print(f"vector store:    {assistant.store.describe()}")
    print(f"catalog:         {settings.catalog_path}")
    print(f"embedding model: {settings.embed_model} ({settings.embed_dtype}), chunks of at most {settings.chunk_tokens} word pieces")
    recorded = assistant.catalog.meta("layout")
    if counts["articles"] and recorded != assistant.indexer.layout():
        print(f"chunking:        the index was built with {recorded or 'unrecorded settings'}; "
              "`briefing ingest` re-chunks it for the current settings")
    print(f"answer model:    {settings.llm}" + (f" ({settings.llm_model})" if settings.llm == "local" else ""))
    print(f"articles: {counts['articles']}  chunks: {counts['chunks']}  files: {counts['files']}  "
          f"near duplicates: {counts['duplicates']}  incomplete: {counts['pending']}")
    return EXIT_OK


def cmd_ask(settings: Settings, args) -> int:
    from .retrieval import Filters

    assistant = _assistant(settings)
    if assistant.catalog.counts()["articles"] == 0:
        raise AssistantError("the index is empty: run `briefing ingest PATH` first")
    filters = Filters(tuple(args.outlet), args.since, args.until)
    answer = assistant.ask(args.question, mode=args.mode, k=args.k, filters=filters, reference_date=args.date)
    print(format_answer(answer, show_passages=args.passages))
    return EXIT_OK


def format_answer(answer, show_passages: bool = False) -> str:
    """Plain-text rendering for the terminal: answer, citations, per-sentence check."""
    lines = [answer.text, ""]
    if answer.citations:
        lines.append("Sources:")
        for c in answer.citations:
            p = c.passage
            lines.append(f"  [{c.number}] {p.title} | {p.source or 'unknown outlet'} | {(p.published_at or 'undated')[:10]}"
                         + (f" | {p.url}" if p.url else ""))
            for s in c.sentences:
                lines.append(f"      \u201c{s.strip()}\u201d")
    if answer.sentences:
        lines.append("Citation check:")
        for s in answer.sentences:
            mark = "supported" if s.supported else f"UNSUPPORTED ({s.reason})"
            cites = "".join(f"[{n}]" for n in s.citations)
            lines.append(f"  {mark}: {s.text} {cites}".rstrip())
    if answer.refused and answer.passages:
        lines.append("Closest passages:")
        for p in answer.passages[:3]:
            lines.append(f"  - {p.title} | {p.source or '-'} | {(p.published_at or 'undated')[:10]}: {p.text.strip()[:160]}")
    if show_passages:
        lines.append("Retrieved passages:")
        for p in answer.passages:
            lines.append(f"  {p.rank:>2}. score {p.score:.4f} | {p.title} | {p.source or '-'} | {(p.published_at or 'undated')[:10]}")
            lines.append(f"      {p.text.strip()[:200]}")
    lines.append(f"({answer.mode} answer, {answer.timings.get('total', 0):.2f} s)")
    return "\n".join(lines)


def cmd_chat(settings: Settings, args) -> int:
    from .ui.app import check_access, serve

    check_access(settings)  # refuse an unsafe host before any slow work
    assistant = _assistant(settings)
    if assistant.catalog.counts()["articles"] == 0 and not args.no_bundled and BUNDLED_CORPUS.is_dir():
        print(f"The index is empty: ingesting the bundled corpus from {BUNDLED_CORPUS}", file=sys.stderr)
        ingest_with_progress(assistant, [str(BUNDLED_CORPUS)])
    serve(assistant, settings)
    return EXIT_OK


COMMANDS = {
    "ingest": cmd_ingest,
    "articles": cmd_articles,
    "remove": cmd_remove,
    "status": cmd_status,
    "ask": cmd_ask,
    "chat": cmd_chat,
}
