"""The citation check: figures, names, quotations and weekdays must be in the cited passage."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.answer.cite import check_sentence, numbers, verify, words_to_numbers
from assistant.types import Passage

MILITIA = Passage(
    chunk_id="a1:0", article_id="a1", title="Iraqi militias cross into Syria", source="Northgate Wire",
    published_at="2024-12-02",  # a Monday
    text="Approximately two hundred Iraqi militiamen crossed into Syria overnight through the Bou Kamal border "
         "crossing, the Syrian Observatory for Human Rights said. They travelled in pickup trucks towards Aleppo.",
)
ARAGHCHI = Passage(
    chunk_id="b2:3", article_id="b2", title="Iran's foreign minister visits Damascus", source="Coastline Courier",
    published_at="2024-12-01",  # a Sunday
    text="Iran's Foreign Minister Abbas Araghchi held talks with Assad in Damascus. \"We announced our full support "
         "for the Syrian government and army,\" Araghchi said.",
)
PASSAGES = [ARAGHCHI, MILITIA]  # militia is [2], Araghchi is [1]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("two hundred", "200"),
        ("Two hundred fighters", "200 fighters"),
        ("twenty-three dead", "23 dead"),
        ("three thousand four hundred", "3400"),
        ("3.5 million velors", "3500000 velors"),
        ("1.2 billion", "1200000000"),
        ("one of the officials", "one of the officials"),
    ],
)
def test_words_to_numbers(text, expected):
    assert words_to_numbers(text) == expected


def test_numbers_normalise_spellings_and_separators():
    assert numbers("about two hundred men") == numbers("about 200 men") == {"200"}
    assert numbers("a poll of 1,200 voters") == {"1200"}
    assert numbers("3.5 million people") == {"3500000"}
    assert numbers("damage of 480 million velors, up from 310 million") == {"480000000", "310000000"}
    assert numbers("No figure here.") == set()
    assert numbers("41.0 percent") == numbers("41 percent")


def test_supported_sentence_is_kept_with_markers_renumbered_by_first_use():
    text, citations, checks, refused = verify("About 200 Iraqi militiamen crossed into Syria through Bou Kamal [2].", PASSAGES)
    assert not refused
    assert text == "About 200 Iraqi militiamen crossed into Syria through Bou Kamal [1]."
    assert len(citations) == 1 and citations[0].number == 1 and citations[0].passage is MILITIA
    assert citations[0].sentences and "Bou Kamal" in citations[0].sentences[0]
    assert checks[0].supported and checks[0].citations == (1,)


@pytest.mark.parametrize(
    "sentence,reason",
    [
        ("About 300 Iraqi militiamen crossed into Syria through Bou Kamal [2].", "300"),
        ("Hezbollah fighters crossed into Syria through Bou Kamal [2].", "hezbollah"),
    ],
)
def test_sentence_with_a_fact_missing_from_its_passage_is_removed_with_a_reason(sentence, reason):
    good = "Araghchi held talks with Assad in Damascus [1]."
    text, citations, checks, refused = verify(f"{good} {sentence}", PASSAGES)
    assert not refused
    assert text == good
    assert [c.passage for c in citations] == [ARAGHCHI]
    bad = [c for c in checks if not c.supported]
    assert len(bad) == 1 and reason in bad[0].reason.lower()


def test_a_supported_claim_with_the_wrong_marker_cites_the_right_passage_and_says_so():
    good = "Araghchi held talks with Assad in Damascus [1]."
    text, citations, checks, refused = verify(f"{good} About 200 Iraqi militiamen crossed into Syria through Bou Kamal [1].", PASSAGES)
    assert not refused
    assert [c.passage for c in citations] == [ARAGHCHI, MILITIA]
    assert text == good + " About 200 Iraqi militiamen crossed into Syria through Bou Kamal [2]."
    assert checks[1].supported and checks[1].citations == (2,) and "corrected from [1]" in checks[1].reason


def test_uncited_sentence_is_auto_cited_only_when_a_passage_supports_it():
    text, citations, checks, refused = verify(
        "About 200 Iraqi militiamen crossed into Syria through Bou Kamal. The militias were paid by Moscow.", PASSAGES
    )
    assert text == "About 200 Iraqi militiamen crossed into Syria through Bou Kamal [1]."
    assert [c.passage for c in citations] == [MILITIA]
    assert [c.supported for c in checks] == [True, False]
    assert checks[1].reason == "cites no retrieved passage"


def test_uncited_claim_drawn_from_two_reports_cites_both():
    text, citations, checks, refused = verify(
        "Araghchi held talks with Assad in Damascus while about 200 Iraqi militiamen crossed into Syria.", PASSAGES
    )
    assert not refused and checks[0].supported
    assert {c.passage.chunk_id for c in citations} == {"a1:0", "b2:3"}
    assert text.endswith("[1][2].")


def test_marker_beyond_the_passages_is_not_trusted():
    text, citations, checks, refused = verify("The militias were paid by Moscow [7].", PASSAGES)
    assert refused and text == ""
    assert "[7]" in checks[0].reason


def test_invented_quotation_is_rejected_and_a_real_one_kept():
    invented = 'Araghchi said: "Iran will defend Damascus whatever it costs" [1].'
    real = 'Araghchi said: "We announced our full support for the Syrian government and army" [1].'
    text, _, checks, refused = verify(invented, PASSAGES)
    assert refused and "quotation" in checks[0].reason
    text, citations, checks, refused = verify(real, PASSAGES)
    assert not refused and checks[0].supported and "[1]" in text


def test_refusal_sentence_is_a_refusal():
    text, citations, checks, refused = verify("The articles do not say how much the fighters were paid.", PASSAGES)
    assert refused
    assert citations == ()
    assert checks[0].supported and "do not say" in checks[0].reason


def test_answer_with_no_supported_sentence_is_a_refusal():
    text, citations, checks, refused = verify(
        "About 5,000 Russian troops crossed into Syria [2]. Turkey closed the border [1].", PASSAGES
    )
    assert refused and text == "" and citations == ()
    assert not any(c.supported for c in checks)


def test_weekday_is_allowed_when_it_is_the_day_the_cited_report_was_published():
    sentence = "Araghchi held talks with Assad in Damascus on Sunday."
    assert check_sentence(sentence, [ARAGHCHI]) == (True, "")  # published 2024-12-01, a Sunday
    ok, reason = check_sentence(sentence, [MILITIA.__class__(**{**ARAGHCHI.to_dict(), "published_at": "2024-12-02"})])
    assert not ok and "Sunday" in reason
    text, _, _, refused = verify(sentence + " [1]", PASSAGES)
    assert not refused and text == "Araghchi held talks with Assad in Damascus on Sunday [1]."


def test_adjective_forms_of_names_and_spelled_numbers_count_as_support():
    ok, reason = check_sentence("Two hundred militiamen crossed at Bou Kamal, the observatory said.", [MILITIA])
    assert ok, reason
    ok, reason = check_sentence("The Iranian minister Araghchi held talks in Damascus.", [ARAGHCHI])
    assert ok, reason
    ok, reason = check_sentence("The Iranian minister Araghchi held talks in Beirut.", [ARAGHCHI])
    assert not ok and "beirut" in reason


def test_missing_answer_kind_ignores_attribution_and_names_already_in_the_question():
    from assistant.answer.cite import missing_answer_kind

    sources = ["The Marrent Ledger"]
    assert missing_answer_kind("Who is the mayor of Dunmarrow?",
                               "The Marrent Ledger reported on March 4, 2026, that the mayor is Corin Fael [1].", sources) == ""
    assert missing_answer_kind("Who leads the National Civil Protection Agency?",
                               "Marrent Ledger reported on March 4, 2026 that the National Civil Protection Agency has a director [1].",
                               sources) == "name"
    assert missing_answer_kind("How many boats did the army send?", "The army sent 60 boats on March 4 [1].", sources) == ""
    assert missing_answer_kind("How many boats did the army send on March 4?",
                               "The Marrent Ledger reported on March 4, 2026 that the army sent boats [1].", sources) == "figure"
    assert missing_answer_kind("Why did the dam fail?", "Seepage weakened the embankment [1].", sources) == ""
    # "Which company/person/member ..." asks for a name too, unless the question offers the choice itself.
    assert missing_answer_kind("Which member of the band plays bass?", "The article says the member plays bass [1].", sources) == "name"
    assert missing_answer_kind("Which company bought Tidewell Analytics?", "Brightloom Systems bought it [1].", sources) == ""
    assert missing_answer_kind("Which engineer at Castell & Rhee signed the report?",
                               "The Marrent Ledger reported on March 8, 2026, that Castell & Rhee signed the report [1].", sources) == "name"
    assert missing_answer_kind("What was the name of the first victim?", "The first victim was a shift engineer [1].",
                               sources) == "name"
    assert missing_answer_kind("What was the name of the first victim?", "The first victim was Karel Dunn [1].", sources) == ""
    # Plural people too: an agency's name is not theirs.
    assert missing_answer_kind("What are the names of the two men found alive in a Marrent hospital?",
                               "The two men were found alive in a Marrent hospital, the National Civil Protection "
                               "Agency said [1].", sources) == "person's name"
    assert missing_answer_kind("What are the names of the two men found alive in a Marrent hospital?",
                               "They were Ivo Brandt and Tomas Reed [1].", sources) == ""
    # A share is not a count; "how much" and "what percentage" questions keep their percentages.
    assert missing_answer_kind("How many votes did Renata Kovalis receive?",
                               "Renata Kovalis received 46.2 percent of the vote [1].", sources) == "figure"
    assert missing_answer_kind("How many votes did Renata Kovalis receive?",
                               "Renata Kovalis received 51,230 votes, 46.2% of the total [1].", sources) == ""
    assert missing_answer_kind("What percentage of the vote did Kovalis win?", "She won 46.2 percent [1].", sources) == ""
    assert missing_answer_kind("By how many percentage points did Kovalis win?", "She won by 7.3 percentage points [1].",
                               sources) == ""
    assert missing_answer_kind("Which team finished higher, Marrent Rovers or Saltreach Mariners?",
                               "Marrent Rovers finished higher [1].", sources) == ""


def test_a_figure_borrowed_from_another_fact_in_the_passage_is_unsupported():
    passage = Passage("b:0", "b", "The Syrian Civil Defense said at least 10 civilians died in Idlib city. Araghchi then "
                      "went to Ankara to talk with Turkish officials.", "Brief", "Briefing desk", "2024-12-02")
    ok, reason = check_sentence("The Briefing desk reported on December 2, 2024 that 10 Turkish soldiers were wounded in Ankara.", [passage])
    assert not ok and reason == "figure 10 is about something else in the cited passage"
    assert check_sentence("At least 10 civilians were killed in Idlib on December 2, 2024.", [passage]) == (True, "")


@pytest.mark.parametrize("question, composite", [
    ("Which is older, the Harlow Gap Dam or the Route 9 bridge?", True),
    ("Which came first: the appointment of Mirela Santov or the order for safety checks?", True),
    ("How many times had the club whose fans set off flares won the cup before?", True),
    ("On what date is the shelter that housed 1,100 people due to close?", True),
    ("How many more evacuees did the Red Lantern Society count?", True),
    ("Did more people die in Pellin than in Cray's Ford?", True),
    ("Was the second relief package larger compared to the first?", True),
    ("Who later replaced the transport minister?", False),  # "later" is not a comparison
    ("How many homes were flooded when more than 200 people were evacuated?", False),  # a quantity
    ("What is the population of the village of Pellin?", False),
    ("Who was appointed to lead the inquiry into the Harlow Gap Dam failure?", False),
    ("How many people were evacuated from Cray's Ford?", False),
])
def test_composite_questions_are_told_apart_from_single_facts(question, composite):
    from assistant.answer.cite import is_composite

    assert is_composite(question) is composite


LONG_WHICH = ("Which company, as reported by both TechCrunch and The Verge, has spent billions to maintain its default "
              "search engine status and is also accused of harming news publishers' revenue?")


@pytest.mark.parametrize("question, identify", [
    (LONG_WHICH, True),  # 28 words, no relative clause: still several facts describing one company
    ("Who manages the shelter that the Saltreach Mariners squad visited with the cup on March 9?", True),
    ("Which is older, the Harlow Gap Dam or the Route 9 bridge at Cray's Ford?", False),  # a choice
    ("How many times had the club whose fans set off flares won the cup before?", False),  # a count, not a name
    ("Who was appointed to lead the inquiry into the Harlow Gap Dam failure?", False),  # one fact
    # "later" here tells the story, it compares nothing (MultiHop-RAG dev; taken for a choice until session 5)
    ("Who is the individual associated with the cryptocurrency industry who, before his company's downfall, was "
     "perceived as a reliable figure, but later faced allegations of fraud, as reported by The Verge and TechCrunch?", True),
])
def test_questions_that_describe_one_thing_by_several_facts_are_recognised(question, identify):
    from assistant.answer.cite import asks_to_identify

    assert asks_to_identify(question) is identify


def test_a_long_which_question_counts_as_composite_so_the_single_fact_model_check_leaves_it_alone():
    from assistant.answer.cite import is_composite

    assert is_composite(LONG_WHICH)


@pytest.mark.parametrize("question, yes_no", [
    ("Did the Harlow Gap Dam fail on March 2?", True),
    ("Between the TechCrunch report on Sam Bankman-Fried published on October 2, 2023, and the Fortune report "
     "published on October 4, 2023, was there consistency in the reporting?", True),
    ("After the report by The Age on October 1, 2023, did the Federal Reserve change its stance?", True),
    ("Was turnout in the 2026 Marrent mayoral election higher or lower than in 2022?", False),
    ("In the March 7 breakdown of the death toll, did Pellin or Cray's Ford lose more people?", False),
    ("Considering an article from The Verge and a report by Bloomberg, which model of the iPhone 14, praised for "
     "its camera, is the best seller?", False),
    ("How many people were evacuated from Cray's Ford?", False),
])
def test_yes_no_questions_are_found_behind_a_lead_in_and_choices_are_not_taken_for_them(question, yes_no):
    from assistant.answer.cite import is_yes_no

    assert is_yes_no(question) is yes_no


def test_a_hyphenated_figure_counts_the_same_thing_as_its_spelled_out_form():
    passage = Passage("h:0", "h", "A 68-year-old man with an existing liver condition died in hospital on March 4.",
                      "Hepatitis death", "Coastline Courier", "2026-03-04")
    assert check_sentence("The man who died was 68 years old.", [passage]) == (True, "")
    ok, reason = check_sentence("68 patients died in hospital.", [passage])
    assert not ok and reason == "figure 68 is about something else in the cited passage"


DECK = Passage("v:0", "v", "Valve says the Steam Deck OLED goes on sale on November 16. Developers still have a single "
               "performance target.", "The Steam Deck OLED arrives November 16", "Engadget", "2023-11-09")
DECK_QUESTION = ("Which company, covered by Engadget and Polygon, is set to release updated gaming hardware with over 300 "
                 "improvements on November 16, emphasizing a single performance target for developers?")


def test_an_identification_answer_may_restate_the_question_but_what_it_adds_must_be_in_the_passage():
    restated = "The company covered by Engadget and Polygon that releases hardware with over 300 improvements is Valve."
    ok, reason = check_sentence(restated, [DECK])
    assert not ok and reason == "figure 300 not in the cited passage"  # without the question as given
    assert check_sentence(restated, [DECK], given=DECK_QUESTION) == (True, "")
    # A name that is in neither the passage nor the question still fails; so does repeating the question.
    ok, reason = check_sentence("The company with over 300 improvements is Nintendo.", [DECK], given=DECK_QUESTION)
    assert not ok and reason == "name nintendo not in the cited passage"
    ok, reason = check_sentence("The company was covered by Engadget and Polygon.", [DECK], given=DECK_QUESTION)
    assert (ok, reason) == (False, "only repeats the question")
    text, _, _, refused = verify(restated + " [1]", [DECK], question=DECK_QUESTION)
    assert not refused and "Valve" in text
    # A question that does not ask to identify something lends the answer nothing.
    _, _, _, refused = verify(restated + " [1]", [DECK], question="What does the Steam Deck OLED improve?")
    assert refused


HOCKEY = Passage(
    "nyt:3", "nyt", "The 19-year-old centre scored twice on Thursday and leads all rookies in points.",
    "He's Hockey's Brightest Young Star. This Is What Makes Him Special", "The New York Times",
    "2023-11-17T10:00:00+00:00",
)


@pytest.mark.parametrize("answer", [
    "The New York Times, November 17, 2023 \u2014 He's Hockey's Brightest Young Star [1].",
    "This Is What Makes Him\u2026 [1]",
])
def test_an_answer_that_only_copies_a_passages_header_is_a_refusal(answer):
    text, _, checks, refused = verify(answer, [HOCKEY], "Which band did Rolling Stone review on its latest tour?")
    assert refused and text == ""
    assert checks[0].reason == "copies a passage's header instead of stating something"


def test_a_title_piece_cut_where_the_header_cuts_it_is_a_copy_even_when_the_text_repeats_the_title():
    titled = Passage("nyt:0", "nyt", HOCKEY.title + ". " + HOCKEY.text, HOCKEY.title, HOCKEY.source, HOCKEY.published_at)
    _, _, _, refused = verify("This Is What Makes Him\u2026 [1]", [titled], "Which band did Rolling Stone review?")
    assert refused


def test_a_header_copied_from_one_passage_and_cited_to_another_is_a_copy():
    hockey = replace(HOCKEY, title="He's Hockey's Brightest Young Star. This Is What Makes His Shot So Special.")
    deal = Passage("nyt:9", "nyt9", "Shohei Ohtani makes history: his deal is the largest in baseball.",
                   "Ohtani to sign $700 million deal", "The New York Times", "2023-12-11")
    assert check_sentence("This Is What Makes His\u2026", [deal])[0], "the cited passage alone lets it pass"
    text, _, checks, refused = verify("This Is What Makes His\u2026 [1]", [deal, hockey], "Which member plays bass?")
    assert refused and text == ""
    assert checks[0].reason == "copies a passage's header instead of stating something"


def test_a_name_that_a_title_holds_still_answers_and_a_claim_from_the_text_is_kept():
    text, _, _, refused = verify("The New York Times reported that the centre scored twice on Thursday [1].", [HOCKEY])
    assert not refused and "scored twice" in text
    name = Passage("t:1", "t", "Prosecutors said he knowingly committed fraud.", "Sam Bankman-Fried goes on trial",
                   "TechCrunch", "2023-10-04")
    _, _, _, refused = verify("Sam Bankman-Fried [1].", [name], "Who is the founder accused of fraud by prosecutors?")
    assert not refused


def test_a_numbered_label_or_list_item_is_not_taken_for_a_count_of_the_words_after_it():
    passage = Passage("o:0", "o", "The virus was found in samples from Beds 4 and 7, both near the outflow of the sewage works.",
                      "Lab tests confirm two Grennock Bay oyster beds as source", "The Civic Observer", "2026-03-11")
    assert check_sentence("Oysters from Beds 4 and 7 in Grennock Bay tested positive for the virus.", [passage]) == (True, "")
    ok, reason = check_sentence("7 oyster farmers in Grennock Bay tested positive.", [passage])
    assert not ok and reason == "figure 7 is about something else in the cited passage"


def test_names_the_question_asks_about_must_be_in_the_cited_sentences_or_their_headers():
    from assistant.answer.cite import unmentioned
    from assistant.types import Citation

    outbreak = Passage(chunk_id="h1:0", article_id="h1", title="Hepatitis A outbreak linked to oysters",
                       source="Coastline Courier", published_at="2026-03-02",
                       text="Health officials in Saltreach have confirmed 37 cases of hepatitis A since February 14. "
                            "Marrent has reported no cases.")
    cited = [Citation(1, outbreak, ("Health officials in Saltreach have confirmed 37 cases of hepatitis A since February 14.",))]
    # The same kind of fact about another town: the question's town is nowhere in the cited sentence, even
    # though the passage names it elsewhere and an answer could repeat it.
    assert unmentioned("How many hepatitis A cases were recorded in Marrent?", cited) == ["marrent"]
    assert unmentioned("How many hepatitis A cases were recorded in Saltreach?", cited) == []
    # The outlet, the title and the passage's date count; so do possessives and adjective forms; the
    # question's first word is capitalised anyway and is not a name.
    assert unmentioned("According to the Coastline Courier, how many oyster-linked cases had Saltreach's officials "
                       "confirmed?", cited) == []
    assert unmentioned("Which town in Veloria confirmed 37 cases?",
                       [Citation(1, outbreak, ("Officials in the Velorian town of Saltreach confirmed 37 cases.",))]) == []
    assert unmentioned("Which engineer at Castell & Rhee confirmed 37 cases?", cited) == ["castell", "rhee"]


BRIDGE = Passage(
    chunk_id="c1:0", article_id="c1", title="Route 9 bridge at Cray's Ford destroyed", source="Northgate Wire",
    published_at="2026-03-07",
    text="The Route 9 bridge over the River Quell at Cray's Ford was destroyed by the floodwater, Transport "
         "Minister Petra Sallow said on March 7.",
)
DAMAGE = Passage(
    chunk_id="d2:1", article_id="d2", title="First estimate puts flood damage at 310 million velors",
    source="Northgate Wire", published_at="2026-03-12",
    text="The agency said 1,450 homes were damaged, of which 212 were destroyed or will have to be demolished.",
)


def _cited(*passages):
    from assistant.types import Citation

    return [Citation(n, p) for n, p in enumerate(passages, start=1)]


def test_an_answer_whose_figure_and_the_questions_place_stand_in_different_reports_is_stated_apart():
    from assistant.answer.cite import stated_apart

    question = "How many homes were destroyed in Cray's Ford?"
    answer = "212 homes were destroyed in Cray's Ford [1][2]."
    assert verify(answer, [BRIDGE, DAMAGE], question)[1], "each part stands in a cited passage"
    reports = {"c1": BRIDGE.text, "d2": DAMAGE.text}
    assert stated_apart(question, answer, _cited(BRIDGE, DAMAGE), reports) == (
        "no one cited report states both its figure and cray, ford")
    # The same figure in a report that names the place elsewhere (another paragraph) stands.
    reports["d2"] = "Flooding in Cray's Ford was worst along the river. " + DAMAGE.text
    assert stated_apart(question, answer, _cited(BRIDGE, DAMAGE), reports) == ""
    # An outlet the question names is the cited report's own, not a name its text must repeat; an outlet the
    # answer does not cite still is.
    answer = "212 homes were destroyed [1]."
    assert stated_apart("According to the Northgate Wire, how many homes were destroyed?", answer, _cited(DAMAGE),
                        {"d2": DAMAGE.text}) == ""
    assert stated_apart("According to the Coastline Courier, how many homes were destroyed?", answer, _cited(DAMAGE),
                        {"d2": DAMAGE.text}) == "no one cited report states both its figure and coastline, courier"


def test_a_who_answer_must_stand_in_one_report_with_the_year_the_question_names():
    from assistant.answer.cite import stated_apart

    history = Passage(chunk_id="e1:0", article_id="e1", title="Cup final goes ahead", source="Veloria Public Radio",
                      published_at="2026-03-05", text="Marrent Rovers have won the Velorian Cup nine times, most "
                      "recently in 2022.")
    final = Passage(chunk_id="f1:0", article_id="f1", title="Mariners win the Cup", source="Coastline Courier",
                    published_at="2026-03-08", text="Rovers took the lead in the Velorian Cup final through Dami "
                    "Kettering, but Marrent Rovers lost 2-1.")
    question = "Who scored for Marrent Rovers when they won the Velorian Cup in 2022?"
    answer = "Marrent Rovers won the Velorian Cup in 2022, with Dami Kettering scoring [1][2]."
    reports = {"e1": history.text, "f1": final.text}
    assert "2022" in stated_apart(question, answer, _cited(history, final), reports)
    # A date is not a figure the report must repeat ("on March 7" in a report dated March 7 that says "Saturday").
    question = "How many homes were destroyed on March 7?"
    assert stated_apart(question, "212 homes were destroyed [1].", _cited(DAMAGE), {"d2": DAMAGE.text}) == ""
    # An answer that gives no name at all is missing_answer_kind's to refuse, not this rule's.
    assert stated_apart("Who designed the Route 9 bridge at Cray's Ford?", "It was destroyed on March 7 [1].",
                        _cited(DAMAGE), {"d2": DAMAGE.text}) == ""
    # Nor does the rule reach questions that ask for neither a name nor a figure.
    assert stated_apart("Why was the Route 9 bridge at Cray's Ford closed?", "It was destroyed [1][2].",
                        _cited(BRIDGE, DAMAGE), {"c1": BRIDGE.text, "d2": DAMAGE.text}) == ""


AGENCY = Passage(
    chunk_id="a1:1", article_id="a1", title="Dam breach floods Dunmarrow", source="The Marrent Ledger",
    published_at="2026-03-04",
    text="Eight of the deaths were in Dunmarrow, the NCPA said. \"Every boat we have is in the valley,\" said "
         "Hesper Okonne, director of the NCPA.",
)


def test_acronyms_are_the_initials_of_names_of_three_or_more_capitalised_words():
    from assistant.answer.cite import acronyms

    assert acronyms("Who is the director of the National Civil Protection Agency?") == {
        "NCPA": ("national", "civil", "protection", "agency")}
    assert acronyms("What did the Securities and Exchange Commission's chair say?") == {
        "SEC": ("securities", "exchange", "commission")}
    # Two words are too few (a person, a place); question words, months and weekdays are not name words.
    assert acronyms("Which Brightloom Systems employees did Dario Menk meet on Monday, March 9?") == {}


def test_a_name_spelled_out_counts_as_stated_where_the_passage_uses_its_acronym():
    from assistant.answer.cite import stated_apart, unmentioned
    from assistant.types import Citation

    question = "Who is the director of the National Civil Protection Agency?"
    answer = "Hesper Okonne is the director of the National Civil Protection Agency [1]."
    text, citations, checks, refused = verify(answer, [AGENCY], question)
    assert not refused and checks[0].supported, checks
    assert unmentioned(question, citations) == []
    assert stated_apart(question, text, citations, {"a1": AGENCY.text}) == ""
    # Initials that are not the name's, or a name the passage does not abbreviate, are still missing.
    other = replace(AGENCY, text=AGENCY.text.replace("NCPA", "NCP"))
    assert not verify(answer, [other], question)[2][0].supported
    assert unmentioned("Who leads the National Flood Protection Agency?",
                       [Citation(1, AGENCY, ("said Hesper Okonne, director of the NCPA.",))]) == [
                           "agency", "national", "protection"]


TAKEOVER = Passage(
    chunk_id="t1:0", article_id="t1", title="Brightloom to buy Saltreach data firm Tidewell Analytics",
    source="Coastline Courier", published_at="2026-03-03",
    text="Brightloom Systems has agreed to buy Tidewell Analytics, a Saltreach-based data company, for 610 "
         "million velors. Tidewell, founded in 2016 by Signe Harrowby, makes software that detects leaks. "
         "It has 430 employees.",
)


def test_a_figure_the_passage_gives_for_something_the_answer_does_not_name_is_of_another():
    from assistant.answer.cite import figure_of_another

    cited = _cited(TAKEOVER)
    # The 430 employees are Tidewell's: neither their sentence nor the one before it names Brightloom.
    assert verify("Brightloom Systems has 430 employees [1].", [TAKEOVER])[1], "the citation check passes it"
    assert figure_of_another("Brightloom Systems has 430 employees [1].", cited) == (
        "the cited passage gives 430 for something the sentence does not name (brightloom, systems)")
    assert figure_of_another("Tidewell Analytics has 430 employees [1].", cited) == ""
    assert figure_of_another("Brightloom Systems agreed to pay 610 million velors [1].", cited) == ""
    # The outlet and the date are attribution, not what the figure counts; a sentence naming nothing else
    # is left alone.
    assert figure_of_another("The Coastline Courier reported on March 3, 2026 that it has 430 employees [1].",
                             cited) == ""


RESULTS = Passage(
    chunk_id="r1:3", article_id="r1", title="Brightloom revenue climbs 18 percent on sensor demand",
    source="Northgate Wire", published_at="2026-02-28",
    text="Brightloom expects revenue growth of between 10 and 12 percent in 2026. The company employs about 5,800 "
         "people, most of them in Marrent. The company will pay a dividend of 1.40 velors per share, up from 1.10 "
         "velors a year earlier.",
)


def test_a_figure_of_a_sentence_opening_with_the_company_is_that_of_the_last_company_named_as_a_subject():
    from assistant.answer.cite import figure_of_another

    # "The company" is Brightloom, named two sentences back; the sentence just before names only Marrent.
    answer = "Brightloom will pay a dividend of 1.40 velors per share, up from 1.10 velors [1]."
    assert figure_of_another(answer, _cited(RESULTS)) == ""
    assert figure_of_another("Tidewell will pay a dividend of 1.40 velors per share [1].", _cited(RESULTS)) == (
        "the cited passage gives 1.4 for something the sentence does not name (tidewell)")
    # "It has 430 employees" after "Tidewell, founded in 2016 by Signe Harrowby, ..." is still Tidewell's.
    assert figure_of_another("Brightloom Systems has 430 employees [1].", _cited(TAKEOVER)).startswith(
        "the cited passage gives 430")


def test_a_figure_written_with_a_space_after_its_thousands_comma_is_read_as_one_figure():
    vaccinated = Passage(chunk_id="v1:0", article_id="v1", title="Hepatitis count revised to 69",
                         source="The Civic Observer", published_at="2026-03-19",
                         text="The number of patients in hospital has fallen to three. More than 9,800 people have "
                              "now been vaccinated, according to the Health Ministry.")
    text, _, checks, refused = verify("More than 9, 800 people had been vaccinated [1].", [vaccinated])
    assert not refused and "9,800" in text, checks
    # Not when the passage states the three digits alone: "on March 19, 800 people" is two figures.
    two = Passage(chunk_id="v2:0", article_id="v2", title="Clinics", source="The Civic Observer",
                  published_at="2026-03-19", text="On March 19, 800 people were vaccinated; 19,800 in all.")
    text, _, _, refused = verify("On March 19, 800 people were vaccinated [1].", [two])
    assert not refused and "19, 800" in text


def test_a_share_in_words_answers_a_by_how_much_question():
    from assistant.answer.cite import missing_answer_kind

    question = "According to Renata Kovalis, by how much have rents in Marrent gone up over the last five years?"
    assert missing_answer_kind(question, "Rents in Marrent have risen by a third in five years [1].", []) == ""
    assert missing_answer_kind(question, "Rents in Marrent have risen sharply in five years [1].", []) == "figure"
    # Only a share the question does not already give.
    assert missing_answer_kind("How many of the half a million residents left?", "Half a million residents live there [1].",
                               []) == "figure"


@pytest.mark.parametrize("question,answer,missing", [
    # A length of time in words answers "how long" (held-out d009, d032, d069).
    ("How much extra time will the detour add to trips to Saltreach?", "It will add about an hour [1].", ""),
    ("How long do most people take to recover from hepatitis A?", "Most recover fully within a few months [1].", ""),
    ("How long will the valley need to recover?", "The valley will need years, not months [1].", ""),
    ("How long will the detour take?", "The detour runs through Lowmere [1].", "figure"),
    # A year question needs a year, the report's own date aside (d047).
    ("In what year did Corin Fael become mayor of Dunmarrow?",
     "The Dunmarrow Gazette reported on March 3, 2026, that Corin Fael became mayor of Dunmarrow [1].", "year"),
    ("In what year did Corin Fael become mayor of Dunmarrow?", "Corin Fael became mayor in 2019 [1].", ""),
    # "Which construction company" asks for a name (d041).
    ("Which construction company will build the temporary bridge?", "A company will build it [1].", "name"),
])
def test_an_answer_must_give_what_the_question_asks_for(question, answer, missing):
    from assistant.answer.cite import missing_answer_kind

    assert missing_answer_kind(question, answer, ["The Dunmarrow Gazette"]) == missing


def test_a_person_named_by_surname_alone_is_mentioned():
    from assistant.answer.cite import unmentioned
    from assistant.types import Citation

    result = Passage(chunk_id="e1:2", article_id="e1", title="Kovalis wins Marrent mayoral race",
                     source="The Marrent Ledger", published_at="2026-03-16",
                     text="Thell held the three eastern districts, including his home district of Vell Hill.")
    cited = [Citation(1, result, (result.text,))]
    assert unmentioned("Which Marrent district is Oskar Thell's home district?", cited) == []
    # The surname must be there: the first name does not stand for it, nor does a body's last word.
    assert unmentioned("Which district is Oskar Brenn's home district?", cited) == ["brenn", "oskar"]
    flood = Passage(chunk_id="d1:0", article_id="d1", title="Flood", source="The Marrent Ledger",
                    published_at="2026-03-04", text="The dam flooded the eastern districts.")
    assert unmentioned("Which districts did the Harlow Gap Dam flood?", [Citation(1, flood, (flood.text,))]) == [
        "gap", "harlow"]



FINAL = Passage(
    chunk_id="m1:1", article_id="m1", title="Mariners win the Velorian Cup", source="Coastline Courier",
    published_at="2026-03-08",
    text="Saltreach Mariners beat Marrent Rovers 2-1 after extra time to win the Velorian Cup. Rovers took the lead "
         "through Dami Kettering, and the Mariners equalised when Jonah Vasco curled a free kick into the top corner. "
         '"The least we could do was bring them the cup," said Mariners captain Ruben Aske. Rovers coach Matthias '
         "Orrin criticised the referee. Chamber president Oren Waltz said shops would not survive.",
)


@pytest.mark.parametrize("question,answer,off", [
    # The captain is not the coach, nor the coach the captain: no sentence naming them speaks of the role asked.
    ("Who coaches Saltreach Mariners?", "Mariners captain Ruben Aske said they brought the cup [1].", True),
    ("Who captains Marrent Rovers?", "Matthias Orrin is the captain of Marrent Rovers [1].", True),
    ("Who captains Saltreach Mariners?", "Ruben Aske captains the Mariners [1].", False),
    # Other forms of the question's word: "equalised" for "equaliser", "win" for "won", a post for "leads".
    ("Who scored the Mariners' equaliser?", "Jonah Vasco scored the equaliser [1].", False),
    ("Who won the Velorian Cup?", "Saltreach Mariners won the Velorian Cup [1].", False),
    ("Who leads the Dunmarrow Chamber of Commerce?", "The Chamber's president is Oren Waltz [1].", False),
    # Not a "who" question, or an answer giving no name: other rules' business.
    ("How many goals did Rovers score?", "Rovers scored once, through Dami Kettering [1].", False),
    ("Who coaches Saltreach Mariners?", "The articles name the captain [1].", False),
])
def test_a_who_answer_must_name_someone_a_cited_sentence_ties_to_what_is_asked(question, answer, off):
    from assistant.answer.cite import name_off_question

    assert bool(name_off_question(question, answer, _cited(FINAL))) is off



@pytest.mark.parametrize("question,asks", [
    ("Who is the mayor of Dunmarrow?", True),
    ("According to the Northgate Wire, who is the spokesperson?", True),
    ("Which outside contractor will assemble the older sensor boards?", True),
    ("Which political party does Alina Varesk belong to?", True),
    ("What was the surname of the family found on the roof?", True),
    # A relative "who" asks for no name (held-out c070's "people who had eaten ... shellfish").
    ("What symptoms did Leontine Abara tell people who had eaten Grennock Bay shellfish to watch for?", False),
    ("Which party or union won?", False),  # a choice
])
def test_which_questions_ask_for_a_name(question, asks):
    from assistant.answer.cite import asks_for_name

    assert asks_for_name(question) is asks


def test_names_shortened_after_their_first_mention_and_who_said_it_are_mentioned():
    from assistant.answer.cite import unmentioned
    from assistant.types import Citation

    results = Passage(chunk_id="b1:1", article_id="b1", title="Revenue climbs", source="Northgate Wire",
                      published_at="2026-02-28",
                      text="Chief executive Ines Varga-Holt said demand for the company's sensor chips had driven most "
                           "of the growth. Brightloom expects revenue growth of 10 percent.")
    cited = [Citation(1, results, (results.text,))]
    assert unmentioned("What did Ines Varga-Holt say had driven most of Brightloom Systems' growth?", cited) == []
    # The rest of a body's name must stand as a phrase: "Saltreach" and "water" apart are not the water company.
    volunteers = Passage(chunk_id="v1:0", article_id="v1", title="Volunteers", source="Coastline Courier",
                         published_at="2026-03-10",
                         text="Students from Saltreach pumped water out of cellars.")
    assert unmentioned("When will the Saltreach Water Company install new pumps?",
                       [Citation(1, volunteers, (volunteers.text,))]) == ["company"]
    # Who said it may be named anywhere in the cited passage, the fact itself in the cited sentence.
    search = Passage(chunk_id="s1:0", article_id="s1", title="Search goes on", source="The Marrent Ledger",
                     published_at="2026-03-13",
                     text="NCPA director Hesper Okonne gave an update on March 13. The search for the four missing "
                          "people would continue with divers and drones, she said.")
    cited = [Citation(1, search, ("The search for the four missing people would continue with divers and drones, she "
                                  "said.",))]
    assert unmentioned("With what means will the search carry on, according to the NCPA director?", cited) == []
    assert unmentioned("With what means will the NCPA search carry on?", cited) == ["ncpa"]
    # An acronym the cited sentence spells out is mentioned.
    spelled = [Citation(1, search, ("The National Civil Protection Agency said four people were still missing.",))]
    assert unmentioned("How many people did the NCPA say were missing?", spelled) == []


def test_a_score_is_not_a_count_of_what_follows_it():
    derby = Passage(chunk_id="d3:0", article_id="d3", title="Derby", source="Coastline Courier",
                    published_at="2026-03-05", text="The two teams drew 1-1 when they met in the league in January.")
    # Held-out c027: "1" was read as counting "draw", which the passage words "drew".
    ok, reason = check_sentence("The January league meeting between the two teams ended in a 1-1 draw.", [derby])
    assert ok, reason


def test_a_sentence_about_the_passages_is_not_a_claim_about_the_news():
    text, _, checks, refused = verify(
        "Forecaster Lars Penhale explained it [1]. This information is found in both passages [1].", [RESULTS])
    assert checks[1].reason == "speaks of the passages, not of the news" and not checks[1].supported
    # Unless the news itself speaks of passages.
    ferry = Passage(chunk_id="p1:0", article_id="p1", title="Ferry", source="Coastline Courier",
                    published_at="2026-03-08", text="The ferry company sold 1,200 passages to Grennock in March.")
    assert verify("The ferry company sold 1,200 passages to Grennock [1].", [ferry])[3] is False


HEARING = Passage(
    chunk_id="h1:0", article_id="h1", title="Dam inquiry opens first public hearing", source="Coastline Courier",
    published_at="2026-03-18",
    text="The independent inquiry into the Harlow Gap Dam failure held its first public hearing at Dunmarrow town "
         "hall, the National Civil Protection Agency said. The first witness was Karel Dunn, the shift engineer.",
)


def test_a_question_about_a_person_needs_a_persons_name_not_a_place_or_a_body():
    from assistant.answer.cite import asks_for_person, missing_answer_kind

    question = "What was the name of the first victim of the Harlow Gap Dam failure to be formally identified?"
    assert asks_for_person(question) and asks_for_person("Which minister announced the fund?")
    assert not asks_for_person("Which company bought Tidewell Analytics?")
    # "Who" alone may ask for a club or a company.
    assert not asks_for_person("Who won the Velorian Cup?") and not asks_for_person("Who is buying Tidewell?")
    assert missing_answer_kind("Who won the Velorian Cup?", "Saltreach Mariners won it [1].", []) == ""
    sources = ["Coastline Courier"]
    # The fallback's quote names a place, a body and the dam (f173, session 12): none is a person.
    quote = ("Coastline Courier (March 18, 2026) reported: \u201cThe independent inquiry into the Harlow Gap Dam "
             "failure held its first public hearing at Dunmarrow town hall, the National Civil Protection Agency "
             "said.\u201d [1]")
    assert missing_answer_kind(question, quote, sources, HEARING.text) == "person's name"
    assert missing_answer_kind(question, "The first witness was Karel Dunn [1].", sources, HEARING.text) == ""
    # A surname stands when the cited text gives the full name; alone it could be anything.
    assert missing_answer_kind(question, "The first named was Dunn [1].", sources, HEARING.text) == ""
    assert missing_answer_kind(question, "The first named was Dunmarrow [1].", sources, HEARING.text) == "person's name"
    # A company question is answered by the company's name.
    assert missing_answer_kind("Which company bought Tidewell Analytics?", "Brightloom Systems bought it [1].",
                               sources, "") == ""


def test_a_figure_the_question_describes_its_subject_by_must_stand_in_a_cited_report():
    from assistant.answer.cite import unstated_figures

    minister = Passage(chunk_id="m1:0", article_id="m1", title="Hepatitis A cases in Saltreach rise to 58",
                       source="Veloria Public Radio", published_at="2026-03-06",
                       text="The number of cases has risen to 58, Health Minister Anselm Ruiz-Teller said.")
    death = Passage(chunk_id="d1:0", article_id="d1", title="First death in Saltreach hepatitis outbreak",
                    source="Coastline Courier", published_at="2026-03-15",
                    text="A 68-year-old man has died, the health ministry said. His name was not released.")
    question = "What was the name of the 68-year-old man who died in the Saltreach hepatitis A outbreak?"
    reports = {"m1": minister.text, "d1": death.text}
    assert unstated_figures(question, _cited(minister), reports) == "no cited report states 68, which the question gives"
    assert unstated_figures(question, _cited(minister, death), reports) == ""
    # A figure in a describing clause may be another report's: "the minister who announced the 45 million fund".
    assert unstated_figures("How big is the package that the minister who announced the 45 million velor fund "
                            "plans?", _cited(minister), reports) == ""
    # "8,400" is one figure of the main clause, not a clause cut at its comma; dates are not asked for.
    assert unstated_figures("Which body gave the figure of 8,400 evacuees?", _cited(minister), reports) == (
        "no cited report states 8400, which the question gives")
    assert unstated_figures("Who spoke on March 6 about 58 cases?", _cited(minister), reports) == ""


RELIEF = Passage(
    chunk_id="r1:0", article_id="r1", title="Cup final raises 1.9 million velors for flood relief",
    source="Dunmarrow Gazette", published_at="2026-03-10",
    text="Ticket sales from the Velorian Cup final raised 1.9 million velors for flood relief, the federation said. "
         "The Saltreach Mariners squad spent two hours signing shirts and playing with children.",
)


def test_a_figure_whose_sentence_speaks_of_nothing_the_question_asks_about_is_off_the_question():
    from assistant.answer.cite import figure_off_question

    question = "How much did Saltreach Mariners' players receive as a bonus for winning the Velorian Cup?"
    answer = "The Velorian Cup final raised 1.9 million velors for flood relief [1]."
    assert verify(answer, [RELIEF], question)[1], "the citation check passes it"
    assert figure_off_question(question, answer, _cited(RELIEF)) == (
        "no cited sentence stating its figure speaks of bonu, player, receiv, winn")
    # "playing" is not "players": a stem, not a prefix, is shared.
    assert figure_off_question(question, "The squad spent two hours with children [1].", _cited(RELIEF)) != ""
    # A sentence that speaks of what is asked stands, with or without a final "e" ("raise", "raised").
    assert figure_off_question("How much did ticket sales raise for flood relief?", answer, _cited(RELIEF)) == ""
    assert figure_off_question("How much did the final raise?", answer, _cited(RELIEF)) == ""
    # A word that starts with the question's stands for it: the demo question's answer sentence says "militiamen".
    observatory = Passage("o1:0", "o1", "The Syrian Observatory put the number at approximately 200 Iraqi militiamen.",
                          "Iraqi militias cross into Syria", "Briefing desk", "2024-12-02")
    assert figure_off_question("How many Iraqi militia crossed into Syria?", "About 200 Iraqi militiamen did [1].",
                               _cited(observatory)) == ""
    # "How old is X?" leaves no word to share ("Kovalis, 52, said"), nor do names: the rule does not reach them.
    kovalis = Passage("k1:0", "k1", "Renata Kovalis, 52, said she would run.", "Kovalis to run", "Northgate Wire",
                      "2026-02-20")
    assert figure_off_question("How old is Renata Kovalis?", "Renata Kovalis is 52 [1].", _cited(kovalis)) == ""
    # Only "how many/how much" answers with a figure of their own.
    assert figure_off_question("Who won the Velorian Cup?", "Saltreach Mariners won it [1].", _cited(RELIEF)) == ""


def _said(*sentences: str):
    """Citations of one report whose supporting sentences are ``sentences``."""
    from assistant.types import Citation

    passage = Passage(chunk_id="o1:0", article_id="o1", title="A report", source="Northgate Wire",
                      published_at="2026-03-17", text=" ".join(sentences))
    return [Citation(1, passage, tuple(sentences))]


@pytest.mark.parametrize("question,sentences", [
    ("What did the dam inquiry conclude was the cause of the Harlow Gap Dam failure?",  # f185
     ["The government on March 10 appointed retired Supreme Court judge Mirela Santov to lead an independent inquiry.",
      "The inquiry will examine the cause of the breach, the maintenance of the dam and the sirens."]),
    ("What did the Veloria Competition Authority finally decide about Brightloom's purchase of Tidewell Analytics?",  # f188
     ["The Veloria Competition Authority opened an in-depth investigation on March 17 into Brightloom Systems' "
      "planned purchase of Tidewell Analytics.",
      "The regulator said it was concerned that the combined company would control about 70 percent of the market."]),
    ("How did Marrent Rovers' challenge to the length of the ban turn out?",
     ["Rovers said they would not appeal the fines but would challenge the length of Pask's ban."]),
])
def test_an_outcome_asked_for_is_not_answered_by_a_process_under_way(question, sentences):
    from assistant.answer.cite import only_pending

    assert only_pending(question, _said(*sentences)) == (
        "the cited sentences only say what is under way or to come, not how it ended")


@pytest.mark.parametrize("question,sentences", [
    # An end reached, even beside the process that led to it.
    ("What did the Saltreach Water Company's review find?",
     ["The Saltreach Water Company said it would publish its own review of the January overflow.",
      "It found that a pump failure had allowed untreated sewage to reach Grennock Bay."]),
    # An end stated in the future tense is a decision, not a process to come.
    ("What did the government decide about the Harlow Gap Dam?",
     ["The Harlow Gap Dam will not be rebuilt, Prime Minister Alina Varesk announced on March 19."]),
    # Not a question about an outcome: a deadline, and bodies found.
    ("How much time does the competition regulator have to rule on the Tidewell takeover?",
     ["The authority has 90 working days to reach a decision, meaning a ruling is expected in late July."]),
    ("Near which town were three bodies found on March 13?",
     ["Police will examine the riverbanks again on Monday."]),
])
def test_an_outcome_stated_or_a_question_about_something_else_is_left_alone(question, sentences):
    from assistant.answer.cite import only_pending

    assert only_pending(question, _said(*sentences)) == ""


def test_a_figure_of_a_list_that_leaves_its_unit_out_counts_the_lists_unit():
    relief = Passage(chunk_id="r1:0", article_id="r1", title="Cabinet approves 45 million velor relief fund",
                     source="The Civic Observer", published_at="2026-03-06",
                     text="Finance Minister Edda Strand said 20 million velors would go to direct cash grants for "
                          "displaced households, 15 million to clearing debris and restoring water and power, and "
                          "10 million to local businesses.")
    assert check_sentence("10 million velors would go to local businesses.", [relief]) == (True, "")
    assert check_sentence("15 million velors would go to clearing debris.", [relief]) == (True, "")
    # The unit carries over inside the list only: a count of something else is still caught.
    assert check_sentence("10 million households lost power.", [relief]) == (
        False, "figure 10000000 is about something else in the cited passage")
