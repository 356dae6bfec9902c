"""The fictional eval fixture (evals/fictional) is internally consistent and big enough."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "evals" / "fictional" / "check_questions.py"


def _load_checker():
    spec = importlib.util.spec_from_file_location("fictional_check_questions", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def checker():
    return _load_checker()


@pytest.fixture(scope="module")
def report(checker):
    return checker.run_checks(ROOT / "evals" / "fictional" / "corpus", ROOT / "evals" / "fictional" / "questions.jsonl")


def test_no_problems(report):
    assert report["problems"] == [], "\n".join(report["problems"])


def test_minimum_sizes(report):
    assert report["n_articles"] >= 40
    assert report["n_questions"] >= 150
    assert report["n_unanswerable"] >= 30
    assert len(report["outlets"]) >= 5
    assert len(report["dates"]) >= 10


def test_type_minimums(report, checker):
    for qtype, minimum in checker.MIN_PER_TYPE.items():
        assert report["type_counts"].get(qtype, 0) >= minimum, qtype
    assert set(report["type_counts"]) <= set(checker.TYPES)


def test_checker_catches_a_bad_evidence_sentence(checker, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    body = " ".join(["Filler words here."] * 40)
    (corpus / "a.md").write_text(
        "---\ntitle: T\nsource: Northgate Wire\ndate: 2026-03-01\nurl: https://x.example/a\nauthor: A\n---\n"
        f"The toll rose to 5 on Monday. {body}\n",
        encoding="utf-8",
    )
    articles, problems = checker.load_corpus(corpus)
    assert problems == []
    good = {"id": "x1", "question": "Toll?", "answers": ["5"], "answerable": True, "type": "single",
            "evidence_articles": ["a.md"], "evidence": ["The toll rose to 5 on Monday."], "reference_date": None, "history": []}
    bad = dict(good, id="x2", evidence=["The toll rose to 6 on Monday."])
    partial = dict(good, id="x3", evidence=["toll rose to 5"])
    unans = {"id": "x4", "question": "Age?", "answers": ["Insufficient information."], "answerable": False,
             "type": "unanswerable", "evidence_articles": ["a.md"], "evidence": [], "reference_date": None, "history": []}
    dup = dict(good)
    problems, _ = checker.check_questions([good, bad, partial, unans, dup], articles)
    text = "\n".join(problems)
    assert "x1" in text and "duplicate id" in text
    assert "question x2: evidence not found" in text
    assert "question x3: evidence is not one whole sentence" in text
    assert "question x4: unanswerable question carries evidence" in text


def test_the_unanswerable_yes_no_questions_are_well_formed(checker):
    # A small separate set (not held to the main set's sizes): every question must pass the per-question checks.
    report = checker.run_checks(ROOT / "evals" / "fictional" / "corpus",
                                ROOT / "evals" / "fictional" / "questions-unanswerable-yes-no.jsonl")
    assert report["n_questions"] == report["n_unanswerable"] == 8
    assert [p for p in report["problems"] if p.startswith("question")] == []


@pytest.mark.parametrize("name", ["questions-yes-no.jsonl", "questions-yes-no-b.jsonl", "questions-unanswerable-yes-no.jsonl",
                                  "questions-heldout.jsonl", "questions-heldout-b.jsonl",
                                  "questions-heldout-c.jsonl", "questions-heldout-d.jsonl"])
def test_the_side_sets_pass_the_per_question_checks_and_keep_their_own_ids(checker, name):
    # Small sets kept apart from questions.jsonl (see evals/fictional/README.md): every question is checked
    # like the main set's (evidence verbatim and whole, unanswerable ones without), only the size minimums are not.
    articles, problems = checker.load_corpus(ROOT / "evals" / "fictional" / "corpus")
    questions, more = checker.load_questions(ROOT / "evals" / "fictional" / name)
    problems += more
    problems += checker.check_questions(questions, articles)[0]
    assert questions and problems == [], "\n".join(problems)
    main, _ = checker.load_questions(ROOT / "evals" / "fictional" / "questions.jsonl")
    assert not {q["id"] for q in questions} & {q["id"] for q in main}
