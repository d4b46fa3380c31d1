"""Bytes to text: a file's or page's encoding (BOM, declared charset, HTML ``<meta charset>``,
then guesses), and whether bytes are text at all (binary signatures, the share of unreadable
characters). ``index.load`` asks these before any parser runs.

>>> decode_bytes(b"He said \\x93yes\\x94")
'He said “yes”'
"""

from __future__ import annotations

import codecs
import logging
import re
import unicodedata

logger = logging.getLogger(__name__)


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode text: BOM, then a declared charset, then UTF-8, cp1252, latin-1 (which never fails)."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                       (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace")
    for codec in ([declared] if declared else []) + ["utf-8", "cp1252", "latin-1"]:
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    raise AssertionError("latin-1 decodes any byte string")  # pragma: no cover


#: HTML ``<meta charset>`` / ``http-equiv`` Content-Type and the XML declaration's encoding, looked
#: for where browsers look (the start of the page; we allow more than their 1024 bytes, since pages
#: with long <head> comments or scripts before the tag are common in saved news pages).
_HTML_CHARSET = re.compile(
    rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([-\w.:]+)"""
    rb"""|<\?xml\b[^>]*?\bencoding\s*=\s*["']([-\w.:]+)""", re.IGNORECASE)
_CHARSET_SCAN = 16384

#: Labels that browsers decode with another codec (the WHATWG Encoding Standard's label table):
#: pages labelled latin-1/ascii are really windows-1252, Shift_JIS pages use Microsoft's superset, ...
_CHARSET_ALIASES = {
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "l1": "cp1252",
    "us-ascii": "cp1252", "ascii": "cp1252", "iso-8859-9": "cp1254", "latin5": "cp1254",
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932", "ms_kanji": "cp932",
    "windows-31j": "cp932", "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030",
    "euc-kr": "cp949", "ks_c_5601-1987": "cp949", "tis-620": "cp874", "iso-8859-11": "cp874",
}


def html_charset(data: bytes) -> str | None:
    """The codec an HTML page's bytes declare (``<meta charset>``, ``<meta http-equiv=Content-Type>``
    or an XML declaration) as a Python codec name, or None.

    Use it when the transport gave no charset (a file; a server whose Content-Type has none): an
    HTTP header's charset wins over the page's own, as in browsers. A UTF-16 label is ignored (the
    tag could only be read because the bytes are ASCII-compatible; a real UTF-16 page has a BOM),
    and so is a label Python does not know.

    >>> html_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">')
    'cp932'
    """
    m = _HTML_CHARSET.search(data[:_CHARSET_SCAN])
    if not m:
        return None
    label = (m.group(1) or m.group(2)).decode("ascii", "replace").strip().lower()
    label = _CHARSET_ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        logger.debug("unknown charset label %r", label)
        return None
    return None if name.startswith("utf-16") or name.startswith("utf-32") else name


def decode_html(data: bytes, declared: str | None = None) -> str:
    """Decode an HTML page: a BOM, then ``declared`` (the HTTP header's charset), then the page's own
    declaration (``html_charset``), then what ``decode_bytes`` guesses: the browsers' order.

    A page that is valid UTF-8 (with non-ASCII in it) is read as UTF-8 whatever its tag says: pages
    re-saved as UTF-8 by editors and tools keep their old ``<meta charset>``, while text in a legacy
    charset is practically never valid UTF-8 (measured: every Shift_JIS, cp1251 and cp1252 test page
    fails it). A header charset that cannot read the bytes gives way to the page's own."""
    own = html_charset(data)
    if own and own != "utf-8" and not data.isascii() and _decodes(data, "utf-8"):
        own = None
    for charset in (declared, own):
        if charset and _decodes(data, charset):
            return decode_bytes(data, charset)
    return decode_bytes(data)


def _decodes(data: bytes, charset: str) -> bool:
    try:
        data.decode(charset)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


#: Signatures of common binary formats: (offset, magic bytes, what to call it). Each is either long
#: or holds bytes that never start a text file, so no article can match one by its first words
#: (``filetype``'s matchers would refuse an article starting "MZ", "FWS" or "ID3"). PDF is not here:
#: it is a supported format.
_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "a PNG image"), (0, b"\xff\xd8\xff", "a JPEG image"),
    (0, b"GIF87a", "a GIF image"), (0, b"GIF89a", "a GIF image"), (0, b"II*\x00", "a TIFF image"),
    (0, b"MM\x00*", "a TIFF image"), (0, b"8BPS", "a Photoshop image"), (0, b"wOFF", "a font"),
    (0, b"wOF2", "a font"), (0, b"PK\x03\x04", "a ZIP archive (or .docx/.xlsx/.pptx/.odt/.epub)"),
    (0, b"PK\x05\x06", "a ZIP archive"), (0, b"PK\x07\x08", "a ZIP archive"), (0, b"\x1f\x8b", "a gzip archive"),
    (0, b"\xfd7zXZ\x00", "an xz archive"), (0, b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
    (0, b"Rar!\x1a\x07", "a RAR archive"), (0, b"\x28\xb5\x2f\xfd", "a zstd archive"),
    (0, b"\x04\x22\x4d\x18", "an lz4 archive"), (257, b"ustar", "a tar archive"),
    (0, b"\x7fELF", "an ELF executable"), (0, b"\xfe\xed\xfa\xce", "a Mach-O executable"),
    (0, b"\xfe\xed\xfa\xcf", "a Mach-O executable"), (0, b"\xce\xfa\xed\xfe", "a Mach-O executable"),
    (0, b"\xcf\xfa\xed\xfe", "a Mach-O executable"), (0, b"\xca\xfe\xba\xbe", "a Mach-O or Java class file"),
    (0, b"SQLite format 3\x00", "an SQLite database"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office file (.doc/.xls/.ppt)"),
    (0, b"ID3\x02", "an MP3 file"), (0, b"ID3\x03", "an MP3 file"), (0, b"ID3\x04", "an MP3 file"),
    (0, b"\xff\xfb", "an MP3 file"), (0, b"\xff\xf3", "an MP3 file"), (0, b"\xff\xf2", "an MP3 file"),
    (0, b"OggS\x00", "an Ogg audio/video file"), (0, b"fLaC", "a FLAC file"),
    (0, b"\x1a\x45\xdf\xa3", "a Matroska/WebM video"), (0, b"FLV\x01", "a Flash video"),
    (0, b"\x30\x26\xb2\x75\x8e\x66\xcf\x11", "a Windows Media file"), (0, b"\x00asm", "a WebAssembly module"),
)


def binary_kind(data: bytes) -> str | None:
    """What binary format ``data`` starts like ("a PNG image", ...), by its magic bytes; else None.

    >>> binary_kind(b"\\x89PNG\\r\\n\\x1a\\n..."), binary_kind(b"MZ Wallace opens a store")
    ('a PNG image', None)
    """
    for offset, magic, name in _MAGIC:
        if data[offset:offset + len(magic)] == magic:
            return name
    if data[:4] == b"RIFF" and data[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return {b"WEBP": "a WebP image", b"WAVE": "a WAV file", b"AVI ": "an AVI video"}[data[8:12]]
    if data[4:8] == b"ftyp" and data[:2] == b"\x00\x00":  # an ISO box: its 32-bit size, then "ftyp"
        return "an MP4/MOV/HEIC file"
    if data[:3] == b"BZh" and data[4:10] == b"1AY&SY":
        return "a bzip2 archive"
    if data[:2] == b"MZ" and len(data) >= 64:  # a DOS header pointing at a PE header
        pe = int.from_bytes(data[60:64], "little")
        if data[pe:pe + 4] == b"PE\x00\x00":
            return "a Windows executable"
    return None


#: The share of a file's first characters (``unreadable_share``) above which it is binary, not text.
#: Measured on decoded text: all 2,225 BBC articles (/work/shared/corpora/bbc-news/bbc), the HTML,
#: markdown, JSON and CSV fixtures, seeds/, the SQuAD/RealTimeQA corpora, Japanese (Shift_JIS) and
#: Russian (cp1251) pages, Arabic, Hindi, Chinese, Korean, Thai and emoji text: 0.0% each (not one
#: such character). Worst real case we could build: a BBC article with curly quotes saved as cp1252
#: plus one byte cp1252 lacks, so it falls back to latin-1 and every quote becomes a C1 control:
#: 2.3% at most. Random non-NUL bytes: 22.8-23.5% (latin-1 turns 0x01-0x1f and 0x7f-0x9f into
#: controls); random bytes behind a UTF-16 BOM: 14.5-15.6%. 10% sits between with room both ways.
UNREADABLE_MAX = 0.10
_UNREADABLE_SAMPLE = 65536  # characters looked at: the start says whether it is text, and it is fast


def unreadable_share(text: str) -> float:
    """The share of ``text``'s first characters that no text has: control characters (other than
    tab, newlines, vertical tab and form feed), surrogates, private-use and unassigned code points
    (in the BMP), and U+FFFD (bytes the decoder could not read)."""
    sample = text[:_UNREADABLE_SAMPLE]
    if not sample:
        return 0.0
    bad = 0
    for ch in sample:
        if ch < " " and ch in "\t\n\r\x0b\x0c":
            continue
        category = unicodedata.category(ch)
        # unassigned above the BMP is most likely an emoji newer than Python's Unicode tables
        # (U+1FAF6 🫶 is "Cn" in Python 3.11), so only the BMP's unassigned code points count
        if ch == "\ufffd" or category in ("Cc", "Cs", "Co") or (category == "Cn" and ch <= "\uffff"):
            bad += 1
    return bad / len(sample)
