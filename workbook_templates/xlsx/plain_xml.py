"""The plain form of SpreadsheetML, read without building a tree: the fast path of the reader.

Every writer of .xlsx (Excel, WPS, LibreOffice, openpyxl) writes its parts in one plain form:
UTF-8, no DTD, no comments, no CDATA, no processing instruction but the declaration, cells as
``<c r="B6" …>`` with their ``<v>``/``<f>``/``<is>`` children.  For a part in that form the cells a
reader wants can be found by scanning the bytes — the well-formedness of the whole part is still
checked, by expat without a single Python callback — at a fraction of the cost of a tree.

Every function here answers ``None`` when a part (or a cell) is *not* in the plain form; the caller
then reads it the general way (``package``, lxml), which gives exactly the same values: the plain
form is only ever a shortcut, never a second dialect.  ``tests/test_plain_xml.py`` holds the two
ways equal on every workbook the tests have.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from pyexpat import ExpatError, ParserCreate
from typing import Any

from nianbao.workbook_templates.xlsx.cellrefs import parse_target

try:  # the compiled scanner of worksheet parts (setup.py builds it where it can): same answers, faster
    from nianbao.workbook_templates.xlsx import _plain_scan as COMPILED
except ImportError:  # pragma: no cover - an install without a C compiler
    COMPILED = None  # type: ignore[assignment]

FAST_MAX_BYTES = 4 * 1024 * 1024  # a larger part is read the general way (libxml2's own limits apply)

_DECL = re.compile(rb"(?:\xef\xbb\xbf)?(?P<decl><\?xml(?P<attrs>[^<>?]*)\?>)?\s*(?=<[A-Za-z_])")
_MARKUP_DECL = re.compile(rb"<[!?]")
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
# any attribute of a start tag, as a tokenizer (names, then a quoted value)
_ATTR = re.compile(rb"""\s+([^\s=/<>"']+)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')""")
_ENTITY = re.compile(r"&(#[0-9]+|#x[0-9a-fA-F]+|lt|gt|amp|quot|apos);")
_PREDEFINED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}

# -- sheets ------------------------------------------------------------------------------------

_ODD_CELL_TAG = re.compile(rb"<c[\t\r\n/>]")  # a cell tag not followed by one space: not plain
_PREFIX_HINT = re.compile(rb":(?:c|row|sheetProtection)[\s/>]")  # perhaps a prefixed cell, row, protection
_PREFIXED = re.compile(rb"<[A-Za-z_][\w.\-]*:(?:c|row|sheetProtection)[\s/>]")
_CELL_REF = re.compile(rb'<c r="([^"&<]+)"')
_PLAIN_ROW = re.compile(rb'<row r="([1-9][0-9]{0,6})"[\s/>]')
_OTHER_ROW = re.compile(rb'<row(?! r="[1-9][0-9]{0,6}"[\s/>]|Breaks)')  # "<row" neither plain nor <rowBreaks
_LONG_ROW = re.compile(rb'<row r="[1-9][0-9]{6}"[\s/>]')
_PREFIX = re.compile(rb"[A-Za-z_][\w.\-]*:")
_PROTECTION = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?sheetProtection(?=[\s/>])((?:\s+[^\s=/<>]+\s*=\s*(?:\"[^\"<]*\"|'[^'<]*'))*)\s*/?>")
# a cell chunk, after the split on "<c ": its reference, its other attributes, its body
_START = re.compile(rb"""r="[^"<]*"(?: s="[0-9]*")?(?: t="([a-zA-Z]*)")?((?:\s+[^\s=/<>]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)"""
                    rb"""\s*(/?)>""")
_INLINE = re.compile(rb'<is><t(?: xml:space="preserve")?>([^<]*)</t></is>')  # the usual inline string
# a blank cell, or a formula without a cached result (a file openpyxl wrote): no value at all
BLANK_CELL = re.compile(rb'r="[^"<]*"(?: s="[0-9]*")?(?: t="n")?(?:/>|></c>|><f>([^<&\r]*)</f>(?:<v></v>|<v/>)?</c>)')
NUMBER_CELL = re.compile(rb'r="[^"<]*"(?: s="[0-9]*")?(?: t="n")?>(?:<f>([^<&\r]*)</f>)?<v>([-+0-9.eE]+)</v></c>')
_JUST_VALUE = re.compile(rb"(?:<f>([^<&\r]*)</f>)?<v>([^<&\r]+)</v>")  # the common body: a number, maybe its formula
# the children of a cell, one token at a time; anything else is not plain
_BODY = re.compile(rb"""\s+|<v(?:\s[^<>]*)?/>|<v(?:\s[^<>]*)?>([^<]*)</v>|<f(?:\s[^<>]*)?/>"""
                   rb"""|<f(?:\s[^<>]*)?>([^<]*)</f>|<is>(.*?)</is>""", re.S)
# the runs of a string (<si> of the shared strings, <is> of a cell): text runs, rich runs, phonetics
_RUNS = re.compile(rb"""\s+|<t(?:\s[^<>]*)?>([^<]*)</t>|<t(?:\s[^<>]*)?/>|<r>|</r>|<rPr>.*?</rPr>|<rPr/>"""
                   rb"""|<rPh(?:\s[^<>]*)?>.*?</rPh>|<phoneticPr(?:\s[^<>]*)?/>""", re.S)

# -- shared strings and the workbook part ------------------------------------------------------

_SI_TAG = re.compile(rb"<si[\s/>]")
_SI = re.compile(rb"<si>(.*?)</si>|<si/>", re.S)
_SST_ROOT = re.compile(rb"<sst[\s>]")
_WORKBOOK_PREFIXED = re.compile(rb"<[A-Za-z_][\w.\-]*:(?:sheets?|definedNames?|workbookPr)[\s/>]")


def plain_start(raw: bytes) -> int | None:
    """Where the root element of a part in the plain form starts, or None (not plain)."""
    if len(raw) > FAST_MAX_BYTES:
        return None
    m = _DECL.match(raw)
    if m is None or _MARKUP_DECL.search(raw, m.end()):  # a DTD, comment, CDATA or another processing instruction
        return None
    if m.group("decl"):
        enc = _ENCODING.search(m.group("attrs"))
        if enc and enc.group(1).lower() not in (b"utf-8", b"utf8"):
            return None
    return m.end()


def well_formed(raw: bytes) -> str | None:
    """None when the part is well-formed XML, else expat's reason (no callback runs in Python).
    The usual document is checked by the compiled scanner when it is built, which says yes only
    where expat would (``_plain_scan.well_formed``); anything else is expat's to tell."""
    if COMPILED is not None and COMPILED.well_formed(raw):
        return None
    try:
        ParserCreate().Parse(raw, True)
    except ExpatError as e:
        return str(e)
    return None


@lru_cache(maxsize=1)
def _text_parser() -> Any:
    """lxml's parser for character data with references (imported when some come: lxml takes 6 ms
    to import, a tenth of ``validate``'s start-up)."""
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def text(raw: bytes) -> str:
    """Character data (no markup in it) as an XML parser gives it: line ends normalised,
    references resolved — by libxml2 itself when there are any (text written as &#27721;…)."""
    if b"&" in raw:
        from lxml import etree

        return etree.fromstring(b"<t>" + raw + b"</t>", _text_parser()).text or ""
    s = raw.decode("utf-8")
    if "\r" in s:
        s = s.replace("\r\n", "\n").replace("\r", "\n")
    return s


def attribute(raw: bytes) -> str:
    """An attribute value as an XML parser gives it: whitespace normalised, references resolved."""
    s = raw.decode("utf-8")
    if "\r" in s or "\n" in s or "\t" in s:
        s = s.replace("\r\n", " ").replace("\r", " ").replace("\n", " ").replace("\t", " ")
    if "&" in s:
        s = _ENTITY.sub(_resolve, s)
    return s


def _resolve(m: re.Match[str]) -> str:
    ref = m.group(1)
    if ref[0] == "#":
        return chr(int(ref[2:], 16) if ref[1] == "x" else int(ref[1:]))
    return _PREDEFINED[ref]


def attributes(raw: bytes) -> dict[bytes, bytes] | None:
    """The attributes of a start tag's attribute text (None when it does not tokenize)."""
    out: dict[bytes, bytes] = {}
    pos = 0
    for m in _ATTR.finditer(raw):
        if m.start() != pos:
            return None
        out[m.group(1)] = m.group(2) if m.group(2) is not None else m.group(3)
        pos = m.end()
    return out if raw[pos:].strip() == b"" else None


def runs_text(body: bytes) -> str | None:
    """The text of a string's runs (its <t>, and the <t> of rich runs; never phonetic runs)."""
    if b"<" not in body:
        return "" if not body.strip() else None
    parts: list[str] = []
    pos = 0
    for m in _RUNS.finditer(body):
        if m.start() != pos:
            return None
        if m.group(1) is not None:
            parts.append(text(m.group(1)))
        pos = m.end()
    return "".join(parts) if pos == len(body) else None


class SheetScan:
    """A sheet in the plain form: its cells' chunks by reference, and its protection."""

    __slots__ = ("chunks", "protected")

    def __init__(self, chunks: dict[str, bytes], protected: bool) -> None:
        self.chunks = chunks
        self.protected = protected


# The tail of a worksheet — what follows </sheetData>: protection, merged cells, conditional
# formats, data validations, page setup — is the template's own, byte for byte the same in every
# return of one template from one writer, and a third of the part.  Each distinct tail is looked at
# once: whether it holds nothing the scan counts (no cell, row, prefixed name, comment …), what
# its protection says, and that it is a run of well-formed elements.  A part with a known tail is
# then scanned, and checked well-formed, with the tail cut out (``skeleton``: the argument is there).
_TAILS: OrderedDict[bytes, tuple[bool | None, bool] | None] = OrderedDict()
TAILS_KEPT = 256  # six sheets of a few templates (and writers)
TAIL_MAX_BYTES = 64 * 1024  # a larger tail is scanned with its part, not kept (a template's: a few KB)


def _tail_facts(tail: bytes) -> tuple[bool | None, bool] | None:
    """(protection found in the tail: None when none, else the last one's value; the tail is a
    run of well-formed elements), or None when the tail holds anything the scan would count."""
    if not (tail[:1] == b"<" and tail[-1:] == b">") or b"<c " in tail or _ODD_CELL_TAG.search(tail) \
            or b"<!" in tail or b"<?" in tail or tail.count(b"<row") != tail.count(b"<rowBreaks") \
            or _PREFIX_HINT.search(tail):
        return None
    protection = _protection(tail)
    if protection is None:
        return None
    return protection[0], well_formed(b"<x>" + tail + b"</x>") is None


def _known_tail(raw: bytes) -> tuple[bytes, bool | None] | None:
    """The part with its tail cut out (``skeleton``) and the tail's protection, when the tail is
    one looked at before (or now) and found sound; else None (the part is scanned whole)."""
    at = raw.find(b"<sheetData>")
    end = raw.find(b"</sheetData>", at) if at >= 0 else -1
    if end < 0 or raw.find(b"<sheetData", at + 1) >= 0:
        return None
    end += 12
    close = raw.rfind(b"</")
    if close <= end:
        return None
    tail = raw[end:close]
    if len(tail) > TAIL_MAX_BYTES:
        return None
    facts = _TAILS.get(tail, False)
    if facts is False:
        facts = _TAILS[tail] = _tail_facts(tail)
        if len(_TAILS) > TAILS_KEPT:
            _TAILS.popitem(last=False)
    if facts is None or not facts[1]:
        return None
    return skeleton(raw, [(end, close)]), facts[0]  # type: ignore[return-value]


def _protection(raw: bytes) -> tuple[bool | None] | None:
    """What the elements named sheetProtection (in any namespace) say: the last one counts —
    (None,) when there is none; None when one is not in the plain form."""
    protected: bool | None = None
    at = raw.find(b"sheetProtection")
    while at >= 0:
        lt = raw.rfind(b"<", 0, at)
        name = raw[lt + 1: at]
        if name[:1] != b"/":  # not an end tag
            if name and not _PREFIX.fullmatch(name):
                return None
            m = _PROTECTION.match(raw, lt)
            values = attributes(m.group(1)) if m else None
            if values is None:
                return None
            protected = attribute(values[b"sheet"]) in ("1", "true") if b"sheet" in values else False
        at = raw.find(b"sheetProtection", at + 15)
    return (protected,)


def scan_sheet(raw: bytes) -> SheetScan | str | None:
    """The cells of a worksheet part, as chunks (converted only when looked up); the reason when
    the part is not well-formed; None when it is not in the plain form.  Where the compiled
    scanner is built (``_plain_scan``) it answers the usual part — what ``plain_cells`` answers,
    and whether it is well-formed — in two passes; what it does not answer is scanned here."""
    if len(raw) > FAST_MAX_BYTES:
        return None
    found = COMPILED.sheet(raw) if COMPILED is not None else None
    if found is not None and COMPILED.well_formed(raw):
        return SheetScan(*found)
    cut = _known_tail(raw)
    if found is not None:  # not the usual document: expat says whether it is well-formed
        why = well_formed(raw if cut is None else cut[0])
        if why is not None and cut is not None:
            why = well_formed(raw)  # what expat says of the whole part
        return why if why is not None else SheetScan(*found)
    if cut is None:
        return _scan_sheet(raw, raw, None)
    return _scan_sheet(raw, cut[0], cut[1])


def plain_cells(raw: bytes) -> tuple[dict[str, bytes], bool] | None:
    """What the compiled ``_plain_scan.sheet`` answers, the Python way: the chunks and the
    protection of a part in the plain form, before its well-formedness is asked; else None."""
    protected = _plain_protection(raw, raw, None)
    if protected is None:
        return None
    chunks = _chunks(raw)
    return None if chunks is None else (chunks, protected)


def _scan_sheet(raw: bytes, part: bytes, tail_protection: bool | None) -> SheetScan | str | None:
    """``scan_sheet`` of ``raw``, scanning ``part``: ``raw`` itself, or ``raw`` with a known tail
    cut out (then ``tail_protection`` is what the tail's protection says, None for none).  Every
    search here looks for a pattern that begins with '<' or ':' and holds no other '<', so none
    can match across the cut: what is found in ``part`` is what is found in ``raw`` but the tail.
    The chunks are those of ``raw`` but for the last one, which ends with the cut instead of the
    tail — a cell is read from its own bytes only, up to its end tag, before the tail."""
    protected = _plain_protection(raw, part, tail_protection)
    if protected is None:
        return None
    why = well_formed(part)
    if why is not None:
        why = well_formed(raw) if part is not raw else why  # what expat says of the whole part
        if why is not None:
            return why
    chunks = _chunks(part)
    return None if chunks is None else SheetScan(chunks, protected)


def _plain_protection(raw: bytes, part: bytes, tail_protection: bool | None) -> bool | None:
    """Whether the sheet is protected, when ``part`` is in the plain form (but its cells'
    references, ``_chunks``); None when it is not."""
    start = plain_start(part)
    if start is None:
        return None
    if _ODD_CELL_TAG.search(part) or (_PREFIX_HINT.search(part) and _PREFIXED.search(part)):
        return None  # (three searches with a literal start: far faster than one alternation)
    # a row without its number (a "<row" that is neither a plain row nor <rowBreaks: what made
    # the count of plain rows differ from the count of "<row" less <rowBreaks), or a number the
    # general reader refuses (only a seven-digit one can be)
    if _OTHER_ROW.search(part) or (_LONG_ROW.search(part) and any(
            len(r) == 7 and int(r) > 1_048_576 for r in _PLAIN_ROW.findall(part))):
        return None
    if part is raw:
        found = _protection(raw)
        return None if found is None else bool(found[0])
    # the cut is where the tail's protection stood: before the end tag, after the sheet data
    cut = part.rfind(b"</")
    head, end = _protection(part[:cut]), _protection(part[cut:])
    if head is None or end is None:
        return None
    return bool(end[0] if end[0] is not None else tail_protection if tail_protection is not None else head[0])


def _chunks(part: bytes) -> dict[str, bytes] | None:
    """Each cell's chunk by its reference; None for a cell whose first attribute is not a plain
    reference."""
    parts = part.split(b"<c ")
    refs = _CELL_REF.findall(part)
    if len(refs) != len(parts) - 1:
        return None
    return dict(zip(_keys(refs), parts[1:]))


# The cells' references of a sheet, as the text keys of its chunks: kept by the whole sequence,
# which every return of one template shares while nobody types into a cell the template left
# empty (a key made once keeps its hash: the dict of a sheet's chunks is then quick to make).
_KEYS: OrderedDict[bytes, list[str]] = OrderedDict()
KEYS_KEPT = 256
KEYS_MAX_CELLS = 4096  # a sheet with more cells is not a template's: its keys are made, not kept


def _keys(refs: list[bytes]) -> list[str]:
    if not refs:
        return []
    joined = b"\0".join(refs)
    if len(refs) > KEYS_MAX_CELLS:
        return joined.decode("utf-8").split("\0")
    keys = _KEYS.get(joined)
    if keys is None:
        keys = _KEYS[joined] = joined.decode("utf-8").split("\0")
        if len(_KEYS) > KEYS_KEPT:
            _KEYS.popitem(last=False)
    return keys


def cell_parts(chunk: bytes) -> tuple[str, str | None, str | None, str | None] | None:
    """A cell chunk as (type, value text, formula text, inline text): None when the cell is not
    in the plain form."""
    m = _START.match(chunk)
    if m is None:
        return None
    kind = m.group(1).decode() if m.group(1) is not None else "n"
    if m.group(2):
        attrs = attributes(m.group(2))
        if attrs is None:
            return None
        if b"t" in attrs:
            kind = attribute(attrs[b"t"])
    if m.group(3):  # <c …/>
        return kind, None, None, None
    end = chunk.find(b"</c>", m.end())
    if end < 0:
        return None
    body = chunk[m.end():end]
    v = f = inline = None
    if body and (plain := _JUST_VALUE.fullmatch(body)):
        f = plain.group(1).decode() if plain.group(1) is not None else None
        return kind, plain.group(2).decode(), f, None
    if body and (plain := _INLINE.fullmatch(body)):
        return kind, None, None, text(plain.group(1))
    if body:
        pos = 0
        for t in _BODY.finditer(body):
            if t.start() != pos:
                return None
            pos = t.end()
            token = t.group(0)
            if token[:2] == b"<v":
                v = text(t.group(1)) if t.group(1) else None  # <v/> and <v></v> hold no text
            elif token[:2] == b"<f":
                f = text(t.group(2)) if t.group(2) is not None else ""
            elif token[:3] == b"<is":
                inline = runs_text(t.group(3))
                if inline is None:
                    return None
        if pos != len(body):
            return None
    return kind, v, f, inline


def usual_values(chunks: dict[str, bytes], refs: Sequence[str]) -> list[tuple[float | None, str | None] | None]:
    """Each reference's cell in the usual form — a number (NUMBER_CELL: its value as a float),
    or no value (BLANK_CELL: None) — as (value, formula text or None); None for any other cell
    (or none).  In one call to the compiled scanner where it is built, else here."""
    if COMPILED is not None:
        return COMPILED.values(chunks, refs)
    return [usual_cell(chunks.get(ref)) for ref in refs]


def usual_numbers(chunks: dict[str, bytes], refs: Sequence[str]) -> list[float | None]:
    """Each reference's number, where its cell is a NUMBER_CELL (``usual_values``, without the
    formulas); None for any other cell."""
    if COMPILED is not None:
        return COMPILED.values(chunks, refs, False)
    return [usual[0] if (usual := usual_cell(chunks.get(ref))) is not None else None for ref in refs]


def usual_cell(chunk: bytes | None) -> tuple[float | None, str | None] | None:
    """``usual_values`` of one chunk, the Python way."""
    if type(chunk) is not bytes:
        return None
    m = NUMBER_CELL.match(chunk)
    if m is not None:
        try:
            return float(m.group(2)), None if m.group(1) is None else m.group(1).decode()
        except ValueError:
            return None  # a number-like text that is not one: no other usual form holds it either
    m = BLANK_CELL.match(chunk)
    if m is not None:
        try:
            return None, None if m.group(1) is None else m.group(1).decode()
        except UnicodeDecodeError:  # (only in a part not checked well-formed yet) not a usual cell
            return None
    return None


class SharedStrings:
    """The shared strings of a workbook in the plain form, each converted when first looked up."""

    __slots__ = ("bodies", "texts")

    def __init__(self, bodies: list[bytes | None]) -> None:
        self.bodies = bodies
        self.texts: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self.bodies)

    def __getitem__(self, i: int) -> str:
        got = self.texts.get(i)
        if got is None:
            body = self.bodies[i]  # IndexError as a list gives it (and a negative index as a list does)
            got = "" if body is None else runs_text(body)
            if got is None:
                raise NotPlain
            self.texts[i] = got
        return got


class NotPlain(Exception):
    """A string turned out not to be in the plain form: read the part the general way."""


def scan_shared_strings(raw: bytes) -> SharedStrings | str | None:
    """The shared strings part, as ``scan_sheet`` answers."""
    start = plain_start(raw)
    if start is None or not _SST_ROOT.match(raw, start):
        return None
    found = _SI.findall(raw)
    if len(found) != len(_SI_TAG.findall(raw)):
        return None
    why = well_formed(raw)
    if why is not None:
        return why
    return SharedStrings([body if body else None for body in found])


# -- the workbook part -------------------------------------------------------------------------


def _tag(raw: bytes, name: bytes, start: int = 0) -> int:
    """Where the next start tag ``<name …>`` is (not ``<nameMore …>``), or -1."""
    at = raw.find(name, start)
    while at >= 0 and raw[at + len(name): at + len(name) + 1] not in (b" ", b">", b"/", b"\t", b"\r", b"\n"):
        at = raw.find(name, at + 1)
    return at


def _only(raw: bytes, name: bytes) -> tuple[int, int] | None:
    """Where the one element ``<name …>…</name>`` (or ``<name …/>``) of a part lies, (0, 0) when
    there is none, None when there are several."""
    at = _tag(raw, b"<" + name)
    if at < 0:
        return 0, 0
    end = raw.find(b">", at)
    if end < 0:
        return None
    if raw[end - 1: end] == b"/":
        stop = end + 1
    else:
        close = raw.find(b"</" + name + b">", end)
        if close < 0:
            return None
        stop = close + len(name) + 3
    return None if _tag(raw, b"<" + name, stop) >= 0 else (at, stop)


def _tags(raw: bytes, name: bytes) -> int:
    """How many tags begin ``<name`` (``<sheet`` counts ``<sheets`` too: compared, not used)."""
    return raw.count(b"<" + name)


def workbook_key(raw: bytes) -> bytes | None:
    """What of xl/workbook.xml the reader uses — its sheets, its defined names, its date system —
    as one byte string, so that two parts that differ only in what the reader never looks at
    (Excel's window size, the active sheet, the calculation id) share one parse.  None: not plain."""
    found = workbook_slices(raw)
    return None if found is None else found[0]


def workbook_slices(raw: bytes) -> tuple[bytes, list[tuple[int, int]]] | None:
    """``workbook_key`` and where in the part its slices lie (the elements present, in order)."""
    if plain_start(raw) is None or ((b":sheet" in raw or b":definedName" in raw or b":workbookPr" in raw)
                                    and _WORKBOOK_PREFIXED.search(raw)):
        return None
    spans = (_only(raw, b"sheets"), _only(raw, b"definedNames"), _only(raw, b"workbookPr"))
    if None in spans:
        return None
    sheets, names, pr = (raw[a:b] for a, b in spans)  # type: ignore[misc]
    # every <sheet> and <definedName> tag lies inside its slice: the slices say all the reader reads
    if _tags(raw, b"sheet") != _tags(sheets, b"sheet") or _tags(raw, b"definedName") != _tags(names, b"definedName"):
        return None
    return b"\0".join((sheets, names, pr)), sorted(span for span in spans if span != (0, 0))  # type: ignore[misc]


# Well-formedness, a slice at a time.  In a part in the plain form (no DTD, so no entity but the
# five predefined ones and character references; no comment, CDATA section or processing
# instruction but the declaration) every '<' opens a tag, and what an element is well-formed as
# does not depend on where it stands.  So when a slice S of a part D = A + S + B is, on its own,
# a well-formed document (one element, nothing around it) and the skeleton A + "<x/>" + B is
# well-formed too, then D is: the skeleton's "<x/>" is parsed as an empty element in content (a
# '<' cannot stand in an attribute value or in character data), S in its place is parsed as one
# complete element in the same content, and the parser is then where it was after "<x/>", so B
# reads the same.  A damaged skeleton proves nothing: the caller then checks the whole part, and
# tells expat's own reason for the whole part, as before.


def skeleton(raw: bytes, spans: list[tuple[int, int]]) -> bytes | None:
    """The part with each slice (sorted, as ``workbook_slices`` gives them) replaced by an empty
    element; None when slices overlap (then nothing is cut)."""
    out: list[bytes] = []
    pos = 0
    for a, b in spans:
        if a < pos:
            return None
        out += (raw[pos:a], b"<x/>")
        pos = b
    out.append(raw[pos:])
    return b"".join(out)


def parsed_targets(names: dict[str, str]) -> dict[str, tuple[str, str] | None]:
    """Every name's (sheet, range), parsed once for a workbook part."""
    return {name: (parse_target(text) if text else None) for name, text in names.items()}
