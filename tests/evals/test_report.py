"""Report files, plots and run comparison."""

import json

import pytest

from assistant.errors import ConfigError
from assistant.evals.metrics import summarize
from assistant.evals.report import compare_runs, settings_for_report, write_report

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def row(qid, qtype, strict, hits, refused=False, answerable=True, total=1.0):
    return {"id": qid, "type": qtype, "question": f"Question {qid}?", "answerable": answerable, "refused": refused, "error": None,
            "metrics": {"strict_correct": strict, "lenient_any_word": 1.0, "hits@10": hits, "mrr@10": hits and 0.5},
            "latency": {"retrieval": total / 10, "first_token": None, "total": total}}


def write_run(path, rows, meta=None):
    path.mkdir()
    with open(path / "rows.jsonl", "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    write_report(path, summarize(rows), rows, meta or {"mode": "extractive", "command": "briefing eval --out x"})


def run_a():
    return [row("mh0001", "inference", 1.0, 1.0), row("mh0002", "comparison", 0.0, 0.0, total=2.0),
            row("mh0003", "null", 1.0, None, refused=True, answerable=False, total=0.5)]


def test_settings_in_a_report_hide_credentials_but_keep_token_budgets():
    shown = settings_for_report({"openai_api_key": "sk-secret", "auth_password": "pw", "evidence_tokens": 350,
                                 "chunk_tokens": 200, "openai_api_key_unset": None})
    assert shown["openai_api_key"] == "***" and shown["auth_password"] == "***"
    assert shown["evidence_tokens"] == 350 and shown["chunk_tokens"] == 200


def test_report_files_and_plots(tmp_path):
    write_run(tmp_path / "a", run_a(), {"mode": "extractive", "command": "briefing eval --out a",
                                        "settings": settings_for_report({"top_k": 6, "openai_api_key": "sk-secret", "llm": "none"})})
    out = tmp_path / "a"
    for name in ("metrics_by_type.png", "latency.png"):
        data = (out / name).read_bytes()
        assert data.startswith(PNG_MAGIC) and len(data) > 1000, name
    report = (out / "report.md").read_text()
    assert "strict accuracy" in report
    assert "lenient any-word accuracy (MultiHop-RAG's published rule)" in report
    assert "| inference (n=1)" in report and "| null (n=1)" in report
    assert "briefing eval --out a" in report
    assert "ODC-BY" in report  # MultiHop-RAG attribution travels with its results
    assert "sk-secret" not in report and "sk-secret" not in (out / "summary.json").read_text()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["overall"]["metrics"]["strict_correct"] == pytest.approx(2 / 3)
    assert summary["meta"]["mode"] == "extractive"


def test_report_with_no_latencies_still_plots(tmp_path):
    rows = [row("x1", "answerable", 1.0, 1.0)]
    rows[0]["latency"] = {"retrieval": None, "first_token": None, "total": None}
    write_run(tmp_path / "r", rows)
    assert (tmp_path / "r" / "latency.png").read_bytes().startswith(PNG_MAGIC)
    assert "ODC-BY" not in (tmp_path / "r" / "report.md").read_text()


def test_compare_lists_metrics_with_deltas_and_flips(tmp_path):
    write_run(tmp_path / "a", run_a())
    b = run_a()
    b[1] = row("mh0002", "comparison", 1.0, 1.0, total=2.0)  # now correct and retrieved
    b[2] = row("mh0003", "null", 0.0, None, refused=False, answerable=False)  # stopped refusing
    write_run(tmp_path / "b", b)
    text = compare_runs(tmp_path / "a", tmp_path / "b")
    assert "| strict accuracy | 0.667 | 0.667 | +0.000 |" in text
    assert "| retrieval hits@10 | 0.500 | 1.000 | +0.500 |" in text
    assert "mh0002 [comparison]: strict_correct False -> True; hits@10 False -> True" in text
    assert "mh0003 [null]: strict_correct True -> False; refused True -> False" in text
    assert "mh0001" not in text.split("Flipped outcomes")[1]
    assert "2 of 3 questions" in text


def test_report_and_compare_show_how_yes_no_answers_lean(tmp_path):
    def yes_no(qid, gold, answer):
        r = row(qid, "comparison", float(answer.lower().startswith(gold.lower())), 1.0)
        return {**r, "gold_answers": [gold], "answer": answer}

    a = [yes_no("q1", "Yes", "No [1]."), yes_no("q2", "Yes", "No [1]."), yes_no("q3", "No", "No [1].")]
    b = [yes_no("q1", "Yes", "Yes [1]."), yes_no("q2", "Yes", "No [1]."), yes_no("q3", "No", "Yes [1].")]
    write_run(tmp_path / "a", a)
    write_run(tmp_path / "b", b)
    report = (tmp_path / "b" / "report.md").read_text()
    assert "| overall | 1 of 2 | 0 of 1 | 0.250 |" in report
    assert json.loads((tmp_path / "b" / "summary.json").read_text())["overall"]["yes_no"]["said_yes"] == 1
    text = compare_runs(tmp_path / "a", tmp_path / "b")
    assert "| A | 0 of 2 | 1 of 1 | 0.500 |" in text and "| B | 1 of 2 | 0 of 1 | 0.250 |" in text
    # Runs without yes/no questions get no such section.
    write_run(tmp_path / "c", run_a())
    assert "Yes/no" not in compare_runs(tmp_path / "c", tmp_path / "c")
    assert "Yes/no" not in (tmp_path / "c" / "report.md").read_text()


def test_compare_needs_finished_runs(tmp_path):
    (tmp_path / "empty").mkdir()
    write_run(tmp_path / "a", run_a())
    with pytest.raises(ConfigError, match="summary.json"):
        compare_runs(tmp_path / "a", tmp_path / "empty")
