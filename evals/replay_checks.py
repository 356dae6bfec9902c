"""Put the model drafts recorded in eval runs through today's answer checks, without the model.

    python evals/replay_checks.py evals/results/fictional-heldout-d-llm [RUN_DIR ...] [--data-dir DIR]

For each LLM row of each run directory (its rows.jsonl), the model's own sentences, with the passages they
cited, go through the pipeline's checks again (Assistant._checked: the citation check and the code answer
checks). The model's separate check is not asked (there is no model): it counts as passed. Prints one line per
row: run, id, RIGHT / ANSWERED / REFUSED, and the first reason a sentence was set aside. Run it on two commits
and diff the output to see which recorded answers a rule change turns, before spending an hour of model time.

The rows name their passages by chunk id: the index the run used must still exist (by default the data
directory its summary.json records; --data-dir overrides it for every run).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from pathlib import Path

from assistant.config import Settings
from assistant.pipeline import Assistant

QUOTE = re.compile(r"\) reported: \u201c")  # a fallback quote, not the model's own sentence


def model_draft(row: dict, positions: dict[str, int]) -> str:
    """The model's sentences of a recorded row, each with markers renumbered to the passages as retrieved."""
    final = {c["number"]: c["chunk_id"] for c in row["citations"]}
    parts = []
    for s in row.get("sentences") or []:
        if QUOTE.search(s["text"]):
            continue
        numbers = s["citations"] if isinstance(s["citations"], list) else []
        if s["supported"] and row["mode"] == "llm":  # supported sentences carry the final, renumbered markers
            numbers = [positions.get(final.get(n), 0) for n in numbers]
        parts.append(s["text"] + "".join(f" [{n}]" for n in numbers if n))
    return " ".join(parts)


def replay(run: Path, data_dir: Path | None) -> None:
    meta = json.loads((run / "summary.json").read_text())["meta"]
    directory = data_dir or Path(meta["settings"]["data_dir"])
    if not directory.is_dir():
        raise SystemExit(f"{run}: its index {directory} is gone; rebuild it with the run's command or pass --data-dir")
    top_k = meta["settings"].get("top_k", 6)
    assistant = Assistant(Settings.from_env(data_dir=directory, llm="none"))
    try:
        for line in (run / "rows.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            ids = [p["chunk_id"] for p in row["passages"]][:top_k]
            found = {p.chunk_id: p for p in assistant.store.get(ids)}
            context = [found[i] for i in ids if i in found]
            draft = model_draft(row, {p.chunk_id: n for n, p in enumerate(context, start=1)})
            if not draft:
                continue
            question = row["standalone_question"] or row["question"]
            text, _, checks, refused, _ = assistant._checked(draft, context, question, "llm", {})
            why = next((c.reason for c in checks if not c.supported), "")
            gold = [g.lower() for g in row["gold_answers"]]
            right = row["answerable"] and not refused and any(g in text.lower() for g in gold)
            verdict = "REFUSED" if refused else "RIGHT" if right else "ANSWERED"
            print(run.name, row["id"], verdict, why[:110])
    finally:
        assistant.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", type=Path, help="eval run directories holding rows.jsonl and summary.json")
    parser.add_argument("--data-dir", type=Path, help="the index to read passages from (default: each run's own)")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # the missing model's check is expected to fail quietly
    for run in args.runs:
        if not (run / "rows.jsonl").exists():
            print(f"{run}: no rows.jsonl", file=sys.stderr)
            continue
        replay(run, args.data_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
