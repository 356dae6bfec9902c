"""The ingest progress bar follows each phase's own total (re-chunking stored articles, then new ones)."""

from __future__ import annotations

import re

from assistant.cli import ingest_with_progress


class TwoPhaseAssistant:
    """Reports progress as an ingest that first re-chunks 5 stored articles, then indexes 2 new ones."""

    def ingest(self, paths, progress):
        for done, total in [(0, 5), (3, 5), (5, 5), (0, 2), (2, 2)]:
            progress(done, total)
        return "report"


def test_the_progress_bar_takes_the_total_of_each_phase(capsys):
    assert ingest_with_progress(TwoPhaseAssistant(), ["x"]) == "report"
    err = capsys.readouterr().err
    shown = re.findall(r"(\d+)/(\d+)", err)
    assert ("5", "5") in shown
    assert shown[-1] == ("2", "2"), shown  # not 2/5: the second phase has its own total
