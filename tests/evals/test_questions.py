"""Question files: the project's JSONL format, the MultiHop-RAG and SQuAD importers, ref matching."""

import json
from pathlib import Path

import pytest

from assistant.evals.questions import (
    EvalQuestion,
    QuestionFileError,
    import_multihop_questions,
    import_squad,
    load_questions,
    ref_matches,
    sentence_spans,
    write_questions,
)
from assistant.types import Article

MULTIHOP_DEV = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "multihop-rag" / "MultiHopRAG-dev.json"


def test_write_then_load_round_trips(tmp_path):
    questions = [
        EvalQuestion(id="q1", question="Who?", answers=("Ann", "Anne"), type="inference", evidence_articles=("a.txt",),
                     evidence=("Ann did it.",), reference_date="2023-11-01", history=(("Earlier?", "Yes."),)),
        EvalQuestion(id="q2", question="Why?", answers=(), answerable=False),
    ]
    path = tmp_path / "q.jsonl"
    write_questions(path, questions)
    assert load_questions(path) == questions


@pytest.mark.parametrize(
    "line, message",
    [
        ('{"id": "q1", "question": "Who?"', "line 2: not valid JSON"),
        ('{"id": "q1", "question": "Who?"}', "line 2: missing required field 'answers'"),
        ('{"id": "q1", "question": "Who?", "answers": "Ann"}', "line 2: field 'answers' must be a list of strings"),
        ('{"id": "q1", "question": "Who?", "answers": []}', "line 2: field 'answers' is empty for an answerable question"),
        ('{"id": "q1", "question": "", "answers": ["x"]}', "line 2: field 'question' must be a non-empty string"),
        ('{"id": "q1", "question": "Who?", "answers": ["x"], "answerable": "yes"}', "line 2: field 'answerable' must be true or false"),
        ('{"id": "q1", "question": "Who?", "answers": ["x"], "history": [{"question": "a"}]}', "line 2: field 'history' item 0"),
        ('{"id": "q1", "question": "Who?", "answers": ["x"], "anwser": 1}', "line 2: unknown field(s) anwser"),
        ('{"id": "q0", "question": "Who?", "answers": ["x"]}', "line 2: field 'id' 'q0' repeats the id on line 1"),
        ('[1, 2]', "line 2: expected a JSON object"),
    ],
)
def test_bad_rows_name_line_and_field(tmp_path, line, message):
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "q0", "question": "Fine?", "answers": ["x"]}\n' + line + "\n")
    with pytest.raises(QuestionFileError) as err:
        load_questions(path)
    assert message in str(err.value) and str(path) in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(QuestionFileError, match="no such question file"):
        load_questions(tmp_path / "nope.jsonl")


def test_ref_matches_id_url_and_file_name():
    article = Article(id="abc123", title="T", body="B", url="https://x/1", path="/data/news/corpus.json#4")
    assert ref_matches("abc123", article)
    assert ref_matches("https://x/1", article)
    assert ref_matches("corpus.json", article) and ref_matches("corpus.json#7", article)
    assert not ref_matches("other.json", article)
    assert ref_matches("story.txt", Article(id="z", title="T", body="B", path="/in/story.txt"))


def test_import_multihop(tmp_path):
    data = [
        {"query": "Did both report it?", "answer": "Yes", "question_type": "comparison_query",
         "evidence_list": [{"title": "A", "url": "https://a", "source": "S", "published_at": "2023", "fact": "Fact one."},
                           {"title": "B", "url": "https://b", "source": "S", "published_at": "2023", "fact": "Fact two."},
                           {"title": "A", "url": "https://a", "source": "S", "published_at": "2023", "fact": "Fact three."}]},
        {"query": "Unknowable?", "answer": "Insufficient information.", "question_type": "null_query", "evidence_list": []},
    ]
    path = tmp_path / "MultiHopRAG.json"
    path.write_text(json.dumps(data))
    first, null = import_multihop_questions(path)
    assert first == EvalQuestion(id="mh0001", question="Did both report it?", answers=("Yes",), answerable=True, type="comparison",
                                 evidence_articles=("https://a", "https://b"), evidence=("Fact one.", "Fact two.", "Fact three."))
    assert null.id == "mh0002" and not null.answerable and null.type == "null"
    assert null.answers == ("Insufficient information.",) and null.evidence == () and null.evidence_articles == ()
    path.write_text(json.dumps([{"query": "x"}]))
    with pytest.raises(QuestionFileError, match="item 0: missing field 'answer'"):
        import_multihop_questions(path)


@pytest.mark.skipif(not MULTIHOP_DEV.exists(), reason="MultiHop-RAG dev set not present")
def test_import_published_multihop_dev_file():
    questions = import_multihop_questions(MULTIHOP_DEV)
    assert len(questions) == 1279
    assert {q.type for q in questions} == {"inference", "comparison", "temporal", "null"}
    assert sum(not q.answerable for q in questions) == 151
    assert all(q.evidence and q.evidence_articles for q in questions if q.answerable)
    assert len({q.id for q in questions}) == 1279


def test_sentence_spans():
    text = 'First one. "Second!" he said. Third? Last'
    assert [text[s:e] for s, e in sentence_spans(text)] == ["First one.", '"Second!" he said.', "Third?", "Last"]


def test_import_squad(tmp_path):
    from assistant.ingest.load import article_id

    context = "Paris is the capital of France. It has 2 million people. The Seine flows through it."
    squad = {"version": "v2.0", "data": [{"title": "Paris_France", "paragraphs": [{"context": context, "qas": [
        {"id": "s1", "question": "Capital of France?", "is_impossible": False,
         "answers": [{"text": "Paris", "answer_start": 0}, {"text": "Paris", "answer_start": 0}]},
        {"id": "s2", "question": "How many people?", "answers": [{"text": "2 million", "answer_start": 39}, {"text": "2 million people", "answer_start": 39}]},
        {"id": "s3", "question": "Capital of Spain?", "is_impossible": True, "answers": [], "plausible_answers": [{"text": "Paris", "answer_start": 0}]},
    ]}]}]}
    path = tmp_path / "dev-v2.0.json"
    path.write_text(json.dumps(squad))
    articles, questions = import_squad(path)
    assert len(articles) == 1
    art = articles[0]
    assert art.title == "Paris France" and art.body == context and art.source == "SQuAD"
    assert art.id == article_id("Paris France", context) and art.path == "dev-v2.0.json#0"
    s1, s2, s3 = questions
    assert s1.id == "s1" and s1.answers == ("Paris",) and s1.answerable
    assert s1.evidence == ("Paris is the capital of France.",) and s1.evidence_articles == (art.id,)
    assert s2.answers == ("2 million", "2 million people") and s2.evidence == ("It has 2 million people.",)
    assert not s3.answerable and s3.type == "unanswerable" and s3.evidence == ()
