"""Turn article files (.txt/.md, .html, .pdf, .json/.jsonl) into :class:`Article` records.

Every problem with an input becomes a :class:`CorpusError` with a one-line reason that names the
bad value, so one bad file (or one bad JSON record) never stops the rest of an ingest run.
Text is normalised only in ways that cannot surprise a reader (NFC, newlines, zero-width
characters): chunk offsets downstream index into ``Article.body`` as returned here.
"""

from __future__ import annotations

import codecs
import glob
import hashlib
import io
import json
import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Iterable

from ..errors import CorpusError
from ..types import Article

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
JSON_SUFFIXES = (".json", ".jsonl")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + (".pdf",) + JSON_SUFFIXES

_MB = 1024 * 1024
_KB = 1024

# Zero-width space, non-joiner, joiner, word joiner, and a BOM left in the middle of text.
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
# C0 controls other than tab, newline, form feed and carriage return, plus DEL.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F])
_BINARY_CONTROL_SHARE = 0.10


# --------------------------------------------------------------------------- ids and text


def normalize_text(text: str) -> str:
    """NFC, ``\\r\\n``/``\\r`` -> ``\\n``, zero-width characters removed; nothing else changes."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.translate(_ZERO_WIDTH)


def _id_form(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH).casefold()
    return " ".join(text.split())


def article_id(title: str, body: str) -> str:
    """16 hex chars of sha256 over the normalized title and body (NFKC, casefolded, whitespace
    collapsed), so the same article under another file name or re-wrapped gets the same id."""
    # Title and body are normalized separately so the separator cannot merge into the body.
    content = _id_form(title) + "\n" + _id_form(body)
    return hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]


# --------------------------------------------------------------------------- dates

_ORDINAL = re.compile(r"\b(\d{1,2})(st|nd|rd|th)\b", re.IGNORECASE)
_DATE_PREFIX = re.compile(r"^(published|updated|posted|last updated|date)(\s+on)?\s*:?\s*", re.IGNORECASE)
_DATE_FORMATS = (
    "%d %B %Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%B %d %Y",
    "%b %d %Y",
    "%A, %B %d, %Y",
    "%a, %b %d, %Y",
    "%A, %d %B %Y",
    "%A %d %B %Y",
    "%a %d %b %Y",
    "%m/%d/%Y",
    "%m/%d/%y",
    "%Y/%m/%d",
    "%d.%m.%Y",
)
_DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S%z",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
)
# Date-shaped pieces inside a longer string ("Dec 2, 2024, 10:30 AM EST"): the date is kept,
# a time we cannot read with certainty is dropped rather than guessed.
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
_DATE_PIECES = (
    re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    re.compile(rf"\b\d{{1,2}} {_MONTH},? \d{{4}}\b", re.IGNORECASE),
    re.compile(rf"\b{_MONTH} \d{{1,2}},? \d{{4}}\b", re.IGNORECASE),
    re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b"),
)


def parse_date(text: Any) -> str | None:
    """Read a publication date leniently into ISO 8601 ("2024-12-02", or
    "2023-11-27T08:45:59+00:00" when a time and offset are given). Slash dates are US m/d/y.
    Anything unreadable gives None: an absent date stays absent, never invented."""
    if isinstance(text, datetime):
        return text.isoformat()
    if isinstance(text, date):
        return text.isoformat()
    if not isinstance(text, str):
        return None
    s = " ".join(text.split())
    s = _DATE_PREFIX.sub("", s)
    if not s or len(s) > 100:
        return None
    return _parse_whole(s) or _parse_piece(s)


def _parse_whole(s: str) -> str | None:
    try:
        return date.fromisoformat(s).isoformat()
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(s).isoformat()
    except ValueError:
        pass
    cleaned = _ORDINAL.sub(r"\1", s).replace("Sept", "Sep").replace(".,", ",")
    cleaned = re.sub(rf"\b({_MONTH[:-3]}[a-z]*)\.", r"\1", cleaned, flags=re.IGNORECASE)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).date().isoformat()
        except ValueError:
            continue
    for fmt in _DATETIME_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).isoformat()
        except ValueError:
            continue
    # RFC 2822 ("Mon, 02 Dec 2024 10:00:00 +0000"); only tried when there is a clock time,
    # because the parser is loose enough to misread other shapes.
    if re.search(r"\d{1,2}:\d{2}", s):
        try:
            return parsedate_to_datetime(s).isoformat()
        except (TypeError, ValueError, IndexError):
            pass
    return None


def _parse_piece(s: str) -> str | None:
    for pattern in _DATE_PIECES:
        match = pattern.search(s)
        if match and match.group(0) != s:
            parsed = _parse_whole(match.group(0))
            if parsed:
                return parsed
    return None


# --------------------------------------------------------------------------- paths


def _is_hidden(path: Path, root: Path | None = None) -> bool:
    parts = path.relative_to(root).parts if root is not None else (path.name,)
    return any(part.startswith(".") and part not in (".", "..") for part in parts)


def _is_readme(path: Path) -> bool:
    """A folder's README describes the folder; it is not an article."""
    return path.stem.lower() == "readme"


def _files_under(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not _is_hidden(p, folder) and not _is_readme(p)
    )


def expand_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[CorpusError]]:
    """Files, folders (recursively: supported suffixes only, sorted, hidden files and READMEs skipped) and
    glob patterns -> the files to load, in argument order without repeats, plus one CorpusError
    for each argument that names nothing. A file named explicitly is kept whatever its suffix,
    so the loader can say why it is unsupported."""
    files: list[Path] = []
    errors: list[CorpusError] = []
    seen: set[Path] = set()

    def add(found: Iterable[Path]) -> None:
        for p in found:
            key = p.resolve()
            if key not in seen:
                seen.add(key)
                files.append(p)

    for raw in paths:
        text = str(raw)
        path = Path(text).expanduser()
        if path.is_dir():
            found = _files_under(path)
            if not found:
                errors.append(CorpusError(text, "folder has no supported files (" + ", ".join(SUPPORTED_SUFFIXES) + ")"))
            add(found)
        elif path.exists() or path.is_symlink():
            add([path])
        elif glob.has_magic(text):
            matched: list[Path] = []
            for m in sorted(glob.glob(str(path), recursive=True)):
                mp = Path(m)
                if mp.is_dir():
                    matched.extend(_files_under(mp))
                elif mp.is_file() and mp.suffix.lower() in SUPPORTED_SUFFIXES and not _is_hidden(mp):
                    matched.append(mp)
            if not matched:
                errors.append(CorpusError(text, "pattern matched no files"))
            add(matched)
        else:
            errors.append(CorpusError(text, "no such file or directory"))
    return files, errors


# --------------------------------------------------------------------------- loading


def _human_size(n: int) -> str:
    if n >= _MB:
        return f"{n / _MB:.1f} MB"
    if n >= _KB:
        return f"{n / _KB:.1f} KB"
    return f"{n} bytes"


def _short(exc: BaseException, limit: int = 80) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _clean_optional(value: str | None) -> str | None:
    """Blank strings and the literal "None"/"null" some exports write mean absent."""
    if value is None:
        return None
    value = " ".join(normalize_text(value).split())
    return None if value.casefold() in ("", "none", "null", "n/a") else value


class ArticleLoader:
    """Loads one article file into Articles; every bad input becomes a CorpusError with a reason."""

    def __init__(self, max_bytes: int):
        if max_bytes <= 0:
            raise ValueError(f"max_bytes must be positive, not {max_bytes}")
        self.max_bytes = max_bytes

    # Public entry points ------------------------------------------------------------------

    def load_many(self, path: str | Path) -> tuple[list[Article], list[CorpusError]]:
        """The good articles in ``path`` and one error per unusable record; a file that is
        unusable as a whole gives no articles and a single error. Never raises CorpusError."""
        path = Path(path)
        try:
            return self._load(path)
        except CorpusError as exc:
            return [], [exc]

    def load(self, path: str | Path) -> list[Article]:
        """The articles in ``path``; raises CorpusError when none can be loaded. Bad records in
        a file that also has good ones are logged and skipped (use load_many to collect them)."""
        articles, errors = self.load_many(path)
        if not articles:
            raise errors[0] if errors else CorpusError(str(path), "no articles found")
        for err in errors:
            log.warning("skipped %s", err)
        return articles

    # Dispatch -------------------------------------------------------------------------------

    def _load(self, path: Path) -> tuple[list[Article], list[CorpusError]]:
        where = str(path)
        suffix = path.suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            kind = f"'{suffix}'" if suffix else "(no file suffix)"
            raise CorpusError(where, f"unsupported file type {kind}; supported: {', '.join(SUPPORTED_SUFFIXES)}")
        raw = self._read(path)
        if suffix == ".pdf":
            return [self._from_pdf(path, raw)], []
        if suffix in HTML_SUFFIXES:
            text = _decode(where, raw, declared=_declared_charset(raw))
            return [self._from_html(path, text)], []
        text = _decode(where, raw)
        if suffix in TEXT_SUFFIXES:
            return [self._from_text(path, text)], []
        if suffix == ".jsonl":
            return self._from_jsonl(path, text)
        return self._from_json(path, text)

    def _read(self, path: Path) -> bytes:
        where = str(path)
        try:
            st = path.stat()
        except FileNotFoundError:
            raise CorpusError(where, "no such file or directory") from None
        except OSError as exc:
            raise CorpusError(where, f"cannot read file: {exc.strerror or _short(exc)}") from None
        if path.is_dir():
            raise CorpusError(where, "is a folder, not a file")
        if st.st_size > self.max_bytes:
            raise CorpusError(where, f"file is {_human_size(st.st_size)}, over the {_human_size(self.max_bytes)} limit")
        if st.st_size == 0:
            raise CorpusError(where, "file is empty")
        try:
            with path.open("rb") as fh:
                raw = fh.read(self.max_bytes + 1)  # the file may have grown since stat
        except OSError as exc:
            raise CorpusError(where, f"cannot read file: {exc.strerror or _short(exc)}") from None
        if len(raw) > self.max_bytes:
            raise CorpusError(where, f"file is over the {_human_size(self.max_bytes)} limit")
        if not raw.strip():
            raise CorpusError(where, "file is empty")
        return raw

    def _article(self, path: str, title: str, body: str, **meta: str | None) -> Article:
        title = " ".join(title.split())
        body = re.sub(r"\A(?:[ \t]*\n)+", "", body).rstrip()  # blank lines around the body go
        if not title:
            raise CorpusError(path, "article has no title")
        if not body.strip():
            raise CorpusError(path, "article has no body text")
        meta = {k: _clean_optional(v) for k, v in meta.items()}
        meta["published_at"] = parse_date(meta.get("published_at"))
        return Article(id=article_id(title, body), title=title, body=body, path=path, **meta)

    # Plain text and Markdown -----------------------------------------------------------------

    def _from_text(self, path: Path, text: str) -> Article:
        markdown = path.suffix.lower() == ".md"
        meta, rest = _split_front_matter(text)
        title = meta.pop("title", "")
        lines = rest.split("\n")
        if not title:
            title, lines = _take_title_line(lines, markdown)
        source, lines = _take_source_line(lines)
        if source and not meta.get("source"):
            meta["source"] = source
        if not title:
            raise CorpusError(str(path), "article has no body text")
        return self._article(str(path), title, "\n".join(lines), **meta)

    # HTML -------------------------------------------------------------------------------------

    def _from_html(self, path: Path, text: str) -> Article:
        page = _extract_html(text)
        if not page.body.strip():
            raise CorpusError(str(path), "no article text found")
        title = page.title or _first_line(page.body)
        body = page.body
        if title and _first_line(body) and _id_form(_first_line(body)) == _id_form(title):
            body = body.split("\n", 1)[1] if "\n" in body else ""
        if not title:
            raise CorpusError(str(path), "no article text found")
        return self._article(
            str(path), title, body,
            source=page.source, published_at=page.published_at, url=page.url, author=page.author,
        )

    # PDF --------------------------------------------------------------------------------------

    def _from_pdf(self, path: Path, raw: bytes) -> Article:
        import pypdf  # imported on first PDF only
        from pypdf.errors import PyPdfError

        where = str(path)
        if b"%PDF" not in raw[:1024]:
            raise CorpusError(where, "not a readable PDF (no %PDF header)")
        try:
            reader = pypdf.PdfReader(io.BytesIO(raw))
        except (PyPdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError) as exc:
            raise CorpusError(where, f"not a readable PDF ({_short(exc)})") from None
        if reader.is_encrypted:
            try:
                opened = bool(reader.decrypt(""))  # owner-password-only PDFs open with ""
            except Exception:  # noqa: BLE001 - missing crypto backends raise their own types
                opened = False
            if not opened:
                raise CorpusError(where, "PDF is encrypted")
        try:
            pages = [page.extract_text() or "" for page in reader.pages]
            info = reader.metadata
        except Exception as exc:  # noqa: BLE001 - pypdf raises many types on damaged files
            raise CorpusError(where, f"not a readable PDF ({_short(exc)})") from None
        if not pages:
            raise CorpusError(where, "PDF has no pages")
        text = normalize_text("\n\n".join(p.strip("\n") for p in pages))
        if not text.strip():
            raise CorpusError(where, "PDF has no text layer (scanned?)")
        title = ""
        author = None
        if info is not None:
            title = _clean_optional(_str_or_none(info.title)) or ""
            author = _str_or_none(info.author)
        lines = text.split("\n")
        if title:
            body = text
        else:
            title, lines = _take_title_line(lines, markdown=False)
            body = "\n".join(lines)
        # PDF creation dates are when the file was made, not when the article was published.
        return self._article(where, title, body, author=author)

    # JSON and JSON Lines --------------------------------------------------------------------

    def _from_json(self, path: Path, text: str) -> tuple[list[Article], list[CorpusError]]:
        where = str(path)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CorpusError(where, f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
        if isinstance(data, dict) and "articles" in data:
            data = data["articles"]
            if not isinstance(data, list):
                raise CorpusError(where, f"'articles' must be a list of records, not {_type_name(data)}")
        elif isinstance(data, dict):
            data = [data]
        elif not isinstance(data, list):
            raise CorpusError(where, f"JSON must be a record, a list of records or {{\"articles\": [...]}}, not {_type_name(data)}")
        if not data:
            raise CorpusError(where, "no records")
        return self._from_records(where, data)

    def _from_jsonl(self, path: Path, text: str) -> tuple[list[Article], list[CorpusError]]:
        where = str(path)
        articles: list[Article] = []
        errors: list[CorpusError] = []
        index = 0
        for lineno, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            label = f"record {index} (line {lineno})"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(CorpusError(where, f"{label}: not valid JSON ({exc.msg} at column {exc.colno})"))
            else:
                self._add_record(where, index, label, record, articles, errors)
            index += 1
        return articles, errors

    def _from_records(self, where: str, records: list[Any]) -> tuple[list[Article], list[CorpusError]]:
        articles: list[Article] = []
        errors: list[CorpusError] = []
        for index, record in enumerate(records):
            self._add_record(where, index, f"record {index}", record, articles, errors)
        return articles, errors

    def _add_record(
        self, where: str, index: int, label: str, record: Any, articles: list[Article], errors: list[CorpusError]
    ) -> None:
        try:
            articles.append(self._from_record(f"{where}#{index}", record))
        except _RecordError as exc:
            errors.append(CorpusError(where, f"{label}: {exc}"))

    def _from_record(self, path: str, record: Any) -> Article:
        if not isinstance(record, dict):
            raise _RecordError(f"must be an object with title and body, not {_type_name(record)}")
        title = _field(record, ("title", "headline"), required=True)
        body = _field(record, ("body", "text", "content"), required=True)
        source = _field(record, ("source", "outlet"))
        published = _field(record, ("published_at", "date"))
        url = _field(record, ("url",))
        author = _field(record, ("author",), allow_list=True)
        try:
            return self._article(
                path, normalize_text(title), normalize_text(body).strip(),
                source=source, published_at=published, url=url, author=author,
            )
        except CorpusError as exc:
            raise _RecordError(exc.reason) from None


class _RecordError(Exception):
    """One JSON record is unusable; reported with its index, the rest of the file still loads."""


def _type_name(value: Any) -> str:
    return {dict: "object", list: "list", str: "string", bool: "bool", type(None): "null"}.get(type(value), type(value).__name__)


def _field(record: dict, names: tuple[str, ...], required: bool = False, allow_list: bool = False) -> str | None:
    """The first of ``names`` present with a non-null value, checked to be a string."""
    for name in names:
        value = record.get(name)
        if value is None:
            continue
        if allow_list and isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = ", ".join(v.strip() for v in value if v.strip())
        if not isinstance(value, str):
            raise _RecordError(f"field '{name}' must be a string, not {_type_name(value)}")
        if required and not value.strip():
            raise _RecordError(f"field '{name}' is empty")
        return value
    if required:
        raise _RecordError(f"field '{names[0]}' is missing")
    return None


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


# --------------------------------------------------------------------------- text helpers

_FRONT_KEYS = {
    "title": "title",
    "headline": "title",
    "source": "source",
    "outlet": "source",
    "publisher": "source",
    "date": "published_at",
    "published_at": "published_at",
    "published": "published_at",
    "url": "url",
    "link": "url",
    "author": "author",
    "by": "author",
}
_SOURCE_LINE = re.compile(r"^\s*source\s*(?:»|:)\s*(\S.*?)\s*$", re.IGNORECASE)


def _split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """``---`` / ``key: value`` lines / ``---`` at the top -> (metadata, rest); no YAML needed."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        return {}, text  # no closing line: a horizontal rule, not front matter
    meta: dict[str, str] = {}
    for line in lines[1:end]:
        key, sep, value = line.partition(":")
        key = key.strip().lower().replace("-", "_")
        if not sep or key not in _FRONT_KEYS:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        if value:
            meta.setdefault(_FRONT_KEYS[key], value)
    return meta, "\n".join(lines[end + 1 :])


def _take_title_line(lines: list[str], markdown: bool) -> tuple[str, list[str]]:
    """The first non-blank line as the title (a Markdown heading loses its marks), and the rest."""
    for i, line in enumerate(lines):
        if line.strip() and not set(line.strip()) <= set("-=*_#"):  # skip rules and bare marks
            title = line.strip()
            rest = lines[i + 1 :]
            if markdown:
                title = title.lstrip("#").strip()
                if rest and rest[0].strip() and set(rest[0].strip()) <= set("=-"):
                    rest = rest[1:]  # setext underline
            return title, rest
    return "", []


def _take_source_line(lines: list[str]) -> tuple[str | None, list[str]]:
    """A trailing "Source » outlet" (or "Source: outlet") line -> (outlet, lines without it)."""
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].strip():
            match = _SOURCE_LINE.match(lines[i])
            # An outlet is a name, not a sentence ("Source: officials said ..." stays in the body).
            if match and len(match.group(1)) <= 60 and len(match.group(1).split()) <= 6:
                return match.group(1), lines[:i]
            break
    return None, lines


def _first_line(text: str) -> str:
    for line in text.split("\n"):
        if line.strip():
            return line.strip()
    return ""


# --------------------------------------------------------------------------- HTML


@dataclass
class _Page:
    title: str | None
    body: str
    source: str | None
    published_at: str | None
    url: str | None
    author: str | None


# Never article text, wherever they sit in the page.
_DROP_TAGS = (
    "script", "style", "noscript", "iframe", "svg", "button", "template", "object", "embed",
    "canvas", "select", "input", "textarea",
)
# Page furniture, usually; dropped unless it holds most of the text (a whole page inside a <form>).
_FURNITURE_TAGS = ("nav", "header", "footer", "aside", "form", "dialog")
_DROP_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alertdialog"}
# class/id words that mark ads, cookie banners, share buttons, newsletters, related links, comments.
_BOILERPLATE_WORDS = {
    "ad", "ads", "adv", "advert", "adverts", "advertisement", "advertising", "adslot", "adunit",
    "adsbygoogle", "sponsor", "sponsored", "promo", "promoted", "cookie", "cookies", "consent", "gdpr",
    "share", "sharing", "sharebar", "social", "newsletter", "subscribe", "subscription", "signup",
    "related", "recommended", "recommendations", "comment", "comments", "disqus", "outbrain",
    "taboola", "popup", "paywall", "breadcrumb", "breadcrumbs", "sidebar", "toolbar",
}
_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "li", "main",
    "nav", "ol", "p", "pre", "section", "summary", "table", "caption", "tr", "ul",
}
_ARTICLE_TYPES = {"article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle",
                  "opinionnewsarticle", "blogposting", "backgroundnewsarticle", "report"}
_DATE_META = ("article:published_time", "og:published_time", "datepublished", "date", "pubdate",
              "publish-date", "publish_date", "publishdate", "dc.date.issued", "dc.date", "dcterms.date",
              "sailthru.date", "parsely-pub-date")
_TITLE_SEPARATOR = re.compile(r"\s+[|\-–—:·»]\s+")


def _extract_html(text: str) -> _Page:
    """Main text and metadata of a news page; lenient with malformed markup."""
    import warnings

    from bs4 import BeautifulSoup  # imported on first HTML file only

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            soup = BeautifulSoup(text, "lxml")
        except Exception:  # noqa: BLE001 - lxml refuses some inputs html.parser takes
            soup = BeautifulSoup(text, "html.parser")

    meta: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = (tag.get("property") or tag.get("name") or tag.get("itemprop") or "").strip().lower()
        content = tag.get("content")
        if key and isinstance(content, str) and content.strip():
            meta.setdefault(key, normalize_text(content).strip())
    ld = _json_ld_article(soup)

    source = meta.get("og:site_name") or meta.get("publisher") or meta.get("application-name") or _ld_name(ld.get("publisher"))
    title = meta.get("og:title") or meta.get("twitter:title")
    if not title and soup.title is not None:
        title = soup.title.get_text(" ", strip=True)
    if not title and isinstance(ld.get("headline"), str):
        title = ld["headline"]
    if not title:
        h1 = soup.find("h1")
        title = h1.get_text(" ", strip=True) if h1 is not None else None
    title = _strip_outlet_suffix(normalize_text(title), source) if title else None

    url = meta.get("og:url")
    if not url:
        link = soup.find("link", rel=lambda r: r and "canonical" in (r if isinstance(r, list) else r.split()))
        url = link.get("href") if link is not None else None
    author = meta.get("author") or _ld_name(ld.get("author"))

    container = _main_container(soup)
    published = None
    candidates = [meta.get(k) for k in _DATE_META]
    candidates += [t.get("datetime") for t in container.find_all("time")]
    candidates += [t.get("datetime") for t in soup.find_all("time")]
    candidates.append(ld.get("datePublished"))
    for candidate in candidates:
        published = parse_date(candidate) if isinstance(candidate, str) else None
        if published:
            break

    _strip_boilerplate(container)
    body = normalize_text(_text_blocks(container))
    return _Page(title=title, body=body, source=source, published_at=published, url=url, author=author)


def _json_ld_article(soup: Any) -> dict:
    """The first schema.org Article-like object in the page's JSON-LD, or {}."""
    found: list[dict] = []
    for script in soup.find_all("script", type=lambda t: t and "ld+json" in t.lower()):
        try:
            data = json.loads(script.string or script.get_text() or "")
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                found.append(item)
                if isinstance(item.get("@graph"), list):
                    stack.extend(item["@graph"])
    for item in found:
        kinds = item.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if any(isinstance(k, str) and k.lower() in _ARTICLE_TYPES for k in kinds):
            return item
    return next((item for item in found if "datePublished" in item or "headline" in item), {})


def _ld_name(value: Any) -> str | None:
    """A JSON-LD person/organisation (string, {"name": ...} or a list of them) -> its name(s)."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return _ld_name(value.get("name"))
    if isinstance(value, list):
        names = [n for n in (_ld_name(v) for v in value) if n]
        return ", ".join(names) or None
    return None


def _strip_outlet_suffix(title: str, outlet: str | None) -> str:
    """"Headline | Outlet" -> "Headline" when the last part names the outlet."""
    title = " ".join(title.split())
    if not outlet:
        return title
    separators = list(_TITLE_SEPARATOR.finditer(title))
    if separators:
        cut = separators[-1]
        head, tail = title[: cut.start()].strip(), title[cut.end() :].casefold()
        want = outlet.casefold()
        if head and (tail == want or tail.replace(" ", "") == want.replace(" ", "") or (len(want) > 3 and want in tail)):
            return head
    return title


def _main_container(soup: Any) -> Any:
    articles = soup.find_all("article")
    if articles:
        return max(articles, key=lambda a: len(a.get_text(" ", strip=True)))
    return soup.find("main") or soup.find(attrs={"role": "main"}) or soup.body or soup


def _is_boilerplate(tag: Any) -> bool:
    attrs = getattr(tag, "attrs", None) or {}
    if "hidden" in attrs or str(attrs.get("aria-hidden", "")).lower() == "true":
        return True
    if str(attrs.get("role", "")).lower() in _DROP_ROLES:
        return True
    style = str(attrs.get("style", "")).replace(" ", "").lower()
    if "display:none" in style or "visibility:hidden" in style:
        return True
    classes = attrs.get("class") or []
    words = " ".join(classes if isinstance(classes, list) else [classes]) + " " + str(attrs.get("id", ""))
    return any(w in _BOILERPLATE_WORDS for w in re.split(r"[^a-z0-9]+", words.lower()) if w)


def _strip_boilerplate(container: Any) -> None:
    for tag in container.find_all(_DROP_TAGS):
        if not getattr(tag, "decomposed", False):
            tag.decompose()
    # A class/id heuristic can hit a wrapper ("page has-sidebar", ASP.NET's page-wide <form>):
    # an element holding paragraphs and most of the text is kept.
    total = len(container.get_text(" ", strip=True))
    for tag in container.find_all(True):
        if getattr(tag, "decomposed", False) or not (tag.name in _FURNITURE_TAGS or _is_boilerplate(tag)):
            continue
        if tag.find("p") is not None and len(tag.get_text(" ", strip=True)) > total / 2:
            continue
        tag.decompose()


def _text_blocks(container: Any) -> str:
    """Paragraphs, headings and list items as blocks: blank lines between blocks, one newline
    between list items; whitespace inside a block collapsed (except in <pre>)."""
    from bs4.element import NavigableString, PreformattedString, Tag

    blocks: list[tuple[str, str]] = []
    buf: list[str | None] = []  # None marks a <br>; newlines in the source are just whitespace
    kinds = ["div"]
    pre_depth = 0

    def flush() -> None:
        if pre_depth:
            text = "".join("\n" if part is None else part for part in buf).strip("\n").rstrip()
        else:
            lines: list[list[str]] = [[]]
            for part in buf:
                if part is None:
                    lines.append([])
                else:
                    lines[-1].append(part)
            text = "\n".join(line for line in (" ".join("".join(parts).split()) for parts in lines) if line)
        buf.clear()
        if text:
            blocks.append((kinds[-1], text))

    stack: list[tuple[Any, str | None]] = [(iter(container.children), None)]
    while stack:
        children, name = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if name in _BLOCK_TAGS:
                flush()
                kinds.pop()
            if name == "pre":
                pre_depth -= 1
            continue
        if isinstance(child, PreformattedString):  # comments, doctypes, CDATA
            continue
        if isinstance(child, NavigableString):
            buf.append(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        if child.name == "br":
            buf.append(None)
            continue
        if child.name == "hr":
            flush()
            continue
        if child.name in ("td", "th"):
            buf.append(" ")
        if child.name in _BLOCK_TAGS:
            flush()
            kinds.append(child.name)
        if child.name == "pre":
            pre_depth += 1
        stack.append((iter(child.children), child.name))
    flush()

    out: list[str] = []
    previous = None
    for kind, text in blocks:
        if out:
            out.append("\n" if kind == "li" and previous == "li" else "\n\n")
        out.append(text)
        previous = kind
    return "".join(out)


# --------------------------------------------------------------------------- decoding

_CHARSET_META = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""")
# Browsers read these labels as windows-1252 (WHATWG Encoding); so do we.
_CP1252_ALIASES = {"latin1", "iso8859-1", "iso-8859-1", "iso_8859-1", "ascii", "us-ascii", "l1", "cp819"}


def _declared_charset(raw: bytes) -> str | None:
    head = raw[:4096]
    match = _CHARSET_META.search(head) or _XML_ENCODING.search(head)
    if not match:
        return None
    label = match.group(1).decode("ascii", "replace").lower()
    if label in _CP1252_ALIASES:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None  # an unknown label: fall back to UTF-8


def _decode(where: str, raw: bytes, declared: str | None = None) -> str:
    """Bytes of a text format -> normalised str, or a CorpusError saying why they are not text."""
    offset = 0
    encoding = "utf-8"
    if raw.startswith(codecs.BOM_UTF8):
        raw, offset = raw[3:], 3
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif declared and declared not in ("utf-8", "utf-16", "utf-16-le", "utf-16-be"):
        encoding = declared
    if encoding != "utf-16":
        if b"\x00" in raw:
            raise CorpusError(where, "binary file, not text")
        controls = len(raw) - len(raw.translate(None, _CONTROL_BYTES))
        if controls > _BINARY_CONTROL_SHARE * len(raw):
            raise CorpusError(where, "binary file, not text")
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        bad = exc.object[exc.start]
        name = "UTF-8" if encoding == "utf-8" else encoding
        raise CorpusError(where, f"not valid {name} (byte 0x{bad:02x} at offset {exc.start + offset})") from None
    text = normalize_text(text)
    if not text.strip():
        raise CorpusError(where, "file is empty")
    return text
