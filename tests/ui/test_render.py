"""render.py: escaping, markers -> anchors, highlights, refusal style, export; and the upload name sanitiser."""

from __future__ import annotations

import re

import pytest

from assistant.types import Answer, Article, Citation, Passage, SentenceCheck
from assistant.ui import render

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
MD_LINK = "[click](javascript:alert(1))"
PAYLOAD = f"Ferry approved {SCRIPT} with {IMG} and {MD_LINK}."


def passage(text: str = "The ferry will carry 240 passengers. It starts in May.", **kw) -> Passage:
    values = dict(chunk_id="a1:0", article_id="a1", text=text, title="Ferry plan approved", source="Coastline Courier",
                  published_at="2026-03-12", url="https://courier.example/ferry", rank=1)
    values.update(kw)
    return Passage(**values)


def cited_answer(p: Passage | None = None) -> Answer:
    p = p or passage()
    return Answer(
        question="How many passengers?",
        text="The ferry will carry 240 passengers [1].",
        citations=(Citation(1, p, ("The ferry will carry 240 passengers.",)),),
        sentences=(
            SentenceCheck("The ferry will carry 240 passengers.", (1,), True),
            SentenceCheck("It will carry 300 cars.", (1,), False, "number 300 not in [1]"),
        ),
        passages=(p, passage(chunk_id="b2:0", article_id="b2", title="Other story")),
        timings={"total": 0.5},
    )


def assert_inert(fragment: str) -> None:
    """No tag or Markdown link from the payload survives; its text is still shown."""
    assert "<script" not in fragment and "<img" not in fragment
    assert "javascript:" not in fragment
    assert "](" not in fragment and "[click]" not in fragment
    assert "&lt;script&gt;" in fragment  # shown as text


def test_esc_escapes_html_and_markdown():
    out = render.esc(PAYLOAD)
    assert_inert(out)
    assert "&#91;click&#93;&#40;javascript&#58;" in out
    assert render.esc('"quoted" & \'single\'') == "&quot;quoted&quot; &amp; &#x27;single&#x27;"
    assert render.esc(None) == ""


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<b>", "/relative", "https://x.example/\"onmouseover=1",
                                 "", None, "ftp://files.example/a"])
def test_safe_url_rejects_non_http(url):
    assert render.safe_url(url) is None


def test_safe_url_keeps_http_links_escaped():
    assert render.safe_url("https://a.example/x?a=1&b=2") == "https://a.example/x?a=1&amp;b=2"


def test_markers_become_anchors_to_the_turns_citations():
    html = render.answer_html(cited_answer(), turn=3)
    assert '<a class="cite" href="#t3-c1" data-target="t3-c1">&#91;1&#93;</a>' in html
    assert 'class="brief-answer"' in html and "brief-refusal" not in html


def test_marker_without_citation_is_flagged_not_linked():
    html = render.linked_text("Claim [1][7].", lambda n: "t1-c1" if n == 1 else None)
    assert 'href="#t1-c1"' in html and 'class="cite missing"' in html and "#t1-c7" not in html
    assert render.linked_text("Claim [1, 2].", lambda n: f"x{n}").count('class="cite"') == 2


def test_unsupported_sentences_are_struck_through_with_reason():
    html = render.answer_html(cited_answer(), turn=1)
    assert "<del>It will carry 300 cars.</del>" in html
    assert "number 300 not in &#91;1&#93;" in html


def test_refusal_is_styled_differently_and_sources_show_closest_passages():
    p = passage()
    refusal = Answer(question="Capital of France?", text="The articles do not say.", refused=True, passages=(p,))
    html = render.answer_html(refusal, turn=1)
    assert 'class="brief-refusal"' in html and "brief-answer" not in html and "No supported answer" in html
    panel = render.sources_html([{"question": "Capital of France?", "answer": refusal}])
    assert "Closest passages" in panel and 'id="t1-e1"' in panel and "closest" in panel


def test_highlight_marks_supporting_sentence_inside_passage_text():
    out = render.highlight("Intro. The ferry will carry\n240 passengers. End.", ["The ferry will carry 240 passengers."])
    assert out == "Intro. <mark>The ferry will carry\n240 passengers.</mark> End."
    assert render.highlight("no match here", ["absent sentence"]) == "no match here"


def test_sources_panel_cards_escape_article_text_and_neutralise_links():
    evil = passage(text=PAYLOAD, title=f"Title {IMG}", source=f"Outlet {SCRIPT}", url="javascript:alert(1)")
    answer = Answer(question="q", text="Ferry approved [1].", citations=(Citation(1, evil, (PAYLOAD,)),),
                    sentences=(SentenceCheck("Ferry approved.", (1,), True),), passages=(evil,))
    panel = render.sources_html([{"question": f"q {SCRIPT}", "answer": answer}])
    assert_inert(panel)
    assert "<mark>" in panel and 'id="t1-c1"' in panel
    assert "original" not in panel  # a javascript: URL gives no link
    chat = render.chat_messages([{"question": f"q {IMG}", "answer": answer}])
    for message in chat:
        assert "<img" not in message["content"] and "<script" not in message["content"]


def test_source_card_shows_title_outlet_date_and_link():
    panel = render.sources_html([{"question": "q", "answer": cited_answer()}])
    assert "Ferry plan approved" in panel and "Coastline Courier" in panel and "12 Mar 2026" in panel
    assert 'href="https://courier.example/ferry"' in panel and 'rel="noopener noreferrer nofollow"' in panel
    assert "Other retrieved passages (1)" in panel  # the uncited passage, folded away


def test_sources_panel_newest_turn_first_with_pending_evidence():
    turns = [{"question": "first", "answer": cited_answer()}]
    pending = render.evidence_html(2, "second (follow-up)", [passage()], standalone="second (following up on: first)")
    panel = render.sources_html(turns, pending)
    assert panel.index('id="t2"') < panel.index('id="t1"')
    assert "Searched as" in panel and 'id="t2-e1"' in panel


def test_draft_links_markers_to_evidence():
    html = render.draft_html("It carries 240 [1] or [9].", turn=2, passages=3)
    assert 'href="#t2-e1"' in html and "cite missing" in html


def test_article_viewer_escapes_everything():
    article = Article(id="abc", title=f"T {SCRIPT}", body=f"Para one {IMG}.\n\n{MD_LINK}", source="S", published_at="2026-03-12",
                      url="javascript:alert(1)", author=f"A {IMG}")
    html = render.article_html(article)
    assert_inert(html.replace("&lt;img", "&lt;script&gt;&lt;img"))  # the payload shows only as text
    assert html.count("<p>") == 2 and "<a " not in html


def test_briefing_markdown_has_footnotes_and_no_active_markup():
    p = passage(text=PAYLOAD, title=f"Ferry {SCRIPT}")
    answer = Answer(question="q", text="Ferry approved [1]. Cars allowed [2].",
                    citations=(Citation(1, p, ("Ferry approved.",)), Citation(2, passage(chunk_id="c", url=None), ())),
                    sentences=(SentenceCheck("x", (1,), True), SentenceCheck("Bad 9.", (1,), False, "number 9 not in [1]")))
    md = render.briefing_markdown([{"question": f"Is it {MD_LINK}?", "answer": answer}])
    assert "Ferry approved[^1-1]. Cars allowed[^1-2]." in md
    assert "[^1-1]: *Ferry \\<script\\>alert(1)\\</script\\>*, Coastline Courier, 12 Mar 2026. <https://courier.example/ferry>" in md
    assert "\\[click\\](javascript:alert(1))" in md  # shown literally, not a link
    assert "~~Bad 9.~~" in md
    assert not re.search(r"(?<!\\)<script", md)


def test_answer_record_is_json_able():
    import json

    record = render.answer_record(cited_answer())
    json.dumps(record)
    assert record["citations"][0]["title"] == "Ferry plan approved"
    assert record["citations"][0]["sentences"] == ["The ferry will carry 240 passengers."]
    assert record["sentences"][1]["supported"] is False


def test_format_date():
    assert render.format_date("2026-03-04") == "4 Mar 2026"
    assert render.format_date("2026-03-04T10:00:00Z") == "4 Mar 2026"
    assert render.format_date(None) == "undated"
    assert render.format_date("spring") == "spring"


# Upload names (assistant/ui/app.py).
@pytest.mark.parametrize("name, expected", [
    ("report.md", "report.md"),
    ("../../etc/passwd", "passwd"),
    ("..\\..\\windows\\evil.HTML", "evil.html"),
    ("/abs/path/Ström & Co (final).pdf", "Strom-Co-final.pdf"),
    (".hidden.txt", "hidden.txt"),
    ("..", "upload"),
    ("a" * 300 + ".json", "a" * 80 + ".json"),
    ("no_suffix", "no_suffix"),
])
def test_safe_upload_name(name, expected):
    from assistant.ui.app import safe_upload_name

    assert safe_upload_name(name) == expected


def test_store_upload_is_unique_inside_folder_and_refuses_big_files(tmp_path):
    from assistant.errors import CorpusError
    from assistant.ui.app import store_upload

    src_dir = tmp_path / "in"
    src_dir.mkdir()
    src = src_dir / "story.md"
    src.write_text("x" * 100)
    uploads = tmp_path / "uploads"
    first, second = store_upload(src, uploads, 1000), store_upload(src, uploads, 1000)
    assert first.name == "story.md" and second.name == "story-2.md" and first.parent == second.parent == uploads
    with pytest.raises(CorpusError, match="over the"):
        store_upload(src, uploads, 50)
    bad = src_dir / "run.exe"
    bad.write_text("x")
    with pytest.raises(CorpusError, match="unsupported"):
        store_upload(bad, uploads, 1000)
    assert sorted(p.name for p in uploads.iterdir()) == ["story-2.md", "story.md"]


def test_access_rules():
    from assistant.config import Settings
    from assistant.errors import AssistantError
    from assistant.ui.app import check_access

    assert check_access(Settings(host="127.0.0.1")) is None
    assert check_access(Settings(host="localhost")) is None
    with pytest.raises(AssistantError, match="BRIEFING_AUTH_USER"):
        check_access(Settings(host="0.0.0.0"))
    assert check_access(Settings(host="0.0.0.0", auth_user="desk", auth_password="pw")) == ("desk", "pw")
    assert check_access(Settings(host="0.0.0.0", open_access=True)) is None
    with pytest.raises(AssistantError, match="both"):
        check_access(Settings(host="127.0.0.1", auth_user="desk"))
