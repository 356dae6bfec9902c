"""Sentence-level helpers of the extractive answer."""

from __future__ import annotations

import pytest

from assistant.answer.extractive import speaks_to


def test_a_sentence_speaks_to_a_question_only_with_a_word_beyond_its_names():
    question = "Which political party does Prime Minister Alina Varesk belong to?"
    assert not speaks_to(question, ["Prime Minister Alina Varesk toured the flooded old town of Dunmarrow by boat."])
    assert speaks_to(question, ["Alina Varesk leads the Civic Renewal Party."])
    assert speaks_to("Who is the mayor of Dunmarrow?", ["Dunmarrow's mayor, Corin Fael, closed two schools."])
    assert speaks_to("Who is Corin Fael?", ["Corin Fael spoke on Monday."])  # nothing asked beyond the name


def _passage(n: int, text: str, title: str = "Dam report"):
    from assistant.types import Passage

    return Passage(chunk_id=f"p{n}:0", article_id=f"p{n}", text=text, title=title, source="Veloria Public Radio",
                   published_at="2026-03-02")


def test_a_sentence_using_the_acronym_of_a_name_in_the_question_covers_that_name():
    from assistant.answer.extractive import best_sentence_coverage, score_sentences

    question = "Who is the director of the National Civil Protection Agency?"
    acronym = "\"Every boat we have is out,\" said Hesper Okonne, director of the NCPA."
    spelled = "The death toll has risen to 23, the National Civil Protection Agency said on March 7."
    scored = score_sentences(question, [_passage(1, spelled), _passage(2, acronym)])
    assert scored[0].text == acronym  # all the question's words: 0.98 after the small second-passage discount
    assert best_sentence_coverage(question, acronym) == 1.0
    assert best_sentence_coverage(question, acronym.replace("NCPA", "agency")) < 0.5


def test_a_what_year_question_prefers_the_sentence_with_a_year():
    from assistant.answer.extractive import score_sentences

    names_it = "A section of the Harlow Gap Dam gave way at 02:40 on March 4."
    dated = "The dam, completed in 1968, sits about 11 kilometres upstream of Dunmarrow."
    passages = [_passage(1, names_it), _passage(2, dated, title="Lake Harlow near capacity")]
    assert score_sentences("In what year was the Harlow Gap Dam completed?", passages)[0].text == dated
    # Without the year asked for, the sentence naming the dam in full comes first.
    assert score_sentences("When did the Harlow Gap Dam give way?", passages)[0].text == names_it


def test_the_fallback_chooses_among_sentences_that_speak_to_what_is_asked():
    from assistant.answer.extractive import choose_sentences

    question = "How big was the crowd at the Velorian Cup final at Kestrel Park?"
    result = ("Saltreach Mariners won the Velorian Cup for the second time on March 8, beating Marrent Rovers 2-1 "
              "after extra time at Kestrel Park.")
    crowd = "The match was watched by a crowd of 41,200, a record at Kestrel Park."
    passages = [_passage(1, f"{result} {crowd}", title="Mariners win the Cup")]
    assert choose_sentences(question, passages)[0].text == result  # the names alone put the score first
    assert [s.text for s in choose_sentences(question, passages, asked_only=True)] == [crowd]


@pytest.mark.parametrize("question,sentence,states", [
    # The sentence must say what is counted and what happened to it, not only share the question's names.
    ("How many people were injured in the Harlow Gap Dam flood?",
     "The number of people killed by the Harlow Gap Dam failure rose to 19 on March 5.", False),
    ("How many people were injured in the flood?", "At least 40 people were treated for injuries.", True),
    ("How many people were registered to vote in the Marrent mayoral election?",
     "Three candidates will contest the Marrent mayoral election on March 15.", False),
    ("How many people were still sleeping in official shelters when schools reopened?",
     "The number of people sleeping in official shelters has fallen to 2,100.", True),
    ("How much did the River Quell rise through Dunmarrow?", "Water levels on the River Quell rose by 1.2 metres.", True),
    ("How many people died in the flood?", "The death toll rose to 26.", True),
    ("How many were evacuated from Dunmarrow?", "A total of 8,400 people were evacuated from Dunmarrow.", True),
    ("Who is the mayor of Dunmarrow?", "Dunmarrow mayor Corin Fael closed two schools.", True),  # not a count
    # "How many of the homes ...?" counts homes, whatever else the sentence shares with the question.
    ("How many of the homes destroyed by the flood were in Pellin?",
     "Of the 212 homes the flood destroyed, 80 were in Pellin, the agency said.", True),
    ("How many of the homes destroyed by the flood were in Pellin?",
     "The number of people killed by the flood rose to 19, after rescuers searched Pellin.", False),
    ("How many of the 41 dams were found to need repairs?", "Engineers will check all 41 large dams.", True),
])
def test_a_quote_for_a_count_must_say_what_is_counted(question, sentence, states):
    from assistant.answer.extractive import states_what_is_counted

    assert states_what_is_counted(question, sentence) is states


def test_a_quote_for_an_outcome_must_report_an_end():
    from assistant.answer.cite import reports_an_end

    question = "What did the dam inquiry conclude was the cause of the Harlow Gap Dam failure?"
    assert not reports_an_end(question, "The independent inquiry into the Harlow Gap Dam failure held its first "
                                        "public hearing at Dunmarrow town hall on March 18.")
    assert reports_an_end(question, "The inquiry concluded that poor maintenance caused the breach.")
    assert reports_an_end("Who chairs the dam inquiry?", "The inquiry held its first public hearing on March 18.")
