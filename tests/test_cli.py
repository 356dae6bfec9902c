"""`briefing` commands with the real embedder: exit codes, summaries, listings, answers, errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.cli import main

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
FICTIONAL = ROOT / "evals" / "fictional" / "corpus"
BUNDLED = ROOT / "corpus"
BRIEF_TITLE = "Iran-backed Iraqi militias cross into Syria to reinforce Assad's forces after fall of Aleppo"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """One index for the whole module, chosen through the environment as a user would."""
    path = tmp_path_factory.mktemp("briefing-data")
    with pytest.MonkeyPatch.context() as mp:
        for var in ("BRIEFING_CONFIG", "BRIEFING_CHROMA_URL", "BRIEFING_CHROMA_HOST"):
            mp.delenv(var, raising=False)
        mp.setenv("BRIEFING_DATA_DIR", str(path))
        mp.setenv("BRIEFING_LLM", "none")
        yield path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("briefing: error: ")
    return lines[0]


def test_ask_on_an_empty_index_is_a_one_line_error(data_dir, capsys):
    code, out, err = run(capsys, "ask", "How many Iraqi militia crossed into Syria?")
    assert code == 1
    assert "index is empty" in one_line_error(err)
    assert "Traceback" not in err


def test_ingest_folders_prints_the_summary(data_dir, capsys):
    code, out, err = run(capsys, "ingest", "--no-progress", str(BUNDLED), str(FICTIONAL))
    assert code == 0, out + err
    assert "46 added" in out and "0 failed" in out
    assert re.search(r"46 articles and \d+ chunks indexed", out)
    assert "README" not in out
    assert (data_dir / "catalog.sqlite3").exists() and (data_dir / "chroma").is_dir()
    # Again: nothing to do.
    code, out, _ = run(capsys, "ingest", "--no-progress", str(BUNDLED), str(FICTIONAL))
    assert code == 0 and "46 unchanged" in out and "0 articles and 0 chunks indexed" in out


def test_ingest_with_a_bad_file_exits_3_and_still_ingests_the_good_ones(data_dir, capsys, tmp_path):
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "ferry.md").write_text(
        "---\ntitle: Grennock ferry resumes sailings\nsource: Northgate Wire\ndate: 2026-03-20\n---\n"
        "The Grennock ferry resumed sailings on March 20 after the storm damage to its pier was repaired.\n",
        encoding="utf-8",
    )
    (batch / "empty.txt").write_bytes(b"")
    code, out, err = run(capsys, "ingest", "--no-progress", str(batch))
    assert code == 3
    assert re.search(r"failed\s+\S*empty\.txt: file is empty", out), out
    assert "1 added" in out and "1 failed" in out
    code, out, _ = run(capsys, "articles", "--search", "Grennock ferry")
    assert code == 0 and "Grennock ferry resumes sailings" in out and "1 article(s)" in out


def test_articles_lists_date_outlet_chunks_and_title_and_filters_by_outlet(data_dir, capsys):
    code, out, _ = run(capsys, "articles")
    assert code == 0
    assert "47 article(s)" in out
    line = next(line for line in out.splitlines() if "Harlow Gap Dam breach floods Dunmarrow" in line)
    assert re.match(r"2026-03-04\s+The Marrent Ledger\s+\d+ chunks\s+[0-9a-f]{10}\s+Harlow Gap Dam breach", line), line
    assert any(line.startswith("2024-12-02") and BRIEF_TITLE in line for line in out.splitlines())

    code, out, _ = run(capsys, "articles", "--outlet", "Northgate Wire")
    rows = [line for line in out.splitlines() if re.match(r"\d{4}-\d{2}-\d{2}\s", line)]
    assert code == 0 and len(rows) == 9 and "9 article(s)" in out  # 8 fictional + the ferry story
    assert all("Northgate Wire" in r for r in rows)

    code, out, _ = run(capsys, "articles", "--outlet", "northgate wire", "--since", "2026-03-10", "--until", "2026-03-12")
    rows = [line for line in out.splitlines() if re.match(r"\d{4}-\d{2}-\d{2}\s", line)]
    assert rows and all("2026-03-10" <= r[:10] <= "2026-03-12" for r in rows)


def test_status_shows_data_dir_counts_and_embedding_model(data_dir, capsys):
    code, out, _ = run(capsys, "status")
    assert code == 0
    assert f"data directory:  {data_dir}" in out
    assert "all-MiniLM-L6-v2" in out
    assert re.search(r"articles: 47\s+chunks: \d+\s+files: 47", out)  # the empty file is not recorded, out
    assert "incomplete: 0" in out
    assert "chunking:" not in out  # built with the current settings


def test_status_says_when_the_index_was_chunked_with_other_settings(data_dir, capsys, monkeypatch):
    monkeypatch.setenv("BRIEFING_CHUNK_TOKENS", "100")
    code, out, _ = run(capsys, "status")
    assert code == 0
    assert re.search(r'chunking: +the index was built with \{"chunk_overlap_tokens": 0, "chunk_tokens": 200, "chunker": 1\}; '
                     r"`briefing ingest` re-chunks it", out), out


def test_ask_answers_with_the_figure_and_a_source_line(data_dir, capsys):
    code, out, err = run(capsys, "ask", "How many Iraqi militia crossed into Syria?")
    assert code == 0, err
    answer = out.split("\n\n")[0]
    assert "200" in answer
    assert re.search(r"\[1\] " + re.escape(BRIEF_TITLE) + r" \| Briefing desk \(restating an msn report\) \| 2024-12-02", out), out
    assert "(extractive answer" in out


def test_ask_about_something_absent_refuses_and_shows_closest_passages(data_dir, capsys):
    code, out, _ = run(capsys, "ask", "What is the population of the lunar colony at Zeta Reticuli?")
    assert code == 0
    assert out.startswith("The articles do not say.")
    assert "Closest passages:" in out


def test_remove_by_id_prefix(data_dir, capsys):
    code, out, _ = run(capsys, "articles", "--search", "Grennock ferry")
    prefix = re.search(r"\b([0-9a-f]{10})\b", out).group(1)[:8]
    code, out, err = run(capsys, "remove", prefix)
    assert code == 0, err
    assert f"removed {prefix}: 1 article(s)" in out
    code, out, _ = run(capsys, "articles", "--search", "Grennock ferry")
    assert "0 article(s)" in out
    code, out, _ = run(capsys, "status")
    assert "articles: 46" in out


def test_remove_unknown_id_is_a_one_line_error(data_dir, capsys):
    code, out, err = run(capsys, "remove", "ffffffff")
    assert code == 1
    assert "no article or ingested file matches 'ffffffff'" in one_line_error(err)
