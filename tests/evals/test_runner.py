"""The runner against a deterministic fake assistant: rows, metrics, resume after a kill, sampling."""

import json

import pytest

from assistant.errors import ConfigError, ModelError
from assistant.evals.questions import EvalQuestion
from assistant.evals.runner import read_rows, run_eval, select_questions
from assistant.types import Answer, Citation, Passage, SentenceCheck

GOLD_SENTENCE = "Acme shipped 20 rockets in October."


def make_passage(rank, text, article_id=None):
    article_id = article_id or f"art{rank}"
    return Passage(chunk_id=f"{article_id}:0", article_id=article_id, text=text, title=f"Title {rank}",
                   source="Wire", published_at="2023-10-01", url=f"https://news.example/{article_id}", rank=rank, score=1.0 / rank)


class FakeAssistant:
    """Canned answers chosen by the question's wording; records every call it gets."""

    def __init__(self, fail_after=None, raise_on=()):
        self.calls = []
        self.fail_after = fail_after
        self.raise_on = set(raise_on)

    def ask(self, question, history=(), *, mode=None, reference_date=None, k=None):
        if self.fail_after is not None and len(self.calls) >= self.fail_after:
            raise KeyboardInterrupt  # the operator pressed Ctrl-C mid-run
        self.calls.append({"question": question, "history": list(history), "mode": mode, "reference_date": reference_date, "k": k})
        if question in self.raise_on:
            raise ModelError("the model fell over")
        filler = [make_passage(r, f"Filler passage {r}.") for r in range(1, 11)]
        timings = {"retrieval": 0.01 * (len(self.calls)), "total": 0.1 * len(self.calls)}
        if "unknown" in question:
            return Answer(question=question, text="The articles do not say.", passages=tuple(filler), refused=True, timings=timings)
        gold = make_passage(2, f"Intro. {GOLD_SENTENCE} More.", article_id="acme")
        passages = (filler[0], gold, *filler[2:])
        if "rockets" in question:
            text = "Acme shipped 20 rockets [1]." if "right" in question else "Acme shipped 200 rockets [1]."
            return Answer(
                question=question, text=text, passages=passages,
                citations=(Citation(1, gold, (GOLD_SENTENCE,)),),
                sentences=(SentenceCheck(text, (1,), "right" in question),),
                timings={**timings, "first_token": 0.05},
            )
        return Answer(question=question, text="Yes, both reported it.", passages=passages, timings=timings)


def q(i, qtype="inference", question=None, **kw):
    defaults = dict(answers=("20",), evidence=(GOLD_SENTENCE,), evidence_articles=("acme",))
    defaults.update(kw)
    return EvalQuestion(id=f"q{i:02d}", question=question or f"How many rockets, right? {i}", type=qtype, **defaults)


def questions():
    return [
        q(1),
        q(2, question="How many rockets? wrong"),
        q(3, "comparison", question="Did both report it?", answers=("yes",)),
        q(4, "null", question="Something unknown?", answers=("Insufficient information.",), answerable=False, evidence=(), evidence_articles=()),
        q(5, "temporal", question="Which rockets last week, right?", reference_date="2023-10-08",
          history=(("What is Acme?", "A rocket maker."),)),
        q(6, "null", question="Another rockets question?", answers=("Insufficient information.",), answerable=False, evidence=(), evidence_articles=()),
    ]


def test_run_writes_rows_with_metrics_and_report(tmp_path):
    fake = FakeAssistant()
    summary = run_eval(fake, questions(), tmp_path, mode="extractive", progress=False, meta={"command": "briefing eval x"})
    rows = {r["id"]: r for r in read_rows(tmp_path / "rows.jsonl")}
    assert list(rows) == ["q01", "q02", "q03", "q04", "q05", "q06"]
    assert all(call["k"] == 10 and call["mode"] == "extractive" for call in fake.calls)
    assert fake.calls[4]["history"] == [("What is Acme?", "A rocket maker.")]
    assert fake.calls[4]["reference_date"] == "2023-10-08"

    r1 = rows["q01"]
    assert r1["answer"] == "Acme shipped 20 rockets [1]." and r1["gold_answers"] == ["20"]
    assert r1["metrics"]["strict_correct"] == 1.0
    assert r1["metrics"]["hits@10"] == 1.0 and r1["metrics"]["mrr@10"] == 0.5 and r1["metrics"]["hits@4"] == 1.0
    assert r1["metrics"]["article_recall@10"] == 1.0
    assert r1["metrics"]["citation_precision"] == 1.0 and r1["metrics"]["citation_recall"] == 1.0
    assert r1["citations"][0] == {"number": 1, "chunk_id": "acme:0", "article_id": "acme", "title": "Title 2", "source": "Wire",
                                  "published_at": "2023-10-01", "sentences": [GOLD_SENTENCE]}
    assert r1["passages"][1]["rank"] == 2 and r1["passages"][1]["chunk_id"] == "acme:0" and len(r1["passages"]) == 10
    assert r1["sentences"][0]["supported"] is True
    assert r1["latency"]["first_token"] == 0.05

    assert rows["q02"]["metrics"]["strict_correct"] == 0.0  # "200" is not "20"
    assert rows["q02"]["metrics"]["lenient_any_word"] == 0.0
    assert rows["q03"]["metrics"]["strict_correct"] == 1.0  # "Yes, both ..." vs gold "yes"
    assert rows["q04"]["refused"] and rows["q04"]["metrics"]["strict_correct"] == 1.0
    assert rows["q04"]["metrics"]["hits@10"] is None  # no evidence: retrieval not scored
    assert rows["q06"]["metrics"]["strict_correct"] == 0.0  # answered an unanswerable question

    assert summary["overall"]["n"] == 6
    assert summary["overall"]["metrics"]["strict_correct"] == pytest.approx(4 / 6)
    assert summary["overall"]["refusal"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3)}
    assert set(summary["by_type"]) == {"inference", "comparison", "null", "temporal"}
    for name in ("summary.json", "report.md", "metrics_by_type.png", "latency.png", "run.json"):
        assert (tmp_path / name).exists(), name
    saved = json.loads((tmp_path / "summary.json").read_text())
    assert saved["meta"]["mode"] == "extractive" and saved["meta"]["command"] == "briefing eval x"
    assert "briefing eval x" in (tmp_path / "report.md").read_text()


def test_resume_after_kill_runs_each_question_once(tmp_path):
    qs = questions()
    with pytest.raises(KeyboardInterrupt):
        run_eval(FakeAssistant(fail_after=3), qs, tmp_path, progress=False)
    assert [r["id"] for r in read_rows(tmp_path / "rows.jsonl")] == ["q01", "q02", "q03"]
    assert not (tmp_path / "summary.json").exists()

    second = FakeAssistant()
    summary = run_eval(second, qs, tmp_path, progress=False)
    assert [c["question"] for c in second.calls] == [x.question for x in qs[3:]]  # only the rest was asked
    ids = [r["id"] for r in read_rows(tmp_path / "rows.jsonl")]
    assert sorted(ids) == [x.id for x in qs] and len(ids) == len(set(ids))
    assert summary["overall"]["n"] == len(qs)


def test_resume_repairs_a_line_cut_short(tmp_path):
    qs = questions()[:3]
    with pytest.raises(KeyboardInterrupt):
        run_eval(FakeAssistant(fail_after=2), qs, tmp_path, progress=False)
    with open(tmp_path / "rows.jsonl", "a") as f:
        f.write('{"id": "q03", "type": "compar')  # killed in the middle of a write
    run_eval(FakeAssistant(), qs, tmp_path, progress=False)
    ids = [r["id"] for r in read_rows(tmp_path / "rows.jsonl")]
    assert ids == ["q01", "q02", "q03"]
    assert all(json.loads(line) for line in (tmp_path / "rows.jsonl").read_text().splitlines())


def test_failed_question_is_recorded_then_retried(tmp_path):
    qs = questions()[:3]
    run_eval(FakeAssistant(raise_on={qs[1].question}), qs, tmp_path, progress=False)
    rows = {r["id"]: r for r in read_rows(tmp_path / "rows.jsonl")}
    assert rows["q02"]["error"] == "ModelError: the model fell over"
    assert rows["q02"]["metrics"]["strict_correct"] == 0.0 and rows["q02"]["metrics"]["hits@10"] is None
    retry = FakeAssistant()
    summary = run_eval(retry, qs, tmp_path, progress=False)
    assert [c["question"] for c in retry.calls] == [qs[1].question]
    assert summary["overall"]["n_errors"] == 0
    assert [r["id"] for r in read_rows(tmp_path / "rows.jsonl")] == ["q01", "q03", "q02"]


def test_resume_in_another_mode_is_refused(tmp_path):
    run_eval(FakeAssistant(), questions()[:1], tmp_path, mode="extractive", progress=False)
    with pytest.raises(ConfigError, match="mode"):
        run_eval(FakeAssistant(), questions()[:1], tmp_path, mode="llm", progress=False)


def test_limit_is_a_deterministic_stratified_round_robin():
    qs = [EvalQuestion(id=f"{t[0]}{i}", question="?", answers=("x",), type=t) for t in ("b_type", "a_type", "c_type") for i in (3, 1, 2)]
    picked = select_questions(qs, limit=4)
    assert [x.id for x in picked] == ["a1", "b1", "c1", "a2"]
    assert [x.id for x in select_questions(list(reversed(qs)), limit=4)] == ["a1", "b1", "c1", "a2"]
    assert [x.id for x in select_questions(qs, limit=2, types=["c_type"])] == ["c1", "c2"]
    assert len(select_questions(qs, limit=100)) == 9
    assert select_questions(qs, limit=0) == []


def test_limit_and_types_in_run(tmp_path):
    fake = FakeAssistant()
    summary = run_eval(fake, questions(), tmp_path, limit=2, types=["null", "inference"], progress=False)
    assert sorted(r["id"] for r in read_rows(tmp_path / "rows.jsonl")) == ["q01", "q04"]
    assert summary["overall"]["n"] == 2
