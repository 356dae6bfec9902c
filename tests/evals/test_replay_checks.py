"""evals/replay_checks.py rebuilds the model's draft of a recorded row before putting it through the checks."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "evals" / "replay_checks.py"


def _script():
    spec = importlib.util.spec_from_file_location("replay_checks", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_recorded_draft_cites_the_passages_as_retrieved_and_leaves_out_fallback_quotes():
    row = {
        "mode": "llm",
        # The kept sentence's [1] is the answer's renumbered marker: passage "b:0", third as retrieved.
        "citations": [{"number": 1, "chunk_id": "b:0"}],
        "sentences": [
            {"text": "Wrong sentence.", "citations": [2], "supported": False},
            {"text": "Right sentence.", "citations": [1], "supported": True},
            {"text": "Northgate Wire (March 5, 2026) reported: \u201cA quote.\u201d", "citations": [1], "supported": True},
        ],
    }
    draft = _script().model_draft(row, {"a:0": 1, "c:1": 2, "b:0": 3})
    assert draft == "Wrong sentence. [2] Right sentence. [3]"
