"""Which questions of a set the answer checks can reach, per question type: plain yes/no questions
(assistant.pipeline.is_plain_yes_no: one fact, no outlet of the corpus named, nothing compared), which the
model is asked whether the cited passages settle; single-fact questions (cite.is_single_fact), whose
answers get the model's check, cite.figure_of_another and, when set aside, the checked fallback quote;
those of them asking for a name or a figure, whose answer must stand in one cited report with what the
question names (cite.stated_apart); and questions naming something of three or more capitalised words,
which retrieval and sentence scoring also look for by its acronym (cite.acronyms). Prints the ids of the
plain yes/no ones for a project-format set. (Called count_plain_yes_no.py until session 11.)

    python evals/count_reach.py QUESTIONS --corpus PATH [PATH ...]

QUESTIONS is a project JSONL file or MultiHop-RAG's JSON (read from ../shared, never copied here; Tang &
Yang 2024, ODC-BY 1.0); the outlets are the sources of the articles under --corpus.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from assistant.answer.cite import acronyms, asks_for_figure, asks_for_name, is_single_fact, is_yes_no
from assistant.config import Settings
from assistant.evals.cli import detect_format
from assistant.evals.questions import import_multihop_questions, load_questions
from assistant.ingest.load import ArticleLoader, expand_paths
from assistant.pipeline import is_plain_yes_no


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("questions")
    ap.add_argument("--corpus", nargs="+", required=True)
    args = ap.parse_args()
    files, errors = expand_paths(args.corpus)
    loader = ArticleLoader(Settings().max_file_bytes)  # the same size limit as ingest
    outlets = sorted({a.source for f in files for a in loader.load_many(f)[0] if a.source})
    fmt = detect_format(Path(args.questions))
    questions = import_multihop_questions(args.questions) if fmt == "multihop" else load_questions(args.questions)
    counts: Counter = Counter()
    plain_ids = []
    for q in questions:
        plain = is_plain_yes_no(q.question, outlets)
        for key in ("all", q.type):
            counts[key, "questions"] += 1
            counts[key, "yes/no"] += is_yes_no(q.question)
            counts[key, "plain yes/no"] += plain
            counts[key, "single fact"] += is_single_fact(q.question)
            counts[key, "name/figure"] += is_single_fact(q.question) and (asks_for_name(q.question)
                                                                         or asks_for_figure(q.question))
            counts[key, "acronym"] += bool(acronyms(q.question))
        if plain:
            plain_ids.append(q.id)
    print(f"{len(outlets)} outlets in the corpus ({len(errors)} unreadable paths)")
    print(f"{'type':<14} {'questions':>9} {'yes/no':>7} {'plain yes/no':>13} {'single fact':>12} "
          f"{'single fact, name/figure':>25} {'acronym':>8}")
    for t in sorted({k for k, _ in counts}, key=lambda t: (t != "all", t)):
        print(f"{t:<14} {counts[t, 'questions']:>9} {counts[t, 'yes/no']:>7} {counts[t, 'plain yes/no']:>13} "
              f"{counts[t, 'single fact']:>12} {counts[t, 'name/figure']:>25} {counts[t, 'acronym']:>8}")
    if fmt != "multihop":
        print("plain yes/no: " + (" ".join(plain_ids) or "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
