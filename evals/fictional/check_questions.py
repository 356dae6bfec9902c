#!/usr/bin/env python3
"""Check the fictional eval set: corpus front matter, and every question against the corpus.

Usage: python evals/fictional/check_questions.py [--quiet]

Verifies that every evidence sentence occurs verbatim (whitespace-insensitively) in the body of one
of the question's listed evidence articles, that ids are unique, types valid, per-type counts meet
their minimums, and that unanswerable questions carry no evidence. Prints a summary; exits 1 on any
problem. Standard library only. ``run_checks()`` is imported by tests/test_fictional_set.py.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS_DIR = HERE / "corpus"
QUESTIONS_PATH = HERE / "questions.jsonl"

INSUFFICIENT = "Insufficient information."
TYPES = ("single", "multi", "temporal", "latest", "comparison", "numeric", "followup", "unanswerable")
MIN_PER_TYPE = {
    "single": 50,
    "multi": 15,
    "temporal": 15,
    "latest": 10,
    "comparison": 15,
    "numeric": 15,
    "followup": 12,
    "unanswerable": 32,
}
MIN_QUESTIONS = 160
MIN_ARTICLES = 44
MIN_OUTLETS = 5
MIN_DATES = 10
WORDS_RANGE = (120, 350)
FIELDS = ("id", "question", "answers", "answerable", "type", "evidence_articles", "evidence", "reference_date", "history")
FRONT_FIELDS = ("title", "source", "date", "url", "author")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
URL_RE = re.compile(r"^https?://[a-z0-9.-]+\.example(/\S*)?$")
SENTENCE_END = ('.', '!', '?', '."', '!"', '?"', '".', ".'", ".)")


def norm(text: str) -> str:
    """Collapse whitespace so line wrapping never decides a match."""
    return " ".join(text.split())


def parse_article(path: Path) -> tuple[dict[str, str], str]:
    """Split a corpus file into (front matter fields, body). Raises ValueError on a malformed header."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise ValueError("does not start with a '---' front matter line")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise ValueError("front matter is not closed by '---'") from None
    meta: dict[str, str] = {}
    for line in lines[1:end]:
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise ValueError(f"front matter line without a colon: {line!r}")
        meta[key.strip()] = value.strip()
    body = "\n".join(lines[end + 1 :]).strip()
    return meta, body


def load_corpus(corpus_dir: Path = CORPUS_DIR) -> tuple[dict[str, tuple[dict[str, str], str]], list[str]]:
    """{file name: (meta, body)} and a list of problems found while reading."""
    articles: dict[str, tuple[dict[str, str], str]] = {}
    problems: list[str] = []
    for path in sorted(corpus_dir.glob("*.md")):
        try:
            meta, body = parse_article(path)
        except ValueError as exc:
            problems.append(f"{path.name}: {exc}")
            continue
        for field in FRONT_FIELDS:
            if not meta.get(field):
                problems.append(f"{path.name}: front matter field {field!r} missing or empty")
        if meta.get("date") and not DATE_RE.match(meta["date"]):
            problems.append(f"{path.name}: date {meta['date']!r} is not YYYY-MM-DD")
        if meta.get("url") and not URL_RE.match(meta["url"]):
            problems.append(f"{path.name}: url {meta['url']!r} is not on an invented .example domain")
        words = len(body.split())
        if not WORDS_RANGE[0] <= words <= WORDS_RANGE[1]:
            problems.append(f"{path.name}: body has {words} words, outside {WORDS_RANGE}")
        articles[path.name] = (meta, body)
    return articles, problems


def _is_whole_sentence(sentence: str, body_norm: str) -> bool:
    s = norm(sentence)
    if not s or not (s[0].isupper() or s[0].isdigit() or s[0] in "\"'"):
        return False
    if not s.endswith(SENTENCE_END):
        return False
    start = 0
    while True:
        i = body_norm.find(s, start)
        if i < 0:
            return False
        before_ok = i == 0 or body_norm[i - 1] == " "
        after = i + len(s)
        after_ok = after == len(body_norm) or body_norm[after] == " "
        if before_ok and after_ok:
            return True
        start = i + 1


def check_questions(questions: list[dict], articles: dict[str, tuple[dict[str, str], str]]) -> tuple[list[str], list[str]]:
    """(problems, warnings) for a list of parsed question objects."""
    problems: list[str] = []
    warnings: list[str] = []
    seen_ids: set[str] = set()
    seen_questions: dict[str, str] = {}
    bodies = {name: norm(body) for name, (_, body) in articles.items()}
    for q in questions:
        qid = q.get("id", "?")
        where = f"question {qid}"
        missing = [f for f in FIELDS if f not in q]
        extra = [f for f in q if f not in FIELDS]
        if missing or extra:
            problems.append(f"{where}: missing fields {missing} / unknown fields {extra}")
            continue
        if not isinstance(qid, str) or not qid:
            problems.append(f"{where}: id must be a non-empty string")
        elif qid in seen_ids:
            problems.append(f"{where}: duplicate id")
        seen_ids.add(qid)
        text = q["question"]
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{where}: empty question")
            continue
        key = (norm(text).lower(), json.dumps(q["history"], sort_keys=True), q["reference_date"])
        if str(key) in seen_questions:
            problems.append(f"{where}: same question, history and reference date as {seen_questions[str(key)]}")
        seen_questions[str(key)] = qid
        qtype = q["type"]
        if qtype not in TYPES:
            problems.append(f"{where}: invalid type {qtype!r}")
        answers = q["answers"]
        if not isinstance(answers, list) or not answers or not all(isinstance(a, str) and a.strip() for a in answers):
            problems.append(f"{where}: answers must be a non-empty list of non-empty strings")
            answers = []
        if not isinstance(q["answerable"], bool):
            problems.append(f"{where}: answerable must be a bool")
        ev_articles, evidence, history = q["evidence_articles"], q["evidence"], q["history"]
        if not isinstance(ev_articles, list) or not isinstance(evidence, list) or not isinstance(history, list):
            problems.append(f"{where}: evidence_articles, evidence and history must be lists")
            continue
        ref = q["reference_date"]
        if ref is not None and (not isinstance(ref, str) or not DATE_RE.match(ref)):
            problems.append(f"{where}: reference_date {ref!r} must be YYYY-MM-DD or null")
        if qtype == "latest" and ref is None:
            problems.append(f"{where}: 'latest' questions need a reference_date")
        if qtype == "followup":
            if not history:
                problems.append(f"{where}: followup question without history")
            for turn in history:
                if not (isinstance(turn, dict) and set(turn) == {"question", "answer"}
                        and all(isinstance(v, str) and v.strip() for v in turn.values())):
                    problems.append(f"{where}: history turns must be {{'question': str, 'answer': str}}")
        elif history:
            problems.append(f"{where}: only followup questions carry a history")

        if q["answerable"] is False or qtype == "unanswerable":
            if not (q["answerable"] is False and qtype == "unanswerable"):
                problems.append(f"{where}: answerable=false and type 'unanswerable' must go together")
            if answers != [INSUFFICIENT]:
                problems.append(f"{where}: unanswerable answers must be [{INSUFFICIENT!r}]")
            if ev_articles or evidence:
                problems.append(f"{where}: unanswerable question carries evidence")
            continue

        if not ev_articles or not evidence:
            problems.append(f"{where}: answerable question needs evidence_articles and evidence")
            continue
        unknown = [a for a in ev_articles if a not in articles]
        if unknown:
            problems.append(f"{where}: unknown evidence articles {unknown}")
            continue
        if len(set(ev_articles)) != len(ev_articles):
            problems.append(f"{where}: evidence article listed twice")
        if qtype == "multi" and len(set(ev_articles)) < 2:
            problems.append(f"{where}: 'multi' question needs 2+ evidence articles")
        used: set[str] = set()
        for sentence in evidence:
            if not isinstance(sentence, str) or not sentence.strip():
                problems.append(f"{where}: empty evidence sentence")
                continue
            hits = [a for a in ev_articles if norm(sentence) in bodies[a]]
            if not hits:
                problems.append(f"{where}: evidence not found verbatim in {ev_articles}: {sentence[:90]!r}")
                continue
            used.update(hits)
            if not any(_is_whole_sentence(sentence, bodies[a]) for a in hits):
                problems.append(f"{where}: evidence is not one whole sentence: {sentence[:90]!r}")
        unused = [a for a in ev_articles if a not in used]
        if unused:
            problems.append(f"{where}: listed evidence articles with no evidence sentence: {unused}")
        joined = norm(" ".join(evidence)).lower()
        if answers and not any(norm(a).lower() in joined for a in answers):
            warnings.append(f"{where}: no gold answer literally present in its evidence ({answers})")
    return problems, warnings


def load_questions(path: Path = QUESTIONS_PATH) -> tuple[list[dict], list[str]]:
    questions: list[dict] = []
    problems: list[str] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{path.name} line {n}: invalid JSON ({exc})")
            continue
        if not isinstance(obj, dict):
            problems.append(f"{path.name} line {n}: not a JSON object")
            continue
        questions.append(obj)
    return questions, problems


def run_checks(corpus_dir: Path | str = CORPUS_DIR, questions_path: Path | str = QUESTIONS_PATH) -> dict:
    """Run every check; returns a dict with problems, warnings and the counts the tests assert on."""
    corpus_dir, questions_path = Path(corpus_dir), Path(questions_path)
    articles, problems = load_corpus(corpus_dir)
    questions, q_problems = load_questions(questions_path)
    problems += q_problems
    more, warnings = check_questions(questions, articles)
    problems += more
    type_counts = Counter(q.get("type") for q in questions)
    outlets = sorted({meta.get("source", "") for meta, _ in articles.values()} - {""})
    dates = sorted({meta.get("date", "") for meta, _ in articles.values()} - {""})
    unanswerable = sum(1 for q in questions if q.get("answerable") is False)
    if len(articles) < MIN_ARTICLES:
        problems.append(f"only {len(articles)} articles (need {MIN_ARTICLES})")
    if len(questions) < MIN_QUESTIONS:
        problems.append(f"only {len(questions)} questions (need {MIN_QUESTIONS})")
    for qtype, minimum in MIN_PER_TYPE.items():
        if type_counts.get(qtype, 0) < minimum:
            problems.append(f"only {type_counts.get(qtype, 0)} {qtype!r} questions (need {minimum})")
    if len(outlets) < MIN_OUTLETS:
        problems.append(f"only {len(outlets)} outlets (need {MIN_OUTLETS})")
    if len(dates) < MIN_DATES:
        problems.append(f"only {len(dates)} distinct dates (need {MIN_DATES})")
    return {
        "problems": problems,
        "warnings": warnings,
        "n_articles": len(articles),
        "n_questions": len(questions),
        "n_unanswerable": unanswerable,
        "type_counts": dict(type_counts),
        "outlets": outlets,
        "dates": dates,
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    report = run_checks()
    print(f"articles: {report['n_articles']}  outlets: {len(report['outlets'])}  distinct dates: {len(report['dates'])}"
          f" ({report['dates'][0] if report['dates'] else '-'} .. {report['dates'][-1] if report['dates'] else '-'})")
    print(f"questions: {report['n_questions']}  unanswerable: {report['n_unanswerable']}")
    for qtype in TYPES:
        print(f"  {qtype:<13}{report['type_counts'].get(qtype, 0):>4}  (min {MIN_PER_TYPE[qtype]})")
    if "--quiet" not in argv:
        for w in report["warnings"]:
            print(f"warning: {w}")
    for p in report["problems"]:
        print(f"PROBLEM: {p}")
    print("OK" if not report["problems"] else f"FAILED: {len(report['problems'])} problem(s)")
    return 1 if report["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
