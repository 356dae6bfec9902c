"""Evaluation questions: the project's JSONL format, and importers for MultiHop-RAG and SQuAD.

Project format, one JSON object a line::

    {"id": "q1", "question": "...", "answers": ["..."], "answerable": true, "type": "inference",
     "evidence_articles": ["article-id, file name or url"], "evidence": ["gold sentence"],
     "reference_date": "2023-11-01", "history": [{"question": "...", "answer": "..."}]}

Only id, question and answers are required; the rest default to answerable true, type "unknown",
empty lists and no reference date.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..errors import CorpusError
from ..types import Article

INSUFFICIENT = "Insufficient information."
FIELDS = ("id", "question", "answers", "answerable", "type", "evidence_articles", "evidence", "reference_date", "history")
_RECORD_SUFFIX = re.compile(r"#\d+$")


class QuestionFileError(CorpusError):
    """A question file or one of its rows cannot be read; the message names the line and field."""


@dataclass(frozen=True)
class EvalQuestion:
    """One evaluation question with its gold answers and the evidence that supports them."""

    id: str
    question: str
    answers: tuple[str, ...]
    answerable: bool = True
    type: str = "unknown"
    # Article ids, file names (a "#N" record suffix is ignored) or, for MultiHop-RAG, urls.
    evidence_articles: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()  # gold evidence sentences, matched whitespace-insensitively
    reference_date: str | None = None  # "today" for questions like "last week"
    history: tuple[tuple[str, str], ...] = ()  # earlier (question, answer) turns of the conversation

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question": self.question,
            "answers": list(self.answers),
            "answerable": self.answerable,
            "type": self.type,
            "evidence_articles": list(self.evidence_articles),
            "evidence": list(self.evidence),
            "reference_date": self.reference_date,
            "history": [{"question": q, "answer": a} for q, a in self.history],
        }


# --- matching evidence articles -------------------------------------------------------------------


def strip_record_suffix(ref: str) -> str:
    """``"corpus.json#3"`` -> ``"corpus.json"``: refs name a file, not a record in it."""
    return _RECORD_SUFFIX.sub("", ref)


def article_aliases(article_id: str, url: str | None = None, path: str | None = None) -> set[str]:
    """Every name an evidence ref may use for an article: its id, its url, its file name."""
    names = {article_id}
    if url:
        names.add(url)
    if path:
        names.add(Path(strip_record_suffix(path)).name)
    return names


def ref_matches(ref: str, article: Article) -> bool:
    """True when an evidence ref names this article: equal to its id, its url, or the file name of
    its path, ignoring a "#N" record suffix on either side."""
    return strip_record_suffix(ref) in {strip_record_suffix(n) for n in article_aliases(article.id, article.url, article.path)}


# --- the project's JSONL format -------------------------------------------------------------------


def _str_list(value: Any, field: str, where: str, path: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise QuestionFileError(path, f"{where}: field {field!r} must be a list of strings, not {value!r}")
    return tuple(value)


def _question_from_dict(obj: Any, where: str, path: str) -> EvalQuestion:
    if not isinstance(obj, dict):
        raise QuestionFileError(path, f"{where}: expected a JSON object, got {type(obj).__name__}")
    unknown = set(obj) - set(FIELDS)
    if unknown:
        raise QuestionFileError(path, f"{where}: unknown field(s) {', '.join(sorted(unknown))} (allowed: {', '.join(FIELDS)})")
    for field in ("id", "question", "answers"):
        if field not in obj:
            raise QuestionFileError(path, f"{where}: missing required field {field!r}")
    for field in ("id", "question"):
        if not isinstance(obj[field], str) or not obj[field].strip():
            raise QuestionFileError(path, f"{where}: field {field!r} must be a non-empty string, not {obj[field]!r}")
    answers = _str_list(obj["answers"], "answers", where, path)
    answerable = obj.get("answerable", True)
    if not isinstance(answerable, bool):
        raise QuestionFileError(path, f"{where}: field 'answerable' must be true or false, not {answerable!r}")
    if answerable and not any(a.strip() for a in answers):
        raise QuestionFileError(path, f"{where}: field 'answers' is empty for an answerable question")
    qtype = obj.get("type", "unknown")
    if not isinstance(qtype, str) or not qtype:
        raise QuestionFileError(path, f"{where}: field 'type' must be a non-empty string, not {qtype!r}")
    reference_date = obj.get("reference_date")
    if reference_date is not None and not isinstance(reference_date, str):
        raise QuestionFileError(path, f"{where}: field 'reference_date' must be a string or null, not {reference_date!r}")
    history_raw = obj.get("history", [])
    if not isinstance(history_raw, list):
        raise QuestionFileError(path, f"{where}: field 'history' must be a list, not {history_raw!r}")
    history = []
    for i, turn in enumerate(history_raw):
        if not (isinstance(turn, dict) and isinstance(turn.get("question"), str) and isinstance(turn.get("answer"), str)):
            raise QuestionFileError(path, f"{where}: field 'history' item {i} must be {{\"question\": str, \"answer\": str}}, not {turn!r}")
        history.append((turn["question"], turn["answer"]))
    return EvalQuestion(
        id=obj["id"],
        question=obj["question"],
        answers=answers,
        answerable=answerable,
        type=qtype,
        evidence_articles=_str_list(obj.get("evidence_articles", []), "evidence_articles", where, path),
        evidence=_str_list(obj.get("evidence", []), "evidence", where, path),
        reference_date=reference_date,
        history=tuple(history),
    )


def load_questions(path: str | Path) -> list[EvalQuestion]:
    """Read a question file in the project's JSONL format (blank lines skipped). Raises
    QuestionFileError naming the line and field of the first bad row, or a repeated id."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise QuestionFileError(str(path), "no such question file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionFileError(str(path), f"cannot read: {exc}") from None
    questions: list[EvalQuestion] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QuestionFileError(str(path), f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
        q = _question_from_dict(obj, where, str(path))
        if q.id in seen:
            raise QuestionFileError(str(path), f"{where}: field 'id' {q.id!r} repeats the id on line {seen[q.id]}")
        seen[q.id] = number
        questions.append(q)
    return questions


def write_questions(path: str | Path, questions: Iterable[EvalQuestion]) -> None:
    """Save questions in the project's JSONL format (UTF-8, one object a line)."""
    with open(path, "w", encoding="utf-8") as f:
        for q in questions:
            f.write(json.dumps(q.to_dict(), ensure_ascii=False) + "\n")


# --- MultiHop-RAG ---------------------------------------------------------------------------------


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i))


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise QuestionFileError(str(path), "no such file") from None
    except json.JSONDecodeError as exc:
        raise QuestionFileError(str(path), f"not valid JSON ({exc.msg} at line {exc.lineno})") from None


def import_multihop_questions(path: str | Path) -> list[EvalQuestion]:
    """Questions from the published MultiHop-RAG file (MultiHopRAG.json or MultiHopRAG-dev.json).

    Ids are "mh0001", "mh0002", ... in file order; type is question_type without "_query";
    null queries are unanswerable with the answer "Insufficient information."; evidence is the
    evidence facts and evidence_articles their article urls (order kept, duplicates dropped).
    """
    path = Path(path)
    data = _read_json(path)
    if not isinstance(data, list):
        raise QuestionFileError(str(path), "expected a JSON list of MultiHop-RAG queries")
    questions = []
    for index, item in enumerate(data):
        where = f"item {index}"
        if not isinstance(item, dict):
            raise QuestionFileError(str(path), f"{where}: expected an object")
        for field in ("query", "answer", "question_type", "evidence_list"):
            if field not in item:
                raise QuestionFileError(str(path), f"{where}: missing field {field!r}")
        evidence_list = item["evidence_list"]
        if not isinstance(evidence_list, list) or not all(isinstance(e, dict) for e in evidence_list):
            raise QuestionFileError(str(path), f"{where}: field 'evidence_list' must be a list of objects")
        qtype = str(item["question_type"])
        answerable = qtype != "null_query"
        questions.append(
            EvalQuestion(
                id=f"mh{index + 1:04d}",
                question=item["query"],
                answers=(str(item["answer"]),) if answerable else (INSUFFICIENT,),
                answerable=answerable,
                type=qtype.removesuffix("_query"),
                evidence_articles=_unique(e.get("url") or "" for e in evidence_list),
                evidence=_unique(e.get("fact") or "" for e in evidence_list),
            )
        )
    return questions


# --- SQuAD ----------------------------------------------------------------------------------------

# A sentence ends at . ! or ? (optionally followed by closing quotes/brackets) before whitespace and
# a character that is not a lowercase letter ('"Stop!" he said' and "e.g. this" stay whole).
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+(?![a-z])")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character spans of the sentences of ``text``, trailing whitespace excluded."""
    spans = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.end()
        stripped_end = len(text[:end].rstrip())
        if stripped_end > start:
            spans.append((start, stripped_end))
        start = end
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans


def _evidence_sentences(context: str, answers: Sequence[dict]) -> tuple[str, ...]:
    spans = sentence_spans(context)
    picked: list[str] = []
    for ans in answers:
        begin = ans.get("answer_start")
        if not isinstance(begin, int):
            continue
        end = begin + max(len(ans.get("text", "")), 1)
        for s, e in spans:
            if s < end and begin < e:  # the answer overlaps this sentence
                picked.append(context[s:e])
    return _unique(picked)


def import_squad(path: str | Path) -> tuple[list[Article], list[EvalQuestion]]:
    """Articles and questions from a SQuAD v1.1 or v2.0 JSON file.

    Each paragraph becomes an Article (title from the SQuAD title with underscores as spaces,
    body = context, source "SQuAD", path "<file>#<paragraph number>"); each question keeps its SQuAD
    id, its answer texts deduplicated, the context sentence(s) holding each answer as evidence and the
    paragraph's article id as evidence article. ``is_impossible`` questions are unanswerable
    (answers ("Insufficient information.",), no evidence) with type "unanswerable"; the rest "answerable".
    """
    from ..ingest.load import article_id  # imported here: the ingest package loads heavier modules

    path = Path(path)
    data = _read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise QuestionFileError(str(path), "expected a SQuAD JSON object with a 'data' list")
    articles: dict[str, Article] = {}
    questions: list[EvalQuestion] = []
    paragraph_number = 0
    for t, topic in enumerate(data["data"]):
        title = str(topic.get("title", "")).replace("_", " ").strip() or f"SQuAD topic {t}"
        for paragraph in topic.get("paragraphs", []):
            context = paragraph.get("context")
            if not isinstance(context, str):
                raise QuestionFileError(str(path), f"data[{t}]: paragraph {paragraph_number} has no 'context' string")
            aid = article_id(title, context)
            articles.setdefault(aid, Article(id=aid, title=title, body=context, source="SQuAD", path=f"{path.name}#{paragraph_number}"))
            paragraph_number += 1
            for qa in paragraph.get("qas", []):
                if "id" not in qa or "question" not in qa:
                    raise QuestionFileError(str(path), f"data[{t}]: a question lacks 'id' or 'question'")
                impossible = bool(qa.get("is_impossible", False))
                answers = qa.get("answers", []) or []
                if impossible:
                    questions.append(EvalQuestion(id=str(qa["id"]), question=qa["question"], answers=(INSUFFICIENT,), answerable=False, type="unanswerable"))
                    continue
                texts = _unique(a.get("text", "") for a in answers)
                if not texts:
                    raise QuestionFileError(str(path), f"question {qa['id']}: answerable but has no answers")
                questions.append(
                    EvalQuestion(
                        id=str(qa["id"]),
                        question=qa["question"],
                        answers=texts,
                        answerable=True,
                        type="answerable",
                        evidence_articles=(aid,),
                        evidence=_evidence_sentences(context, answers),
                    )
                )
    return list(articles.values()), questions
