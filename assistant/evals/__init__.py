"""Evaluation harness: question sets (data), pure metric functions, a resumable runner and reports.

The runner calls the same ``Assistant.ask`` that staff use, so what is measured is what ships.
Entry points for the CLI: :func:`load_questions`, :func:`import_multihop_questions`,
:func:`import_squad`, :func:`write_questions`, :func:`run_eval`, :func:`compare_runs`.
"""

from .questions import (
    EvalQuestion,
    QuestionFileError,
    import_multihop_questions,
    import_squad,
    load_questions,
    write_questions,
)
from .report import compare_runs, write_report
from .runner import run_eval

__all__ = [
    "EvalQuestion",
    "QuestionFileError",
    "compare_runs",
    "import_multihop_questions",
    "import_squad",
    "load_questions",
    "run_eval",
    "write_questions",
    "write_report",
]
