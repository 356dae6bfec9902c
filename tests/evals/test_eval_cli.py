"""`briefing eval` end to end with the real embedder: project JSONL and SQuAD inputs, outputs, resume, compare."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from assistant.cli import main

ROOT = Path(__file__).resolve().parents[2]
FICTIONAL = ROOT / "evals" / "fictional"

pytestmark = pytest.mark.slow


@pytest.fixture()
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("BRIEFING_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BRIEFING_LLM", "none")
    return tmp_path


def _small_set(tmp_path: Path) -> tuple[Path, Path]:
    """Four fictional questions and just the articles they need (keeps the index small)."""
    rows = [json.loads(line) for line in (FICTIONAL / "questions.jsonl").read_text().splitlines() if line.strip()]
    picked = [r for r in rows if r["type"] == "single"][:3] + [r for r in rows if r["type"] == "unanswerable"][:1]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for r in picked:
        for name in r["evidence_articles"]:
            shutil.copy(FICTIONAL / "corpus" / name, corpus / name)
    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(json.dumps(r) + "\n" for r in picked))
    return questions, corpus


def test_eval_writes_rows_summary_report_and_plots_and_resumes(env, capsys):
    questions, corpus = _small_set(env)
    out = env / "run"
    assert main(["eval", str(questions), "--corpus", str(corpus), "--mode", "extractive", "--out", str(out), "--no-progress"]) == 0
    rows = [json.loads(line) for line in (out / "rows.jsonl").read_text().splitlines()]
    assert len(rows) == 4 and {r["mode"] for r in rows} == {"extractive"}
    assert all(r["passages"] and r["passages"][0]["rank"] == 1 for r in rows)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["overall"]["n"] == 4
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    if head.returncode == 0:  # run from a checkout: the summary records which code produced it
        assert summary["meta"]["code"].split("+")[0] == head.stdout.strip()
    assert 0.0 <= summary["overall"]["metrics"]["hits@10"] <= 1.0
    assert (out / "report.md").read_text().startswith("# Evaluation report")
    for png in ("metrics_by_type.png", "latency.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # A second run over the same folder asks nothing again and keeps one row per question.
    assert main(["eval", str(questions), "--corpus", str(corpus), "--mode", "extractive", "--out", str(out), "--no-progress"]) == 0
    assert len((out / "rows.jsonl").read_text().splitlines()) == 4
    assert "unchanged" in capsys.readouterr().err  # the eval index was reused, not rebuilt

    assert main(["eval", "compare", str(out), str(out)]) == 0
    printed = capsys.readouterr().out
    assert "strict accuracy" in printed and "hits@10" in printed.lower()


def test_eval_reads_squad_without_a_corpus(env):
    squad = env / "squad.json"
    context = "The Harlow Gap Dam was completed in 1968. It holds back Lake Harlow."
    squad.write_text(json.dumps({"version": "v2.0", "data": [{"title": "Harlow Gap Dam", "paragraphs": [{
        "context": context,
        "qas": [
            {"id": "s1", "question": "When was the Harlow Gap Dam completed?", "is_impossible": False,
             "answers": [{"text": "1968", "answer_start": context.index("1968")}]},
            {"id": "s2", "question": "Who designed the Harlow Gap Dam?", "is_impossible": True, "answers": []},
        ]}]}]}))
    out = env / "squad-run"
    assert main(["eval", str(squad), "--mode", "extractive", "--out", str(out), "--no-progress"]) == 0
    rows = {r["id"]: r for r in map(json.loads, (out / "rows.jsonl").read_text().splitlines())}
    assert set(rows) == {"s1", "s2"}
    assert "1968" in rows["s1"]["answer"] and rows["s1"]["metrics"]["hits@10"] == 1.0


def test_eval_without_a_corpus_for_a_jsonl_set_is_a_clear_error(env, capsys):
    questions, _ = _small_set(env)
    assert main(["eval", str(questions), "--out", str(env / "x")]) == 1
    assert "--corpus is required" in capsys.readouterr().err
