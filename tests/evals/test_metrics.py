"""Hand-worked examples for every metric, including the edge cases that bite."""

import pytest

from assistant.evals import metrics as m
from assistant.types import Answer, Citation, Passage, SentenceCheck


def passage(chunk_id, text):
    return Passage(chunk_id=chunk_id, article_id=chunk_id.split(":")[0], text=text, title="t", source="s", published_at=None)


# --- answer text ---


def test_normalize_answer_squad_style():
    assert m.normalize_answer("  The  Quick, brown fox! ") == "quick brown fox"
    assert m.normalize_answer("An apple a day") == "apple day"
    assert m.normalize_answer("Sam Bankman‑Fried’s") == "sam bankmanfrieds"  # unicode hyphen and quote
    assert m.normalize_answer("theory") == "theory"  # articles only as whole words


@pytest.mark.parametrize(
    "answer, golds, expected",
    [
        ("Yes, both reported the launch [1][2].", ["yes"], True),
        ("Yes, both reported the launch.", ["Yes"], True),
        ("No, but yes in a later report.", ["yes"], False),  # the FIRST yes/no word decides
        ("There is no doubt: yes.", ["yes"], False),
        ("The answer is no.", ["no"], True),
        ("Both outlets agreed.", ["yes"], False),  # no yes/no word at all
        ("It rose to 200 units.", ["20"], False),  # word-boundary aware
        ("It rose to 20 units.", ["20"], True),
        ("It rose to $20.", ["20"], True),
        ("It was Sam Bankman-Fried, per Fortune.", ["Sam Bankman-Fried"], True),
        ("It was Google.", ["Microsoft", "Google"], True),  # any gold
        ("It was Googleplex.", ["Google"], False),
        ("Anything", [], False),
        ("Anything", ["the"], False),  # a gold that normalizes to nothing never matches
    ],
)
def test_strict_correct(answer, golds, expected):
    assert m.strict_correct(answer, golds) is expected


def test_exact_match():
    assert m.exact_match("The Eiffel Tower.", ["eiffel tower"]) == 1.0
    assert m.exact_match("Eiffel Tower in Paris", ["eiffel tower"]) == 0.0
    assert m.exact_match("Paris", ["London", "paris"]) == 1.0
    assert m.exact_match("Paris", []) == 0.0


def test_token_f1_hand_worked():
    # pred tokens: eiffel tower in paris (4); gold: eiffel tower (2); common 2
    # precision 2/4, recall 2/2 -> F1 = 2*0.5*1/1.5 = 2/3
    assert m.token_f1("the Eiffel Tower in Paris", ["Eiffel Tower"]) == pytest.approx(2 / 3)
    assert m.token_f1("the Eiffel Tower in Paris", ["London", "Eiffel Tower"]) == pytest.approx(2 / 3)  # max over golds
    assert m.token_f1("London", ["Paris"]) == 0.0
    assert m.token_f1("", ["the"]) == 1.0  # both empty after normalization (SQuAD v2 convention)
    assert m.token_f1("", ["Paris"]) == 0.0
    assert m.token_f1("paris paris", ["paris"]) == pytest.approx(2 * 0.5 * 1 / 1.5)  # multiplicity counts


def test_lenient_any_word_is_the_published_rule():
    assert m.lenient_any_word("The company was Google", "Google")
    assert m.lenient_any_word("I do not know the answer", "The Guardian")  # shares "the": lenient indeed
    assert not m.lenient_any_word("Microsoft", "Google")
    assert not m.lenient_any_word("google.", "Google")  # whitespace split only, punctuation kept


# --- refusal ---


def test_is_refusal_uses_flag_not_wording():
    assert m.is_refusal(Answer(question="q", text="Here it is.", refused=True))
    assert not m.is_refusal(Answer(question="q", text="I cannot answer that.", refused=False))


def test_refusal_scores():
    rows = [
        {"answerable": False, "refused": True},  # TP
        {"answerable": False, "refused": False},  # FN
        {"answerable": True, "refused": True},  # FP
        {"answerable": True, "refused": False},  # TN
        {"answerable": False, "refused": True},  # TP
    ]
    s = m.refusal_scores(rows)
    assert s["precision"] == pytest.approx(2 / 3)
    assert s["recall"] == pytest.approx(2 / 3)
    assert s["f1"] == pytest.approx(2 / 3)


def test_refusal_scores_undefined_ratios():
    assert m.refusal_scores([{"answerable": True, "refused": False}]) == {"precision": None, "recall": None, "f1": None}
    s = m.refusal_scores([{"answerable": False, "refused": False}, {"answerable": True, "refused": True}])
    assert s == {"precision": 0.0, "recall": 0.0, "f1": 0.0}


# --- retrieval ---

EVIDENCE = ["Alpha beta gamma.", "Delta  epsilon\nzeta."]


def test_hits_are_whitespace_insensitive():
    assert m.evidence_hits("prefix Alpha\nbeta   gamma. suffix", EVIDENCE) == {0}
    assert m.evidence_hits("Deltaepsilonzeta.", EVIDENCE) == {1}
    assert m.evidence_hits("alpha beta gamma.", EVIDENCE) == set()  # case still matters, as published


def test_retrieval_scores_hand_worked():
    passages = ["nothing", "x Alpha beta gamma. y", "nothing again", "Delta epsilon zeta."]
    s = m.retrieval_scores(passages, EVIDENCE, 10)
    assert s["hits@10"] == 1.0
    assert s["mrr@10"] == 0.5  # first hit at rank 2
    # relevant at ranks 2 and 4: (1/2 + 2/4) / min(10, 2) = 0.5
    assert s["map@10"] == pytest.approx(0.5)
    assert s["evidence_recall@10"] == 1.0


def test_retrieval_k_cutoff():
    passages = ["nothing", "nothing", "nothing", "nothing", "Alpha beta gamma."]
    at4 = m.retrieval_scores(passages, EVIDENCE, 4)
    assert at4 == {"hits@4": 0.0, "mrr@4": 0.0, "map@4": 0.0, "evidence_recall@4": 0.0}
    at10 = m.retrieval_scores(passages, EVIDENCE, 10)
    assert at10["hits@10"] == 1.0 and at10["mrr@10"] == pytest.approx(0.2)
    assert at10["map@10"] == pytest.approx((1 / 5) / 2)
    assert at10["evidence_recall@10"] == 0.5


def test_retrieval_duplicate_hits_do_not_inflate_map():
    # Two chunks repeat the one gold sentence: only the first is counted relevant, MAP stays <= 1.
    s = m.retrieval_scores(["Alpha beta gamma.", "Alpha beta gamma."], ["Alpha beta gamma."], 10)
    assert s["map@10"] == 1.0 and s["mrr@10"] == 1.0
    # Normalized by min(k, evidence): with k=1 and two sentences, one perfect passage gives MAP 1.
    assert m.retrieval_scores(["Alpha beta gamma. Delta epsilon zeta."], EVIDENCE, 1)["map@1"] == 1.0


def test_retrieval_empty_and_no_evidence():
    assert m.retrieval_scores([], EVIDENCE, 10) == {"hits@10": 0.0, "mrr@10": 0.0, "map@10": 0.0, "evidence_recall@10": 0.0}
    assert m.retrieval_scores(["Alpha beta gamma."], [], 10) is None
    assert m.retrieval_scores(["anything"], ["  \n"], 10) is None  # blank evidence would match everything
    with pytest.raises(ValueError):
        m.retrieval_scores(["x"], EVIDENCE, 0)


def test_article_recall():
    retrieved = ["a1", {"a2", "https://x/2"}, "a1", {"a3", "file3.txt"}]
    assert m.article_recall(retrieved, ["a1", "https://x/2", "a9"], 10) == pytest.approx(2 / 3)
    assert m.article_recall(retrieved, ["a1", "https://x/2"], 1) == 0.5  # cut-off
    assert m.article_recall(retrieved, ["file3.txt#2"], 10) == 1.0  # record suffix ignored
    assert m.article_recall([], ["a1"], 10) == 0.0
    assert m.article_recall(retrieved, [], 10) is None


# --- citations ---


def test_citation_scores():
    p1 = passage("a:0", "Alpha beta gamma. More text.")
    p2 = passage("b:0", "Unrelated text.")
    answer = Answer(
        question="q",
        text="Alpha [1]. Unrelated [2]. Also alpha [1].",
        citations=(Citation(1, p1), Citation(2, p2), Citation(3, p1)),
        sentences=(
            SentenceCheck("Alpha [1].", (1,), True),
            SentenceCheck("Unrelated [2].", (2,), False, "number 3 not in [2]"),
            SentenceCheck("Also alpha [1].", (1,), True),
        ),
    )
    s = m.citation_scores(answer, ["Alpha  beta\ngamma."])
    assert s["citation_precision"] == pytest.approx(2 / 3)
    assert s["citation_recall"] == 0.5  # two distinct cited passages, one holds gold evidence
    no_evidence = m.citation_scores(answer, [])
    assert no_evidence == {"citation_precision": pytest.approx(2 / 3), "citation_recall": None}
    refusal = m.citation_scores(Answer(question="q", text="I cannot tell.", refused=True), ["Alpha beta gamma."])
    assert refusal == {"citation_precision": None, "citation_recall": None}


# --- latency and aggregation ---


def test_percentile_linear_interpolation():
    values = [4.0, 1.0, 3.0, 2.0]
    assert m.percentile(values, 50) == 2.5
    assert m.percentile(values, 95) == pytest.approx(3.85)  # 3 + 0.85 * (4 - 3)
    assert m.percentile(values, 0) == 1.0 and m.percentile(values, 100) == 4.0
    assert m.percentile([7.0], 95) == 7.0
    assert m.percentile([], 50) is None
    assert m.latency_summary([1.0, None, 3.0]) == {"p50": 2.0, "p95": pytest.approx(2.9), "n": 2}


def test_summarize_means_over_applicable_rows_by_type():
    rows = [
        {"id": "1", "type": "inference", "answerable": True, "refused": False,
         "metrics": {"strict_correct": 1.0, "hits@10": 1.0}, "latency": {"retrieval": 0.1, "first_token": None, "total": 1.0}},
        {"id": "2", "type": "inference", "answerable": True, "refused": False,
         "metrics": {"strict_correct": 0.0, "hits@10": 0.0}, "latency": {"retrieval": 0.3, "first_token": None, "total": 3.0}},
        {"id": "3", "type": "null", "answerable": False, "refused": True, "error": None,
         "metrics": {"strict_correct": 1.0, "hits@10": None}, "latency": {"retrieval": 0.2, "first_token": 0.5, "total": 2.0}},
    ]
    s = m.summarize(rows)
    o = s["overall"]
    assert o["n"] == 3 and o["n_answerable"] == 2 and o["n_unanswerable"] == 1 and o["n_refused"] == 1
    assert o["metrics"]["strict_correct"] == pytest.approx(2 / 3)
    assert o["metrics"]["hits@10"] == 0.5 and o["counts"]["hits@10"] == 2  # the null row does not apply
    assert o["refusal"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert o["latency"]["total"]["p50"] == 2.0
    assert o["latency"]["first_token"] == {"p50": 0.5, "p95": 0.5, "n": 1}
    assert set(s["by_type"]) == {"inference", "null"}
    assert s["by_type"]["inference"]["metrics"]["strict_correct"] == 0.5
    assert "hits@10" not in s["by_type"]["null"]["metrics"]
    assert m.summarize([])["overall"]["n"] == 0


def test_yes_no_counts_show_how_answers_lean():
    rows = [{"gold_answers": ["Yes"], "answer": "Yes [1]."}, {"gold_answers": ["yes"], "answer": "No, it did not [1]."},
            {"gold_answers": ["Yes"], "answer": "The articles do not say."},
            {"gold_answers": ["no"], "answer": "No [1]."}, {"gold_answers": ["No"], "answer": "Yes, both did [1]."},
            {"gold_answers": ["Sam Altman"], "answer": "Yes, Sam Altman [1]."}, {"gold_answers": [], "answer": "No."}]
    counts = m.yes_no_counts(rows)
    assert {k: counts[k] for k in ("gold_yes", "said_yes", "gold_no", "said_no")} == {
        "gold_yes": 3, "said_yes": 1, "gold_no": 2, "said_no": 1}
    assert counts["balanced_accuracy"] == pytest.approx((1 / 3 + 1 / 2) / 2)
    # Always the same word: 0.5 whatever the share of yes questions.
    always_yes = [{"gold_answers": [g], "answer": "Yes [1]."} for g in ["yes"] * 9 + ["no"]]
    assert m.yes_no_counts(always_yes)["balanced_accuracy"] == pytest.approx(0.5)
    assert m.yes_no_counts([{"gold_answers": ["Google"], "answer": "Yes"}]) is None
