"""Sentence-level helpers of the extractive answer."""

from __future__ import annotations

from assistant.answer.extractive import speaks_to


def test_a_sentence_speaks_to_a_question_only_with_a_word_beyond_its_names():
    question = "Which political party does Prime Minister Alina Varesk belong to?"
    assert not speaks_to(question, ["Prime Minister Alina Varesk toured the flooded old town of Dunmarrow by boat."])
    assert speaks_to(question, ["Alina Varesk leads the Civic Renewal Party."])
    assert speaks_to("Who is the mayor of Dunmarrow?", ["Dunmarrow's mayor, Corin Fael, closed two schools."])
    assert speaks_to("Who is Corin Fael?", ["Corin Fael spoke on Monday."])  # nothing asked beyond the name
