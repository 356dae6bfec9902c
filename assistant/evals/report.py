"""Result files of an eval run (summary.json, report.md, PNG plots) and the comparison of two runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping, Sequence

from .metrics import yes_no_counts

SUMMARY_FILE = "summary.json"
REPORT_FILE = "report.md"
PLOT_FILES = ("metrics_by_type.png", "latency.png")

# Metric keys in report order, with the labels readers see.
LABELS: dict[str, str] = {
    "strict_correct": "strict accuracy",
    "lenient_any_word": "lenient any-word accuracy (MultiHop-RAG's published rule)",
    "exact_match": "exact match (SQuAD)",
    "token_f1": "token F1 (SQuAD)",
    "hits@10": "retrieval hits@10",
    "hits@4": "retrieval hits@4",
    "mrr@10": "retrieval MRR@10",
    "mrr@4": "retrieval MRR@4",
    "map@10": "retrieval MAP@10",
    "map@4": "retrieval MAP@4",
    "evidence_recall@10": "evidence recall@10 (all gold sentences)",
    "evidence_recall@4": "evidence recall@4 (all gold sentences)",
    "article_recall@10": "article recall@10",
    "article_recall@4": "article recall@4",
    "citation_precision": "citation precision (supported sentences)",
    "citation_recall": "citation recall (cited passages holding gold evidence)",
}
PLOTTED = ("strict_correct", "lenient_any_word", "hits@10", "mrr@10", "evidence_recall@10", "citation_precision")
# Outcomes whose change between two runs is listed question by question.
FLIP_KEYS = ("strict_correct", "refused", "hits@10")
SECRET_MARKERS = ("key", "password", "secret")  # not "token": chunk_tokens, evidence_tokens are settings, not secrets

MULTIHOP_ATTRIBUTION = (
    "Questions from MultiHop-RAG (Yixuan Tang and Yi Yang, 2024, github.com/yixuantt/MultiHop-RAG), "
    "licensed under ODC-BY 1.0. Published reference (paper, full question set): retrieval with a reranker "
    "Hits@10 0.7467, Hits@4 0.6625, MRR@10 0.5860; GPT-4 answer accuracy 0.56 with retrieved chunks "
    "(by the lenient any-word rule). This harness's MAP differs from the published script's (see metrics.py)."
)


def settings_for_report(settings: Any) -> dict[str, Any]:
    """A Settings object (or mapping) as plain JSON values, with credentials (api keys, passwords)
    replaced by "***" so they never reach a report file."""
    import dataclasses

    values = dataclasses.asdict(settings) if dataclasses.is_dataclass(settings) else dict(settings)
    out = {}
    for name, value in values.items():
        if value is not None and any(marker in name.lower() for marker in SECRET_MARKERS):
            value = "***"
        out[name] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
    return out


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _metric_names(summary: Mapping[str, Any]) -> list[str]:
    present = set(summary["overall"]["metrics"])
    for group in summary.get("by_type", {}).values():
        present |= set(group["metrics"])
    return [k for k in LABELS if k in present] + sorted(present - set(LABELS))


def _groups(summary: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    return [("overall", summary["overall"])] + sorted(summary.get("by_type", {}).items())


def _is_multihop(rows: Sequence[Mapping[str, Any]], meta: Mapping[str, Any]) -> bool:
    text = json.dumps({k: meta.get(k) for k in ("dataset", "questions", "command")}).lower()
    return "multihop" in text or any(str(r.get("id", "")).startswith("mh") for r in rows)


def render_markdown(summary: Mapping[str, Any], rows: Sequence[Mapping[str, Any]], meta: Mapping[str, Any]) -> str:
    """The report: metric table overall and by type, refusal and latency tables, run settings and
    the command that reproduces the run."""
    groups = _groups(summary)
    lines = ["# Evaluation report", ""]
    if _is_multihop(rows, meta):
        lines += [f"> {MULTIHOP_ATTRIBUTION}", ""]
    overall = summary["overall"]
    lines += [
        f"{overall['n']} questions ({overall['n_answerable']} answerable, {overall['n_unanswerable']} unanswerable), "
        f"{overall['n_refused']} refused, {overall['n_errors']} failed.",
        "",
        "Strict accuracy: a yes/no answer's first yes/no word must match; otherwise the normalized gold "
        "answer must appear in the answer on word boundaries; an unanswerable question is correct only when "
        "refused. Lenient any-word accuracy is MultiHop-RAG's published rule (any shared word counts) and "
        "overstates quality; it is shown for comparison with published figures only. Each cell is the mean "
        "over the questions the metric applies to (retrieval metrics need gold evidence).",
        "",
        "## Metrics",
        "",
        "| metric | " + " | ".join(f"{name} (n={g['n']})" for name, g in groups) + " |",
        "|---|" + "---:|" * len(groups),
    ]
    for key in _metric_names(summary):
        cells = []
        for _, g in groups:
            value = g["metrics"].get(key)
            cells.append(f"{_fmt(value)} ({g['counts'].get(key, 0)})" if value is not None else "n/a")
        lines.append(f"| {LABELS.get(key, key)} | " + " | ".join(cells) + " |")
    lines += ["", "Numbers in brackets: questions each mean is over.", "", "## Refusals", "",
              "Positives are unanswerable questions; predicted positives are refused answers.", "",
              "| group | refused | precision | recall | F1 |", "|---|---:|---:|---:|---:|"]
    for name, g in groups:
        r = g["refusal"]
        lines.append(f"| {name} | {g['n_refused']} | {_fmt(r['precision'])} | {_fmt(r['recall'])} | {_fmt(r['f1'])} |")
    yes_no = [(name, g.get("yes_no")) for name, g in groups if g.get("yes_no")]
    if yes_no:
        lines += ["", "## Yes/no questions", "",
                  "How the answers lean: a model that always says the same word scores 0.5 balanced accuracy.", "",
                  *_yes_no_table("group", yes_no)]
    lines += ["", "## Latency (seconds)", "", "| group | retrieval p50 | retrieval p95 | first token p50 | first token p95 | total p50 | total p95 |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    for name, g in groups:
        lat = g["latency"]
        cells = [_fmt(lat[k][p]) for k in ("retrieval", "first_token", "total") for p in ("p50", "p95")]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "![metrics by type](metrics_by_type.png)", "", "![latency](latency.png)", "", "## Run", ""]
    for key, value in meta.items():
        if key in ("command", "settings"):
            continue
        lines.append(f"- {key}: `{json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value}`")
    if meta.get("settings"):
        lines += ["", "Settings:", "", "```json", json.dumps(meta["settings"], indent=2, ensure_ascii=False, default=str), "```"]
    command = meta.get("command") or "(not recorded: pass meta={'command': ...} to run_eval)"
    lines += ["", "Reproduce with:", "", "```sh", str(command), "```", ""]
    return "\n".join(lines)


def _plot_metrics(summary: Mapping[str, Any], path: Path) -> None:
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    groups = _groups(summary)
    keys = [k for k in PLOTTED if any(g["metrics"].get(k) is not None for _, g in groups)] or ["strict_correct"]
    fig = Figure(figsize=(max(6, 1.6 * len(groups) + 3), 4.5))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    x = np.arange(len(groups))
    width = 0.8 / len(keys)
    for i, key in enumerate(keys):
        values = [g["metrics"].get(key) or 0.0 for _, g in groups]
        label = LABELS[key].replace(" (MultiHop-RAG's published rule)", " (published rule)")
        ax.bar(x + (i - (len(keys) - 1) / 2) * width, values, width, label=label)
    ax.set_xticks(x, [f"{name}\n(n={g['n']})" for name, g in groups])
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("mean over applicable questions")
    ax.set_title("Metrics by question type")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def _plot_latency(rows: Sequence[Mapping[str, Any]], path: Path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 4))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    names, data = [], []
    for key in ("retrieval", "first_token", "total"):
        values = [r["latency"][key] for r in rows if (r.get("latency") or {}).get(key) is not None]
        if values:
            names.append(key.replace("_", " "))
            data.append(values)
    if data:
        ax.boxplot(data, whis=(5, 95), showfliers=True)
        ax.set_xticks(range(1, len(names) + 1), names)
    else:
        ax.text(0.5, 0.5, "no latencies recorded", ha="center", va="center", transform=ax.transAxes)
    ax.set_ylabel("seconds")
    ax.set_title("Latency per question (whiskers: 5th-95th percentile)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def write_report(out_dir: str | Path, summary: Mapping[str, Any], rows: Sequence[Mapping[str, Any]],
                 meta: Mapping[str, Any]) -> None:
    """Write summary.json (the summary plus "meta"), report.md, metrics_by_type.png and latency.png."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    payload = {"meta": dict(meta), **summary}
    (out_dir / SUMMARY_FILE).write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    (out_dir / REPORT_FILE).write_text(render_markdown(summary, rows, meta), encoding="utf-8")
    _plot_metrics(summary, out_dir / PLOT_FILES[0])
    _plot_latency(rows, out_dir / PLOT_FILES[1])


def _yes_no_table(first: str, groups: Sequence[tuple[str, Mapping[str, Any] | None]]) -> list[str]:
    """Markdown rows of metrics.yes_no_counts per group ("n/a" for a group without yes/no questions)."""
    lines = [f"| {first} | gold yes answered yes | gold no answered no | balanced accuracy |", "|---|---:|---:|---:|"]
    for name, c in groups:
        lines.append(f"| {name} | {c['said_yes']} of {c['gold_yes']} | {c['said_no']} of {c['gold_no']} | "
                     f"{_fmt(c['balanced_accuracy'])} |" if c else f"| {name} | n/a | n/a | n/a |")
    return lines


def _load_run(run_dir: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    from .runner import ROWS_FILE, read_rows

    summary_path = run_dir / SUMMARY_FILE
    if not summary_path.exists():
        from ..errors import ConfigError

        raise ConfigError(f"{run_dir} has no {SUMMARY_FILE}: is it an eval run folder that finished?")
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    rows = {r["id"]: r for r in read_rows(run_dir / ROWS_FILE)}
    return summary, rows


def _outcome(row: Mapping[str, Any], key: str) -> Any:
    if key == "refused":
        return bool(row.get("refused"))
    value = (row.get("metrics") or {}).get(key)
    return None if value is None else bool(value)


def compare_runs(run_a_dir: str | Path, run_b_dir: str | Path) -> str:
    """A markdown comparison of run A (baseline) and run B: every metric overall and by type side by
    side with B - A, then the questions (present in both) whose strict correctness, refusal or
    hits@10 changed."""
    a_dir, b_dir = Path(run_a_dir), Path(run_b_dir)
    sum_a, rows_a = _load_run(a_dir)
    sum_b, rows_b = _load_run(b_dir)
    lines = [f"# Comparison: A = {a_dir}, B = {b_dir}", ""]
    types = sorted(set(sum_a.get("by_type", {})) | set(sum_b.get("by_type", {})))
    empty = {"metrics": {}, "n": 0}
    for group in ["overall", *types]:
        ga = sum_a["overall"] if group == "overall" else sum_a.get("by_type", {}).get(group, empty)
        gb = sum_b["overall"] if group == "overall" else sum_b.get("by_type", {}).get(group, empty)
        names = set(ga["metrics"]) | set(gb["metrics"])
        ordered = [k for k in LABELS if k in names] + sorted(names - set(LABELS))
        lines += [f"## {group} (A n={ga['n']}, B n={gb['n']})", "", "| metric | A | B | B - A |", "|---|---:|---:|---:|"]
        for key in ordered:
            va, vb = ga["metrics"].get(key), gb["metrics"].get(key)
            delta = f"{vb - va:+.3f}" if va is not None and vb is not None else "n/a"
            lines.append(f"| {LABELS.get(key, key)} | {_fmt(va)} | {_fmt(vb)} | {delta} |")
        lines.append("")
    lean = [(name, yes_no_counts(rows.values())) for name, rows in (("A", rows_a), ("B", rows_b))]
    if any(c for _, c in lean):
        lines += ["## Yes/no questions (from each run's rows)", "", *_yes_no_table("run", lean), ""]
    common = sorted(set(rows_a) & set(rows_b))
    flips = []
    for qid in common:
        changes = []
        for key in FLIP_KEYS:
            oa, ob = _outcome(rows_a[qid], key), _outcome(rows_b[qid], key)
            if oa != ob:
                changes.append(f"{key} {_fmt(oa)} -> {_fmt(ob)}")
        if changes:
            flips.append(f"- {qid} [{rows_b[qid].get('type')}]: {'; '.join(changes)} — {rows_b[qid].get('question', '')[:100]}")
    lines += [f"## Flipped outcomes ({len(flips)} of {len(common)} questions in both runs)", ""]
    lines += flips or ["(none)"]
    only_a, only_b = len(set(rows_a) - set(rows_b)), len(set(rows_b) - set(rows_a))
    if only_a or only_b:
        lines += ["", f"{only_a} questions only in A, {only_b} only in B (not compared)."]
    return "\n".join(lines) + "\n"
