"""Loading article files into Articles: each format, its metadata, and every bad input's reason."""

from __future__ import annotations

import io
import json
import os
import pathlib
import re
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import CorpusError
from assistant.ingest.load import ArticleLoader, article_id, expand_paths, parse_date

MB = 1024 * 1024
FIXTURES = Path(__file__).parents[1] / "fixtures" / "articles"
SHARED = Path(__file__).parents[2].parent / "shared"
SEED = SHARED / "seed" / "iraqi-forces-enter-syria.txt"
CORPUS = SHARED / "datasets" / "multihop-rag" / "corpus.json"


@pytest.fixture
def loader() -> ArticleLoader:
    return ArticleLoader(max_bytes=5 * MB)


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8"))
    return path


def reason(loader: ArticleLoader, path: Path) -> str:
    with pytest.raises(CorpusError) as info:
        loader.load(path)
    assert info.value.path == str(path)
    return info.value.reason


def make_pdf(pages: list[list[str]], title: str | None = None) -> bytes:
    """A minimal valid PDF with a Helvetica text layer, one text line per entry."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages)))
    objs.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for i, lines in enumerate(pages):
        ops = ["BT", "/F1 12 Tf", "14 TL", "72 720 Td"]
        for line in lines:
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"({escaped}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        objs.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode()
        )
        objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    info = None
    if title:
        objs.append(f"<< /Title ({title}) /Author (Desk Editor) >>".encode())
        info = len(objs)
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    trailer = f"<< /Size {len(objs) + 1} /Root 1 0 R" + (f" /Info {info} 0 R" if info else "") + " >>"
    out.write(b"trailer\n" + trailer.encode() + b"\nstartxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


# --------------------------------------------------------------------------- plain text


@pytest.mark.skipif(not SEED.exists(), reason="../shared/seed is not beside the checkout")
def test_seed_article_title_body_and_trailing_source_line(loader):
    raw = SEED.read_text(encoding="utf-8")
    [article] = loader.load(SEED)
    assert article.title == "Iran-Backed Iraqi Forces Enter Syria"
    assert article.source == "msn"
    assert "Source" not in article.body and "»" not in article.body
    assert article.body.startswith("Iranian-backed Iraqi militias have moved into Syria")
    assert article.body.endswith("clashes with one another.")
    # Paragraph line breaks survive: the sub-heading is still a line of its own.
    assert "\nHow Many Iraqi Militia Crossed into Syria?\n" in article.body
    assert article.body in raw  # nothing inside the body was rewritten
    assert article.published_at is None and article.url is None and article.author is None
    assert article.path == str(SEED)
    assert re.fullmatch(r"[0-9a-f]{16}", article.id)


def test_title_line_body_and_source_line_without_trailing_newline(loader, tmp_path):
    path = write(tmp_path, "a.txt", "Port reopens\nShips docked again on Monday.\nTrade resumed.\nSource » Reuters")
    [article] = loader.load(path)
    assert article.title == "Port reopens"
    assert article.body == "Ships docked again on Monday.\nTrade resumed."
    assert article.source == "Reuters"


def test_source_colon_form_and_trailing_whitespace(loader, tmp_path):
    path = write(tmp_path, "a.txt", "\n\nPort reopens  \n\nShips docked.\n\nTrade resumed.   \n\nSource: The Harbour Times  \n\n\n")
    [article] = loader.load(path)
    assert article.title == "Port reopens"
    assert article.body == "Ships docked.\n\nTrade resumed."
    assert article.source == "The Harbour Times"


def test_closing_sentence_starting_with_source_is_not_taken_as_outlet(loader, tmp_path):
    text = "Title\nTalks stalled.\nSource: a senior official who asked not to be named because talks are private."
    [article] = loader.load(write(tmp_path, "a.txt", text))
    assert article.source is None
    assert article.body.endswith("because talks are private.")


def test_crlf_zero_width_and_nfc_normalisation(loader, tmp_path):
    decomposed = "Cafe\u0301 owners protest"
    path = write(tmp_path, "a.txt", f"{decomposed}\r\nRents ro\u200bse by a third.\r\nOwners marched.\r\n")
    [article] = loader.load(path)
    assert article.title == "Café owners protest"  # composed form (NFC)
    assert article.body == "Rents rose by a third.\nOwners marched."


def test_front_matter_metadata(loader, tmp_path):
    text = (
        "---\n"
        'title: "Council approves flood barrier"\n'
        "outlet: Riverside Post\n"
        "date: 2 December 2024\n"
        "url: https://riverside.example/flood-barrier\n"
        "author: Jo Okafor\n"
        "category: local\n"
        "---\n"
        "\n"
        "The council voted 9-2 for the barrier.\n"
        "\n"
        "Work starts in spring.\n"
    )
    [article] = loader.load(write(tmp_path, "a.md", text))
    assert article.title == "Council approves flood barrier"
    assert article.source == "Riverside Post"
    assert article.published_at == "2024-12-02"
    assert article.url == "https://riverside.example/flood-barrier"
    assert article.author == "Jo Okafor"
    assert article.body == "The council voted 9-2 for the barrier.\n\nWork starts in spring."


def test_front_matter_alternative_keys_keep_datetime_offset(loader, tmp_path):
    text = "---\nsource: Wire\npublished_at: 2023-11-27T08:45:59+00:00\n---\n# Markets rally\nStocks rose.\n"
    [article] = loader.load(write(tmp_path, "a.md", text))
    assert article.title == "Markets rally"  # no title key: the first line, heading marks removed
    assert article.source == "Wire"
    assert article.published_at == "2023-11-27T08:45:59+00:00"
    assert article.body == "Stocks rose."


def test_unparseable_front_matter_date_stays_absent(loader, tmp_path):
    text = "---\ntitle: T\ndate: sometime last week\n---\nBody text.\n"
    [article] = loader.load(write(tmp_path, "a.txt", text))
    assert article.published_at is None


def test_markdown_heading_title(loader, tmp_path):
    [article] = loader.load(write(tmp_path, "a.md", "# Bridge closes for repairs\n\nThe bridge shuts on Friday.\n"))
    assert article.title == "Bridge closes for repairs"
    assert article.body == "The bridge shuts on Friday."


# --------------------------------------------------------------------------- HTML


def test_html_page_main_text_and_metadata(loader):
    path = FIXTURES / "harbour-strike.html"
    [article] = loader.load(path)
    assert article.title == "Dockworkers end strike after pay deal"  # " | Harbour Gazette" removed
    assert article.source == "Harbour Gazette"
    assert article.published_at == "2024-03-14T06:30:00+01:00"
    assert article.url == "https://harbour-gazette.example/news/dockworkers-end-strike"
    assert article.author == "Mara Lindqvist"
    body = article.body
    paragraphs = body.split("\n\n")
    # Source line breaks inside a <p> are whitespace; inline markup is joined into its paragraph.
    assert paragraphs[0] == (
        "Dockworkers at the northern port returned to work on Thursday after union members approved "
        "a two-year pay agreement, ending a strike that had lasted eleven days."
    )
    assert paragraphs[1].startswith("The deal raises wages by 6.5 percent this year and a further")
    assert paragraphs[2] == "Backlog of ships"
    assert paragraphs[3].startswith("Port officials said about 40 container ships")
    assert paragraphs[4] == "Berths 4 to 7 reopen first.\nNight shifts resume on Monday."
    assert len(paragraphs) == 5
    for junk in (
        "ACCEPT ALL COOKIES", "Business desk", "ADVERTISEMENT", "Share on", "MORNING BRIEFING",
        "RELATED", "SPONSORED", "READER COMMENT", "FOOTER LINKS", "PAGEVIEW_TRACKER", "JAVASCRIPT NOTICE",
        "font-family", "By Mara Lindqvist", "summary that is not article text",
    ):
        assert junk not in body, junk


def test_html_og_title_main_fallback_and_time_element(loader, tmp_path):
    page = """<html><head><title>Other title - Some Site</title>
    <meta property="og:title" content="Rail fares frozen">
    <meta name="application-name" content="Metro Daily">
    <meta name="author" content="Sam Reyes">
    <link rel="canonical" href="https://metro.example/rail"></head>
    <body><nav>Home | Trains</nav>
    <main><p>Fares stay flat <time datetime="2024-12-02">today</time>.</p><p>Unions welcomed it.</p></main>
    <aside>Most read: something else</aside></body></html>"""
    [article] = loader.load(write(tmp_path, "p.html", page))
    assert article.title == "Rail fares frozen"
    assert article.source == "Metro Daily"
    assert article.author == "Sam Reyes"
    assert article.url == "https://metro.example/rail"
    assert article.published_at == "2024-12-02"
    assert article.body == "Fares stay flat today.\n\nUnions welcomed it."


def test_html_body_fallback_json_ld_and_h1_title(loader, tmp_path):
    page = """<html><head>
    <script type="application/ld+json">{"@graph": [{"@type": "WebSite", "name": "x"},
      {"@type": ["NewsArticle"], "datePublished": "Dec 2, 2024", "author": {"name": "Ana Lima"},
       "publisher": {"name": "Coastal Wire"}}]}</script></head>
    <body><div class="header-ad">Buy now</div><h1>Storm hits coast</h1>
    <div class="content">Winds reached 120 km/h.<br>Power was cut to 3,000 homes.</div>
    <div class="social-share">Tweet this</div><footer>Contact us</footer></body></html>"""
    [article] = loader.load(write(tmp_path, "p.htm", page))
    assert article.title == "Storm hits coast"
    assert article.source == "Coastal Wire"
    assert article.author == "Ana Lima"
    assert article.published_at == "2024-12-02"
    assert article.body == "Winds reached 120 km/h.\nPower was cut to 3,000 homes."  # h1 not repeated in body


def test_page_wrapped_in_form_with_sidebar_class_keeps_its_text(loader, tmp_path):
    # ASP.NET pages put the whole body inside one <form>; wrappers often carry words like "sidebar".
    page = """<html><head><title>Tram line opens</title></head><body><form id="aspnetForm">
    <div id="page" class="page has-sidebar"><div class="sidebar">Weather: sunny</div>
    <p>The new tram line opened on Saturday.</p><p>It links the airport to the centre.</p>
    <p hidden>Hidden teaser text</p><div style="display: none">Invisible promo</div></div></form></body></html>"""
    [article] = loader.load(write(tmp_path, "p.html", page))
    assert article.body == "The new tram line opened on Saturday.\n\nIt links the airport to the centre."


def test_title_suffix_kept_when_it_is_not_the_outlet(loader, tmp_path):
    page = "<html><head><title>Budget vote - what happens next</title></head><body><p>Text.</p></body></html>"
    [article] = loader.load(write(tmp_path, "p.html", page))
    assert article.title == "Budget vote - what happens next"


def test_malformed_html_still_loads(loader, tmp_path):
    page = "<html><title>Broken page</title><body><div><p>First paragraph <b>bold<p>Second paragraph</div></span><p>Third"
    [article] = loader.load(write(tmp_path, "p.html", page))
    assert article.title == "Broken page"
    for text in ("First paragraph bold", "Second paragraph", "Third"):
        assert text in article.body


def test_html_declared_charset_is_honoured(loader, tmp_path):
    page = '<html><head><meta charset="windows-1252"><title>Caf\xe9 prices</title></head><body><p>A caf\xe9 au lait costs \u20ac 4.</p></body></html>'
    [article] = loader.load(write(tmp_path, "p.html", page.encode("cp1252")))
    assert article.title == "Café prices"
    assert article.body == "A café au lait costs € 4."


def test_html_without_text_is_an_error(loader, tmp_path):
    page = "<html><head><title>Empty</title><script>var x = 1;</script></head><body><nav>Menu</nav><div class='ad'>Ad</div></body></html>"
    assert reason(loader, write(tmp_path, "p.html", page)) == "no article text found"


# --------------------------------------------------------------------------- PDF


def test_pdf_text_layer_pages_joined_and_metadata_title(loader, tmp_path):
    pdf = make_pdf([["Negotiators met on Monday.", "Talks lasted six hours."], ["A second round is planned."]], title="Ceasefire talks resume")
    [article] = loader.load(write(tmp_path, "talks.pdf", pdf))
    assert article.title == "Ceasefire talks resume"
    assert article.author == "Desk Editor"
    assert article.published_at is None
    assert "Negotiators met on Monday." in article.body
    assert article.body.index("Talks lasted six hours.") < article.body.index("A second round is planned.")


def test_pdf_without_metadata_title_uses_first_line(loader, tmp_path):
    [article] = loader.load(write(tmp_path, "t.pdf", make_pdf([["Grain exports rise", "Shipments grew 8 percent."]])))
    assert article.title == "Grain exports rise"
    assert article.body == "Shipments grew 8 percent."


def test_encrypted_pdf(loader, tmp_path):
    import pypdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(make_pdf([["Secret", "Text"]]))))
    writer.encrypt("hunter2", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    assert reason(loader, write(tmp_path, "locked.pdf", out.getvalue())) == "PDF is encrypted"


def test_pdf_without_text_layer(loader, tmp_path):
    import pypdf

    writer = pypdf.PdfWriter()
    writer.add_blank_page(612, 792)
    out = io.BytesIO()
    writer.write(out)
    assert reason(loader, write(tmp_path, "scan.pdf", out.getvalue())) == "PDF has no text layer (scanned?)"


@pytest.mark.parametrize(
    "content",
    [b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", b"%PDF-1.7\n" + bytes(range(256)) * 4, b"PK\x03\x04 this is a zip file"],
    ids=["truncated", "garbage-after-header", "not-a-pdf"],
)
def test_broken_pdf(loader, tmp_path, content):
    why = reason(loader, write(tmp_path, "broken.pdf", content))
    assert re.fullmatch(r"not a readable PDF \(.+\)", why), why
    assert "\n" not in why and len(why) < 120


# --------------------------------------------------------------------------- JSON / JSONL


def test_json_list_of_records_with_aliases(loader, tmp_path):
    records = [
        {"title": "A", "body": "Body A.", "source": "Wire", "published_at": "2023-11-27T08:45:59+00:00",
         "url": "https://x.example/a", "author": "None", "category": "news"},
        {"title": "B", "text": "Body B.", "outlet": "Post", "date": "12/02/2024", "author": "Lee"},
        {"title": "C", "content": "Body C.", "author": None, "published_at": "not a date"},
    ]
    path = write(tmp_path, "c.json", json.dumps(records))
    articles, errors = loader.load_many(path)
    assert errors == []
    a, b, c = articles
    assert (a.title, a.body, a.source, a.published_at, a.url, a.author) == (
        "A", "Body A.", "Wire", "2023-11-27T08:45:59+00:00", "https://x.example/a", None)
    assert (b.body, b.source, b.published_at, b.author) == ("Body B.", "Post", "2024-12-02", "Lee")
    assert (c.body, c.author, c.published_at) == ("Body C.", None, None)
    assert [x.path for x in articles] == [f"{path}#0", f"{path}#1", f"{path}#2"]


def test_json_single_record_and_articles_wrapper(loader, tmp_path):
    [one] = loader.load(write(tmp_path, "one.json", json.dumps({"title": "Solo", "body": "Only one."})))
    assert (one.title, one.body, one.path) == ("Solo", "Only one.", str(tmp_path / "one.json") + "#0")
    wrapped = {"articles": [{"title": "X", "body": "x."}, {"title": "Y", "body": "y."}]}
    assert [a.title for a in loader.load(write(tmp_path, "w.json", json.dumps(wrapped)))] == ["X", "Y"]


def test_json_bad_records_reported_individually_good_ones_load(loader, tmp_path):
    records = [
        {"title": "Good one", "body": "Fine."},
        {"title": "No body"},
        {"title": 7, "body": "Typed wrong."},
        ["not", "a", "record"],
        {"title": "   ", "body": "Blank title."},
        {"title": "Bad url", "body": "x", "url": 12.5},
        {"title": "Good two", "body": "Also fine."},
    ]
    path = write(tmp_path, "mixed.json", json.dumps(records))
    articles, errors = loader.load_many(path)
    assert [a.title for a in articles] == ["Good one", "Good two"]
    assert [a.path for a in articles] == [f"{path}#0", f"{path}#6"]
    assert [e.reason for e in errors] == [
        "record 1: field 'body' is missing",
        "record 2: field 'title' must be a string, not int",
        "record 3: must be an object with title and body, not list",
        "record 4: field 'title' is empty",
        "record 5: field 'url' must be a string, not float",
    ]
    assert all(e.path == str(path) for e in errors)
    assert [a.title for a in loader.load(path)] == ["Good one", "Good two"]  # load() skips, not raises


def test_json_with_only_bad_records_raises_first_error(loader, tmp_path):
    path = write(tmp_path, "bad.json", json.dumps([{"body": "no title"}, {"title": "t", "body": ""}]))
    assert reason(loader, path) == "record 0: field 'title' is missing"


def test_invalid_json_names_line_and_column(loader, tmp_path):
    path = write(tmp_path, "bad.json", '[\n  {"title": "A", "body": "B"},\n  {"title": "C" "body": "D"}\n]')
    assert reason(loader, path) == "not valid JSON (Expecting ',' delimiter at line 3, column 17)"


@pytest.mark.parametrize(
    "content, expected",
    [
        ("[]", "no records"),
        ('{"articles": []}', "no records"),
        ('{"articles": {"title": "x"}}', "'articles' must be a list of records, not object"),
        ('"just a string"', 'JSON must be a record, a list of records or {"articles": [...]}, not string'),
    ],
)
def test_json_without_records(loader, tmp_path, content, expected):
    assert reason(loader, write(tmp_path, "x.json", content)) == expected


def test_jsonl_good_and_bad_lines(loader, tmp_path):
    lines = [
        json.dumps({"title": "One", "body": "First.", "date": "2 December 2024"}),
        "",
        "{not json}",
        json.dumps({"title": "Three", "body": 3}),
        json.dumps({"title": "Four", "body": "Fourth."}),
    ]
    path = write(tmp_path, "feed.jsonl", "\n".join(lines) + "\n")
    articles, errors = loader.load_many(path)
    assert [(a.title, a.path) for a in articles] == [("One", f"{path}#0"), ("Four", f"{path}#3")]
    assert articles[0].published_at == "2024-12-02"
    assert [e.reason for e in errors] == [
        "record 1 (line 3): not valid JSON (Expecting property name enclosed in double quotes at column 2)",
        "record 2 (line 4): field 'body' must be a string, not int",
    ]


@pytest.mark.skipif(not CORPUS.exists(), reason="../shared/datasets/multihop-rag is not beside the checkout")
def test_multihop_rag_corpus_loads_all_609_articles():
    loader = ArticleLoader(max_bytes=Settings().max_file_bytes)
    articles, errors = loader.load_many(CORPUS)
    assert errors == []
    assert len(articles) == 609
    assert len({a.id for a in articles}) == 609
    assert all(a.source for a in articles)
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}", a.published_at or "") for a in articles)
    assert all(a.author != "None" for a in articles)
    assert articles[0].path == f"{CORPUS}#0"
    raw = json.loads(CORPUS.read_text(encoding="utf-8"))
    assert articles[0].title == raw[0]["title"] and articles[0].source == raw[0]["source"]


# --------------------------------------------------------------------------- bad input, one reason each


def test_missing_file_and_folder(loader, tmp_path):
    assert reason(loader, tmp_path / "nope.txt") == "no such file or directory"
    folder = tmp_path / "dir.txt"
    folder.mkdir()
    assert reason(loader, folder) == "is a folder, not a file"


def test_unreadable_file(loader, tmp_path, monkeypatch):
    path = write(tmp_path, "locked.txt", "Title\nBody.\n")

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(pathlib.Path, "open", refuse)
    assert reason(loader, path) == "cannot read file: Permission denied"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_by_mode(loader, tmp_path):
    path = write(tmp_path, "locked.txt", "Title\nBody.\n")
    path.chmod(0)
    try:
        assert reason(loader, path) == "cannot read file: Permission denied"
    finally:
        path.chmod(0o644)


def test_io_error_from_symlink_loop(loader, tmp_path):
    path = tmp_path / "loop.txt"
    path.symlink_to(path)
    assert reason(loader, path) == "cannot read file: Too many levels of symbolic links"


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  \n"], ids=["zero-bytes", "whitespace"])
@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".json", ".jsonl", ".pdf"])
def test_empty_file(loader, tmp_path, content, suffix):
    assert reason(loader, write(tmp_path, "e" + suffix, content)) == "file is empty"


def test_too_large_checked_before_reading(loader, tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:
        fh.truncate(int(12.3 * MB))  # sparse: nothing is written or read
    assert reason(loader, path) == "file is 12.3 MB, over the 5.0 MB limit"


def test_small_limits_are_stated_in_readable_units(tmp_path):
    path = write(tmp_path, "a.txt", "Title\n" + "x" * (3072 - 6))
    assert reason(ArticleLoader(max_bytes=2048), path) == "file is 3.0 KB, over the 2.0 KB limit"


@pytest.mark.parametrize(
    "content",
    [b"Title\nBody with a \x00 NUL byte\n", bytes([0x01, 0x02, 0x03, 0x1B, 0x41]) * 50 + b"\nText"],
    ids=["nul", "control-chars"],
)
@pytest.mark.parametrize("suffix", [".txt", ".html", ".json"])
def test_binary_content_in_text_format(loader, tmp_path, content, suffix):
    assert reason(loader, write(tmp_path, "b" + suffix, content)) == "binary file, not text"


def test_invalid_utf8_names_byte_and_offset(loader, tmp_path):
    path = write(tmp_path, "l1.txt", "Caf\xe9 news\nBody.\n".encode("latin-1"))
    assert reason(loader, path) == "not valid UTF-8 (byte 0xe9 at offset 3)"


def test_invalid_utf8_offset_counts_the_bom(loader, tmp_path):
    path = write(tmp_path, "bom.txt", b"\xef\xbb\xbfAB\xff")
    assert reason(loader, path) == "not valid UTF-8 (byte 0xff at offset 5)"


def test_utf8_bom_is_accepted(loader, tmp_path):
    [article] = loader.load(write(tmp_path, "bom.txt", b"\xef\xbb\xbfHeadline\nBody text.\n"))
    assert article.title == "Headline"
    assert article.body == "Body text."
    [record] = loader.load(write(tmp_path, "bom.json", b"\xef\xbb\xbf" + json.dumps({"title": "T", "body": "B"}).encode()))
    assert record.title == "T"


@pytest.mark.parametrize("name, shown", [("report.docx", "'.docx'"), ("notes.RTF", "'.rtf'"), ("README", "(no file suffix)")])
def test_unsupported_file_type(loader, tmp_path, name, shown):
    why = reason(loader, write(tmp_path, name, "Title\nBody\n"))
    assert why.startswith(f"unsupported file type {shown}")


@pytest.mark.parametrize("content", ["Lonely headline\n", "Lonely headline\n\n   \nSource » msn", "---\ntitle: Only metadata\n---\n\n"])
def test_title_without_body(loader, tmp_path, content):
    assert reason(loader, write(tmp_path, "t.txt", content)) == "article has no body text"


def test_loader_rejects_nonpositive_limit():
    with pytest.raises(ValueError):
        ArticleLoader(max_bytes=0)


# --------------------------------------------------------------------------- ids


def test_same_content_gets_same_id_across_names_whitespace_and_formats(loader, tmp_path):
    a = loader.load(write(tmp_path, "one.txt", "Port reopens\nShips docked on Monday.\n\nTrade resumed.\n"))[0]
    b = loader.load(write(tmp_path, "copy-2.txt", "  Port  reopens \r\n\r\nShips docked\non Monday.  Trade resumed.\r\n\r\nSource » Wire"))[0]
    c = loader.load(write(tmp_path, "c.json", json.dumps({"title": "PORT REOPENS", "body": "Ships docked on Monday. Trade resumed."})))[0]
    assert a.id == b.id == c.id
    assert a.path != b.path


def test_id_ignores_compatibility_forms_but_not_content():
    assert article_id("Ofﬁce move", "Text") == article_id("Office move", "Text")  # NFKC ligature
    assert article_id("Title", "Body\u200b text") == article_id("Title", "Body text")
    assert article_id("Title", "Body text.") != article_id("Title", "Body text!")
    assert article_id("Title", "Body") != article_id("Title Body", "")
    assert re.fullmatch(r"[0-9a-f]{16}", article_id("Title", "Body"))


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2023-11-27T08:45:59+00:00", "2023-11-27T08:45:59+00:00"),
        ("2023-11-27T08:45:59Z", "2023-11-27T08:45:59+00:00"),
        ("2024-03-14T06:30:00-05:00", "2024-03-14T06:30:00-05:00"),
        ("2024-12-02T10:30", "2024-12-02T10:30:00"),
        ("2024-12-02", "2024-12-02"),
        ("2 December 2024", "2024-12-02"),
        ("2nd December 2024", "2024-12-02"),
        ("Dec 2, 2024", "2024-12-02"),
        ("December 2, 2024", "2024-12-02"),
        ("Sept. 3, 2024", "2024-09-03"),
        ("Monday, December 2, 2024", "2024-12-02"),
        ("12/02/2024", "2024-12-02"),  # US month/day/year
        ("1/5/2024", "2024-01-05"),
        ("Mon, 02 Dec 2024 10:00:00 +0000", "2024-12-02T10:00:00+00:00"),
        ("Mon, 02 Dec 2024 10:00:00 GMT", "2024-12-02T10:00:00+00:00"),
        ("Tue, 03 Dec 2024 18:15:00 -0500", "2024-12-03T18:15:00-05:00"),
        ("Published: Dec 2, 2024", "2024-12-02"),
        ("Updated Dec. 2, 2024, 10:30 AM EST", "2024-12-02"),  # time unclear: date kept, time not guessed
        ("  2024-12-02  ", "2024-12-02"),
        ("", None),
        ("   ", None),
        ("yesterday", None),
        ("2024", None),
        ("December 2024", None),
        ("2024-13-45", None),
        ("13/45/2024", None),
        ("None", None),
        (None, None),
        (20241202, None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


# --------------------------------------------------------------------------- paths


def test_expand_paths_folders_files_globs_and_errors(tmp_path):
    (tmp_path / "corpus" / "sub").mkdir(parents=True)
    (tmp_path / "corpus" / ".hidden").mkdir()
    for name in ("b.txt", "a.md", "sub/c.html", "sub/d.PDF", "e.docx", ".secret.txt", ".hidden/f.txt", "g.json"):
        write(tmp_path / "corpus", name, "x")
    write(tmp_path, "loose.docx", "x")
    folder = tmp_path / "corpus"
    files, errors = expand_paths([
        folder,
        str(folder / "b.txt"),  # already listed: not repeated
        tmp_path / "loose.docx",  # named explicitly: kept, the loader says why it is unsupported
        str(tmp_path / "corpus" / "*.md"),
        str(tmp_path / "missing.txt"),
        str(tmp_path / "*.nothing"),
    ])
    assert [p.relative_to(tmp_path).as_posix() for p in files] == [
        "corpus/a.md", "corpus/b.txt", "corpus/g.json", "corpus/sub/c.html", "corpus/sub/d.PDF", "loose.docx",
    ]
    assert [(e.path, e.reason) for e in errors] == [
        (str(tmp_path / "missing.txt"), "no such file or directory"),
        (str(tmp_path / "*.nothing"), "pattern matched no files"),
    ]


def test_expand_paths_recursive_glob_and_empty_folder(tmp_path):
    write(tmp_path, "x.txt", "x")
    (tmp_path / "deep" / "er").mkdir(parents=True)
    write(tmp_path / "deep" / "er", "y.jsonl", "x")
    (tmp_path / "empty").mkdir()
    files, errors = expand_paths([str(tmp_path / "**" / "*.jsonl"), tmp_path / "empty"])
    assert files == [tmp_path / "deep" / "er" / "y.jsonl"]
    assert len(errors) == 1 and errors[0].reason.startswith("folder has no supported files")


def test_expanded_fixture_folder_loads(loader):
    files, errors = expand_paths([FIXTURES])
    assert errors == [] and FIXTURES / "harbour-strike.html" in files
    for path in files:
        articles, problems = loader.load_many(path)
        assert articles and not problems, (path, problems)


def test_folder_expansion_skips_readme_files(tmp_path):
    (tmp_path / "README.md").write_text("# About this folder\nNot an article.\n")
    (tmp_path / "story.md").write_text("A title\nA body sentence.\n")
    files, errors = expand_paths([tmp_path])
    assert [f.name for f in files] == ["story.md"] and errors == []
