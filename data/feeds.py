"""Streaming readers for exported social-media feeds (CSV, TSV, JSONL, JSON, Parquet, XLSX).

    with open_feed("export.csv.gz", start_after=120_000) as feed:
        for row in feed:                   # FeedRow(number, id, text, fields, error)
            ...

Every record of the source yields exactly one `FeedRow` (an API v2 response: one per tweet), in
source order, numbered from 1; a record that cannot be scored carries `error` and the scan goes on.
Blank lines and blank table rows are not records. `start_after=N` skips records without mapping
them (Parquet skips whole row groups); the numbers stay those of a full read.

Memory stays constant whatever the file size: CSV/TSV/JSONL are read line by line, JSON arrays and
X archives (`tweets.js`) element by element with the `json` scanner over a sliding buffer, Parquet
batch by batch (only the needed columns; memory is bounded by one row group of them), XLSX row by
row (openpyxl read-only). A single record larger than `MAX_RECORD_BYTES` becomes an error row
instead of being read. A JSON object with no top-level array of objects (a TikTok `user_data.json`,
an API v2 lookup of one tweet) is loaded whole: such files are small. For an API v2 response whose
`includes` follows `data` (the order X sends), the file is read twice to map author ids to usernames.

Gzip input (`.gz` or gzip magic bytes) works for every text format. Text encodings: UTF-8 with or
without BOM, UTF-16/32 with BOM (or UTF-16 recognised by its NUL bytes), and cp1252 when the first
64 KiB are not UTF-8 (and show more invalid bytes than valid multi-byte sequences). Undecodable bytes
make an error row, never a crash. CSV/TSV: the delimiter is sniffed among , ; TAB | (an Excel
`sep=;` line wins) and a short preamble above the header row (a report title) is skipped.

Shapes and text/id/reference columns are decided in `netra.data.feed_shapes`; readers report only
structural problems (length limits and the like are the scanner's job).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import itertools
import json
import json.scanner
import re
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from netra.data.feed_shapes import (
    Shape,
    ShapeError,
    XApiV2Shape,
    as_str,
    document_shape,
    record_shape,
    table_shape,
    v2_users,
)

FORMATS = ("csv", "tsv", "jsonl", "json", "parquet", "xlsx")
MAX_RECORD_BYTES = 16 * 1024 * 1024
"""The largest record (CSV row, JSON line or element) read; a larger one becomes an error row."""
MAX_DOCUMENT_CHARS = 512 * 1024 * 1024
"""The largest JSON value loaded whole (a TikTok download, an object member that is not a records array)."""

_SAMPLE_BYTES = 64 * 1024
_CHUNK_BYTES = 256 * 1024
_SAMPLE_RECORDS = 50
_PARQUET_BATCH = 4096
_HEADER_SEARCH_ROWS = 10
_DELIMITERS = (",", ";", "\t", "|")
_SUFFIXES = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".txt": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".js": "json",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "xlsx",
}
_FORMAT_ALIASES = {"ndjson": "jsonl", "js": "json", "txt": "csv", "excel": "xlsx", "pq": "parquet"}
_UNSUPPORTED = {
    ".xls": "legacy Excel .xls is not supported; save it as .xlsx or CSV",
    ".zip": "unzip the archive first and open the feed file inside it",
}
_GZIP_MAGIC = b"\x1f\x8b"
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_NON_WS = re.compile(r"[^ \t\r\n]")
_JS_PREFIX = re.compile(
    r"(?:(?:var|let|const)\s+)?[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*|\[[^\]\n]*\])*\s*=\s*"
)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SEP_HINT = re.compile(r"sep=([,;\t|])[ \t]*(?:\r\n|\r|\n)")
# cp1252 with its five undefined bytes decoded as latin-1 (as browsers do): never fails.
_CP1252_TABLE = "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256))
_DECODERS: dict[str, Callable[[bytes, str, bool], tuple[str, int]]] = {
    "utf-8": codecs.utf_8_decode,
    "utf-16-le": codecs.utf_16_le_decode,
    "utf-16-be": codecs.utf_16_be_decode,
    "utf-32-le": codecs.utf_32_le_decode,
    "utf-32-be": codecs.utf_32_be_decode,
}


@dataclass
class FeedRow:
    """One record of a feed. `error` says why it cannot be scored (then `text` is None or "")."""

    number: int  # 1-based position of the record in the source; stable across runs (used for resume)
    id: str | None  # the post id from the source, or None
    text: str | None  # the post text; None if missing or unreadable
    fields: dict[str, Any]  # author, url, posted_at, platform and the source's id/url/date columns (strings)
    error: str | None = None  # a structural problem: "missing text", "undecodable bytes at byte 17", ...


class FeedError(ValueError):
    """The whole file cannot be read (unknown format, no text column...); the message names the file."""


Item = tuple[Any, str | None]
"""What a source yields per record: (record or None, structural error or None)."""


class _Oversize(Exception):
    """A record is longer than MAX_RECORD_BYTES."""


class _JsonStop(Exception):
    """The JSON text cannot be followed any further."""


# --------------------------------------------------------------------------------------------------
# Bytes and encodings


def _is_gzip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(2) == _GZIP_MAGIC


def _open_binary(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed when it is gzip."""
    if _is_gzip(path):
        return gzip.open(path, "rb")
    return path.open("rb")


def _read_sample(path: Path, size: int = _SAMPLE_BYTES) -> bytes:
    with _open_binary(path) as handle:
        try:
            return handle.read(size)
        except (OSError, EOFError) as exc:
            raise FeedError(f"{path}: cannot read the file ({exc})") from None


@dataclass(frozen=True, slots=True)
class _Encoding:
    name: str  # a key of _DECODERS or "cp1252"
    bom: int  # bytes to skip at the start
    unit: int  # bytes per code unit (1, 2 or 4)


def _detect_encoding(sample: bytes) -> _Encoding:
    """BOM, then UTF-16 by its NUL bytes, then UTF-8; cp1252 when the sample is not UTF-8.

    A sample that mixes valid UTF-8 sequences with a few invalid bytes stays UTF-8, so the bad rows
    are reported as errors instead of the whole file being misread."""
    for bom, name, unit in (
        (codecs.BOM_UTF32_LE, "utf-32-le", 4),
        (codecs.BOM_UTF32_BE, "utf-32-be", 4),
        (codecs.BOM_UTF8, "utf-8", 1),
        (codecs.BOM_UTF16_LE, "utf-16-le", 2),
        (codecs.BOM_UTF16_BE, "utf-16-be", 2),
    ):
        if sample.startswith(bom):
            return _Encoding(name, len(bom), unit)
    if len(sample) >= 8:
        half = len(sample) // 2
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd > 0.3 * half and even < 0.05 * half:
            return _Encoding("utf-16-le", 0, 2)
        if even > 0.3 * half and odd < 0.05 * half:
            return _Encoding("utf-16-be", 0, 2)
    try:
        codecs.utf_8_decode(sample, "strict", False)
    except UnicodeDecodeError:
        invalid = sample.decode("utf-8", errors="replace").count("\ufffd")
        if invalid > len(_UTF8_MULTIBYTE.findall(sample)):
            return _Encoding("cp1252", 0, 1)
    return _Encoding("utf-8", 0, 1)


def _decode(encoding: str, data: bytes, final: bool = True) -> tuple[str, int, list[tuple[int, int]]]:
    """Decode `data`: (text, bytes used, [(character, byte) of each undecodable sequence, as U+FFFD])."""
    if encoding == "cp1252":
        return codecs.charmap_decode(data, "strict", _CP1252_TABLE)[0], len(data), []
    decode = _DECODERS[encoding]
    try:
        text, used = decode(data, "strict", final)
        return text, used, []
    except UnicodeDecodeError:
        pass
    parts: list[str] = []
    bad: list[tuple[int, int]] = []
    chars = pos = 0
    while True:
        try:
            text, used = decode(data[pos:], "strict", final)
        except UnicodeDecodeError as exc:
            good = data[pos : pos + exc.start].decode(encoding)
            parts.append(good)
            chars += len(good)
            bad.append((chars, pos + exc.start))
            parts.append("\ufffd")
            chars += 1
            pos += max(exc.end, exc.start + 1)
            continue
        parts.append(text)
        return "".join(parts), pos + used, bad


def _newline(encoding: _Encoding, text: str) -> bytes:
    """The encoded line terminator: "\\n", or "\\r" for old Mac files that have no "\\n"."""
    name = "latin-1" if encoding.name == "cp1252" else encoding.name
    return ("\r" if "\n" not in text and "\r" in text else "\n").encode(name)


class _Lines:
    """The physical lines of a binary stream as (byte offset, bytes with the terminator).

    A line longer than `limit` bytes is skipped and comes as (offset, None)."""

    def __init__(self, stream: IO[bytes], newline: bytes, unit: int, offset: int, limit: int) -> None:
        self._stream = stream
        self._newline = newline
        self._unit = unit
        self._offset = offset
        self._limit = limit

    def __iter__(self) -> Iterator[tuple[int, bytes | None]]:
        if self._newline == b"\n" and self._unit == 1:
            return self._readlines()
        return self._split()

    def _readlines(self) -> Iterator[tuple[int, bytes | None]]:
        readline, limit, offset = self._stream.readline, self._limit, self._offset
        while True:
            line = readline(limit + 1)
            if not line:
                return
            if len(line) > limit and not line.endswith(b"\n"):
                size = len(line)
                while line and not line.endswith(b"\n"):
                    line = readline(_CHUNK_BYTES)
                    size += len(line)
                yield offset, None
                offset += size
                continue
            yield offset, line
            offset += len(line)

    def _split(self) -> Iterator[tuple[int, bytes | None]]:
        """Lines of a multi-byte encoding (UTF-16/32) or with "\\r" terminators: split on aligned code units."""
        newline, unit, limit = self._newline, self._unit, self._limit
        buf = b""
        start = 0  # where the current line begins in buf
        offset = self._offset  # file offset of buf[start]
        scan = 0
        dropping = 0  # bytes of an over-long line dropped so far (0: not dropping)
        while True:
            index = buf.find(newline, scan)
            while index != -1 and (index - start) % unit:
                index = buf.find(newline, index + 1)
            if index != -1:
                end = index + len(newline)
                if dropping:
                    yield offset - dropping, None
                    dropping = 0
                elif end - start > limit:
                    yield offset, None
                else:
                    yield offset, buf[start:end]
                offset += end - start
                start = scan = end
                continue
            if len(buf) - start > limit or dropping:
                keep = len(buf) - start - len(newline)
                keep -= keep % unit
                if keep > 0:
                    dropping += keep
                    offset += keep
                    start += keep
            chunk = self._stream.read(_CHUNK_BYTES)
            if not chunk:
                if dropping:
                    yield offset - dropping, None
                elif start < len(buf):
                    yield offset, buf[start:]
                return
            buf = buf[start:] + chunk
            scan = max(0, len(buf) - len(chunk) - len(newline) + 1)
            start = 0


def _decode_line(encoding: str, raw: bytes) -> tuple[str, int | None]:
    """A line as text and the offset (in the line) of its first undecodable byte, if any."""
    if encoding == "cp1252":
        return codecs.charmap_decode(raw, "strict", _CP1252_TABLE)[0], None
    try:
        return raw.decode(encoding), None
    except UnicodeDecodeError:
        text, _, bad = _decode(encoding, raw)
        return text, bad[0][1] if bad else None


# --------------------------------------------------------------------------------------------------
# Sources: records (dicts) with structural errors


class _Source:
    """Yields (record, error) per record of the file, in order; knows its columns or a record sample."""

    encoding: str | None = None
    delimiter: str | None = None

    def items(self, skip: int = 0) -> Iterator[Item]:
        """The records after the first `skip` ones (skipped as cheaply as the format allows)."""
        return itertools.islice(self._items(), skip, None)

    def _items(self) -> Iterator[Item]:
        raise NotImplementedError

    def needs(self, columns: list[str] | None) -> None:
        """The columns the shape reads (only Parquet makes use of it)."""

    def close(self) -> None:
        """Release the file."""


class _CsvLineFeed:
    """Decoded lines for csv.reader; remembers where the current record had undecodable bytes."""

    def __init__(self, lines: Iterator[tuple[int, bytes | None]], encoding: str) -> None:
        self._lines = lines
        self._encoding = encoding
        self.bad: int | None = None
        self.size = 0
        self.hit_end = False  # the file ended inside the current record (an unterminated quote)

    def start_record(self) -> None:
        self.bad = None
        self.size = 0

    def __iter__(self) -> _CsvLineFeed:
        return self

    def __next__(self) -> str:
        try:
            offset, raw = next(self._lines)
        except StopIteration:
            self.hit_end = self.size > 0
            raise
        if raw is None:
            raise _Oversize
        self.size += len(raw)
        if self.size > MAX_RECORD_BYTES:
            raise _Oversize
        text, bad = _decode_line(self._encoding, raw)
        if bad is not None and self.bad is None:
            self.bad = offset + bad
        return text


def _clean_header(names: list[Any]) -> list[str]:
    """Header names without BOM/whitespace; blanks become column_N, duplicates name_2, name_3..."""
    out: list[str] = []
    seen: set[str] = set()
    for index, value in enumerate(names, start=1):
        name = (as_str(value) or "").replace("\ufeff", "").strip() or f"column_{index}"
        base, suffix = name, 2
        while name in seen:
            name, suffix = f"{base}_{suffix}", suffix + 1
        seen.add(name)
        out.append(name)
    return out


def _blank_row(row: list[Any] | tuple[Any, ...]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def _sniff_delimiter(text: str, fmt: str) -> str:
    """The delimiter among , ; TAB | : csv.Sniffer on the sample, checked against the header line."""
    lines = _LINE_BREAK.split(text)
    if len(lines) > 1:
        lines = lines[:-1]  # the sample may end inside a line
    filled = [line for line in lines if line.strip()][:_HEADER_SEARCH_ROWS]
    # the header: the first line with two delimiters of a kind (a report title above it has none)
    header = next(
        (x for x in filled if max(x.count(d) for d in _DELIMITERS) >= 2), filled[0] if filled else ""
    )
    counts = {d: header.count(d) for d in _DELIMITERS}
    if fmt == "tsv" and counts["\t"]:
        return "\t"
    try:
        sniffed: str | None = csv.Sniffer().sniff("\n".join(lines)[:16_384], "".join(_DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    if sniffed is not None and counts.get(sniffed):
        return sniffed
    best = max(_DELIMITERS, key=lambda d: counts[d])
    if counts[best]:
        return best
    return "\t" if fmt == "tsv" else ","


class _TableSource(_Source):
    """Rows with a header row: the first non-blank row, or a later one after a short preamble
    (report titles above the table); `open_feed` picks it with `set_header`."""

    columns: list[str]
    # non-blank rows as (cells, error); (None, error) for a row that cannot be read
    _row_iter: Iterator[tuple[Any, str | None]]

    def _read_ahead(self, path: Path, what: str) -> None:
        self._ahead: list[tuple[Any, str | None]] = []
        for row, error in self._row_iter:
            self._ahead.append((row, error))
            if row is None or len(self._ahead) >= _HEADER_SEARCH_ROWS:
                break
        if not self._ahead:
            self.close()
            raise FeedError(f"{path}: {what} is empty (no header row)")
        if self._ahead[0][0] is None:
            self.close()
            raise FeedError(f"{path}: the header row cannot be read ({self._ahead[0][1]})")
        self.header_rows = [
            list(row) for row, _ in itertools.takewhile(lambda x: x[0] is not None, self._ahead)
        ]
        self.set_header(0)

    def set_header(self, index: int) -> None:
        """Use `header_rows[index]` as the header; the rows above it are no records."""
        self.columns = _clean_header(self.header_rows[index])
        row = self.header_rows[index]
        while (
            self.columns
            and self.columns[-1].startswith("column_")
            and _blank_row(row[len(self.columns) - 1 :])
        ):
            self.columns.pop()  # trailing empty header cells (formatted but unused spreadsheet columns)
        self._data = self._ahead[index + 1 :]

    def items(self, skip: int = 0) -> Iterator[Item]:
        columns = self.columns
        width = len(columns)
        for number, (row, error) in enumerate(itertools.chain(self._data, self._row_iter), start=1):
            if number <= skip:
                continue
            if row is None:
                yield None, error
                continue
            record: dict[str, Any] = dict(zip(columns, row, strict=False))
            if len(row) < width:
                for name in columns[len(row) :]:
                    record[name] = None
            yield record, error


class _CsvSource(_TableSource):
    """CSV/TSV: encoding and delimiter detected on the first 64 KiB (an Excel `sep=;` line is honoured)."""

    def __init__(self, path: Path, fmt: str) -> None:
        sample = _read_sample(path)
        encoding = _detect_encoding(sample)
        text = _decode(encoding.name, sample[encoding.bom :], final=False)[0]
        if not text.strip():
            raise FeedError(f"{path}: the file is empty (no header row)")
        self.encoding = encoding.name
        hint = _SEP_HINT.match(text)
        self.delimiter = hint.group(1) if hint else _sniff_delimiter(text, fmt)
        self.format = "tsv" if self.delimiter == "\t" else "csv"
        if csv.field_size_limit() < MAX_RECORD_BYTES:
            csv.field_size_limit(MAX_RECORD_BYTES)
        self._stream = _open_binary(path)
        self._stream.read(encoding.bom)
        lines = iter(
            _Lines(self._stream, _newline(encoding, text), encoding.unit, encoding.bom, MAX_RECORD_BYTES)
        )
        if hint:
            next(lines, None)  # the "sep=;" line itself
        self._feed = _CsvLineFeed(lines, encoding.name)
        self._reader = csv.reader(self._feed, delimiter=self.delimiter)
        self._row_iter = self._rows()
        self._read_ahead(path, "the file")

    def _rows(self) -> Iterator[tuple[list[str] | None, str | None]]:
        """Non-blank rows as (fields, error); a row that cannot be parsed comes as (None, error)."""
        feed, reader = self._feed, self._reader
        while True:
            feed.start_record()
            try:
                row = next(reader)
            except StopIteration:
                return
            except _Oversize:
                yield None, f"record longer than {MAX_RECORD_BYTES} bytes (an unbalanced quote?)"
                continue
            except csv.Error as exc:
                yield None, f"malformed CSV row: {exc}"
                continue
            if feed.hit_end:
                yield None, "unterminated quote: this record runs to the end of the file"
                return
            if _blank_row(row):
                continue
            yield row, (f"undecodable bytes at byte {feed.bad}" if feed.bad is not None else None)

    def close(self) -> None:
        self._stream.close()


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return "null" if value is None else type(value).__name__


class _JsonlSource(_Source):
    """JSONL: every non-blank line is one record (a JSON object)."""

    def __init__(self, path: Path) -> None:
        sample = _read_sample(path)
        encoding = _detect_encoding(sample)
        text = _decode(encoding.name, sample[encoding.bom :], final=False)[0]
        self.encoding = encoding.name
        self._unit = encoding.unit
        self._decoder = json.JSONDecoder()
        self._stream = _open_binary(path)
        self._stream.read(encoding.bom)
        lines = _Lines(self._stream, _newline(encoding, text), encoding.unit, encoding.bom, MAX_RECORD_BYTES)
        self._lines = enumerate(lines, start=1)
        self._head: list[Item] = []
        for lineno, (offset, raw) in self._lines:
            if raw is not None and self._blank(raw):
                continue
            self._head.append(self._parse(lineno, offset, raw))
            if len(self._head) >= _SAMPLE_RECORDS:
                break
        self.sample = [record for record, _ in self._head if isinstance(record, dict)]

    def _blank(self, raw: bytes) -> bool:
        if self._unit == 1:
            return not raw or raw.isspace()
        return not _decode_line(self.encoding or "utf-8", raw)[0].strip()

    def _parse(self, lineno: int, offset: int, raw: bytes | None) -> Item:
        if raw is None:
            return None, f"line {lineno} is longer than {MAX_RECORD_BYTES} bytes"
        text, bad = _decode_line(self.encoding or "utf-8", raw)
        error = f"undecodable bytes at byte {offset + bad}" if bad is not None else None
        try:  # raw_decode without json.loads' extra steps: this runs once per line
            record, end = self._decoder.raw_decode(text)
            if end != len(text) and _NON_WS.search(text, end):
                record = json.loads(text)  # raises with json's message about the extra data
        except json.JSONDecodeError:
            try:
                record = json.loads(text)  # leading whitespace, or the message of the real problem
            except json.JSONDecodeError as exc:
                return None, error or f"malformed JSON line: {exc.msg} at column {exc.colno} (line {lineno})"
            except RecursionError:
                return None, error or f"malformed JSON line: nested too deeply (line {lineno})"
        except RecursionError:
            return None, error or f"malformed JSON line: nested too deeply (line {lineno})"
        if record.__class__ is not dict:
            kind = _json_kind(record)
            return None, error or f"malformed JSON line: expected a JSON object, got {kind} (line {lineno})"
        return record, error

    def items(self, skip: int = 0) -> Iterator[Item]:
        number = 0
        for item in self._head:
            number += 1
            if number > skip:
                yield item
        for lineno, (offset, raw) in self._lines:
            if raw is not None and self._blank(raw):
                continue
            number += 1
            if number > skip:  # a skipped line is not even parsed
                yield self._parse(lineno, offset, raw)

    def close(self) -> None:
        self._stream.close()


class _JsonText:
    """A sliding window over the decoded text of a JSON file, read in chunks."""

    def __init__(self, chunks: Iterator[str]) -> None:
        self._chunks = chunks
        self.buf = ""
        self.pos = 0
        self.base = 0  # character offset of buf[0] in the file
        self.eof = False
        self._scan = json.scanner.make_scanner(json.JSONDecoder())  # raw_decode without its wrapper
        self._span_base = self._span_start = 0

    def _more(self, at_least: int = 1) -> bool:
        """Append at least `at_least` more characters (dropping what was consumed); False at the end."""
        if self.eof:
            return False
        if self.pos:
            self.base += self.pos
            self.buf = self.buf[self.pos :]
            self.pos = 0
        parts, got = [self.buf], 0
        while got < at_least:
            piece = next(self._chunks, "")
            if not piece:
                self.eof = True
                break
            parts.append(piece)
            got += len(piece)
        self.buf = "".join(parts)
        return got > 0

    def peek(self) -> str:
        """The next non-whitespace character (not consumed), or "" at the end of the file."""
        if self.pos < len(self.buf) and self.buf[self.pos] not in " \t\r\n":
            return self.buf[self.pos]
        while True:
            match = _NON_WS.search(self.buf, self.pos)
            if match:
                self.pos = match.start()
                return self.buf[self.pos]
            self.pos = len(self.buf)
            if not self._more():
                return ""

    def take(self) -> None:
        """Consume the character `peek` returned."""
        self.pos += 1

    def js_prefix(self) -> str | None:
        """Skip a JavaScript assignment such as `window.YTD.tweets.part0 = ` and return it."""
        first = self.peek()
        if not first or first in "[{":
            return None
        if len(self.buf) - self.pos < 4096:
            self._more(4096)
        match = _JS_PREFIX.match(self.buf, self.pos)
        if not match:
            raise _JsonStop(f"not JSON: starts with {self.buf[self.pos : self.pos + 40]!r}")
        self.pos = match.end()
        return match.group(0).strip()

    def value(self, limit: int = MAX_RECORD_BYTES) -> Any:
        """The next JSON value; `span()` then gives its character offsets in the file."""
        self.peek()
        scan = self._scan
        while True:
            try:
                try:
                    value, end = scan(self.buf, self.pos)
                except StopIteration as stop:
                    raise json.JSONDecodeError("Expecting value", self.buf, stop.value) from None
            except json.JSONDecodeError as exc:
                incomplete = exc.pos >= len(self.buf) - 8 or exc.msg.startswith("Unterminated string")
                if incomplete and not self.eof:
                    pending = len(self.buf) - self.pos
                    if pending > limit:
                        raise _JsonStop(f"a JSON value longer than {limit} characters") from None
                    self._more(max(pending, _CHUNK_BYTES))
                    continue
                raise _JsonStop(f"malformed JSON at character {self.base + exc.pos}: {exc.msg}") from None
            except RecursionError:
                raise _JsonStop(f"JSON nested too deeply at character {self.base + self.pos}") from None
            if end == len(self.buf) and not self.eof and self._more():
                continue  # a number at the end of the buffer may go on in the next chunk
            self._span_base, self._span_start = self.base, self.pos  # no arithmetic here: hot path
            self.pos = end
            return value

    def span(self) -> tuple[int, int]:
        """(start, end) character offsets in the file of the value `value` returned last."""
        return self._span_base + self._span_start, self._span_base + self.pos

    def expect(self, char: str) -> None:
        found = self.peek()
        if found != char:
            where = f"at character {self.base + self.pos}" if found else "at the end of the file"
            raise _JsonStop(f"malformed JSON: expected {char!r} {where}")
        self.take()

    def rest_of_array(self) -> list[Any]:
        """The remaining elements of an array whose "[" was consumed (for small non-record arrays)."""
        values: list[Any] = []
        if self.peek() == "]":
            self.take()
            return values
        while True:
            values.append(self.value(MAX_DOCUMENT_CHARS))
            found = self.peek()
            self.take()
            if found == "]":
                return values
            if found != ",":
                raise _JsonStop(
                    f"malformed JSON: expected ',' or ']' at character {self.base + self.pos - 1}"
                )


def _decoded_chunks(stream: IO[bytes], encoding: _Encoding, bad: deque[tuple[int, int]]) -> Iterator[str]:
    """Decode a stream chunk by chunk; record (character, byte) of undecodable bytes in `bad`."""
    pending = b""
    chars, offset = 0, encoding.bom
    while True:
        chunk = stream.read(_CHUNK_BYTES)
        data = pending + chunk if pending else chunk
        text, used, errors = _decode(encoding.name, data, final=not chunk)
        bad.extend((chars + c, offset + b) for c, b in errors)
        chars += len(text)
        offset += used
        pending = data[used:]
        if text:
            yield text
        if not chunk:
            return


_NON_RECORD_KEYS = frozenset({"includes", "meta", "errors", "columns", "fields", "schema", "metadata"})


class _JsonSource(_Source):
    """JSON: a top-level array, the first array of objects in a top-level object (e.g. API v2 `data`,
    Instagram `comments_media_comments`), an X archive `window.YTD.* = [...]`; else the whole document."""

    def __init__(self, path: Path) -> None:
        sample = _read_sample(path)
        encoding = _detect_encoding(sample)
        self.encoding = encoding.name
        self._path = path
        self._encoding = encoding
        self._stream = _open_binary(path)
        self._stream.read(encoding.bom)
        self._bad: deque[tuple[int, int]] = deque()
        self._text = _JsonText(_decoded_chunks(self._stream, encoding, self._bad))
        self.container: str | None = None
        self.members: dict[str, Any] = {}
        self.document: dict[str, Any] | None = None
        self._head: list[Item] = []
        try:
            self.prefix = self._text.js_prefix()
            streaming = self._layout()
        except _JsonStop as exc:
            self.close()
            raise FeedError(f"{path}: {exc}") from None
        self._elements: Iterator[Item] = self._iter_elements() if streaming else iter(())
        self._head = list(itertools.islice(self._elements, _SAMPLE_RECORDS))
        self.sample = [record for record, _ in self._head if isinstance(record, dict)]

    def _layout(self) -> bool:
        """Move to the first element of the records array (True), or read the whole document (False)."""
        text = self._text
        first = text.peek()
        if first == "[":
            text.take()
            return True
        if first != "{":
            found = f"{first!r} at character {text.base + text.pos}" if first else "an empty file"
            raise _JsonStop(f"not a JSON array or object: found {found}")
        text.take()
        if text.peek() == "}":
            text.take()
        else:
            while True:
                key = text.value()
                if not isinstance(key, str):
                    raise _JsonStop(f"malformed JSON: expected a key at character {text.base + text.pos}")
                text.expect(":")
                if text.peek() == "[" and key.lower() not in _NON_RECORD_KEYS:
                    text.take()
                    if text.peek() == "{":
                        self.container = key
                        return True
                    self.members[key] = text.rest_of_array()
                else:
                    self.members[key] = text.value(MAX_DOCUMENT_CHARS)
                found = text.peek()
                text.take()
                if found == "}":
                    break
                if found != ",":
                    raise _JsonStop(
                        f"malformed JSON: expected ',' or '}}' at character {text.base + text.pos - 1}"
                    )
        self.document = self.members
        return False

    def member_after_records(self, key: str) -> Any:
        """A top-level member that follows the records array (X API v2 puts `includes` after `data`),
        or None. Reads the file a second time element by element: constant memory, twice the time."""
        with _open_binary(self._path) as stream:
            stream.read(self._encoding.bom)
            text = _JsonText(_decoded_chunks(stream, self._encoding, deque()))
            try:
                text.js_prefix()
                text.expect("{")
                while text.peek() not in ("}", ""):
                    name = text.value()
                    text.expect(":")
                    if name == key:
                        return text.value(MAX_DOCUMENT_CHARS)
                    if name == self.container and text.peek() == "[":
                        text.take()
                        found = text.peek()
                        while found != "]":  # skip the records one by one, never the whole array
                            text.value()
                            found = text.peek()
                            text.take()
                            if found not in (",", "]"):
                                return None
                        if text.peek() == "]":
                            text.take()
                    else:
                        text.value(MAX_DOCUMENT_CHARS)
                    if text.peek() != ",":
                        return None
                    text.take()
            except _JsonStop:
                return None
        return None

    def _bad_between(self, start: int, end: int) -> str | None:
        bad = self._bad
        while bad and bad[0][0] < start:
            bad.popleft()
        if bad and bad[0][0] < end:
            return f"undecodable bytes at byte {bad[0][1]}"
        return None

    def _iter_elements(self) -> Iterator[Item]:
        text = self._text
        try:
            if text.peek() == "]":
                text.take()
                return
            while True:
                value = text.value()
                error = self._bad_between(*text.span()) if self._bad else None
                if isinstance(value, dict):
                    yield value, error
                else:
                    yield (
                        None,
                        error or f"malformed JSON element: expected an object, got {_json_kind(value)}",
                    )
                found = text.peek()
                if found == ",":
                    text.take()
                    continue
                if found == "]":
                    text.take()
                    return
                where = (
                    f"at character {text.base + text.pos}" if found else "(the file ends inside the array)"
                )
                yield None, f"malformed JSON: expected ',' or ']' {where}; reading stopped"
                return
        except _JsonStop as exc:
            yield None, f"{exc}; reading stopped"

    def items(self, skip: int = 0) -> Iterator[Item]:
        return itertools.islice(itertools.chain(self._head, self._elements), skip, None)

    def close(self) -> None:
        self._stream.close()


class _ListSource(_Source):
    """Records already in memory (a JSON document loaded whole)."""

    def __init__(self, records: Any, encoding: str | None) -> None:
        self._records = records
        self.encoding = encoding

    def _items(self) -> Iterator[Item]:
        for record in self._records:
            yield record, None


class _ParquetSource(_Source):
    """Parquet: batches of the needed columns only; `skip` jumps whole row groups."""

    def __init__(self, path: Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            self._file = pq.ParquetFile(path, buffer_size=1 << 20, pre_buffer=False)
        except (pa.ArrowException, OSError) as exc:
            raise FeedError(f"{path}: not a readable Parquet file ({exc})") from None
        self.columns: list[str] = list(self._file.schema_arrow.names)
        self._needed: list[str] | None = None

    def needs(self, columns: list[str] | None) -> None:
        self._needed = [c for c in columns if c in self.columns] if columns is not None else None

    def items(self, skip: int = 0) -> Iterator[Item]:
        import pyarrow as pa

        try:
            yield from self._batches(skip)
        except pa.ArrowException as exc:  # a corrupt page: the reader reports it and stops
            raise OSError(f"unreadable Parquet data: {exc}") from exc

    def _batches(self, skip: int) -> Iterator[Item]:
        metadata = self._file.metadata
        groups: list[int] = []
        for group in range(metadata.num_row_groups):
            rows = metadata.row_group(group).num_rows
            if not groups and rows <= skip:
                skip -= rows
                continue
            groups.append(group)
        if not groups:
            return
        for batch in self._file.iter_batches(
            batch_size=_PARQUET_BATCH, row_groups=groups, columns=self._needed, use_threads=False
        ):
            records = batch.to_pylist()
            if skip:
                if skip >= len(records):
                    skip -= len(records)
                    continue
                records, skip = records[skip:], 0
            for record in records:
                yield record, None

    def close(self) -> None:
        close = getattr(self._file, "close", None)
        if close is not None:
            close()


class _XlsxSource(_TableSource):
    """XLSX: the first worksheet, read-only (openpyxl streams its rows); blank rows are no records."""

    def __init__(self, path: Path) -> None:
        import zipfile

        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            self._book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
            raise FeedError(f"{path}: not a readable .xlsx workbook ({exc})") from None
        if not self._book.worksheets:
            self._book.close()
            raise FeedError(f"{path}: the workbook has no worksheet")
        sheet = self._book.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # some writers store a wrong sheet size
        self.sheet = sheet.title
        self._row_iter = self._sheet_rows(sheet)
        try:
            self._read_ahead(path, f"the first worksheet ({self.sheet!r})")
        except OSError as exc:
            self._book.close()
            raise FeedError(f"{path}: {exc}") from None

    @staticmethod
    def _sheet_rows(sheet: Any) -> Iterator[tuple[Any, str | None]]:
        import zipfile

        try:
            for row in sheet.iter_rows(values_only=True):
                if not _blank_row(row):
                    yield row, None
        except (SyntaxError, KeyError, ValueError, zipfile.BadZipFile, zlib.error) as exc:  # broken XML
            raise OSError(f"unreadable worksheet: {exc}") from exc

    def close(self) -> None:
        self._book.close()


# --------------------------------------------------------------------------------------------------
# Public API


class FeedReader(Iterator[FeedRow]):
    """Iterates the FeedRows of one feed file; close it (or use `with`) to release the file.

    Attributes: `path`, `format` ("csv" | "tsv" | "jsonl" | "json" | "parquet" | "xlsx"), `shape`
    (detected export shape), `text_column`, `id_column`, `encoding` (text formats), `delimiter` (CSV/TSV).
    """

    def __init__(self, path: Path, fmt: str, source: _Source, shape: Shape, start_after: int) -> None:
        self.path = path
        self.format = fmt
        self.shape = shape.name
        self.text_column = shape.text_column
        self.id_column = shape.id_column
        self.encoding = source.encoding
        self.delimiter = source.delimiter
        self._source = source
        self._shape = shape
        self._start_after = start_after
        source.needs(shape.needed_columns())
        self._rows = self._generate()

    def __iter__(self) -> FeedReader:
        return self

    def __next__(self) -> FeedRow:
        return next(self._rows)

    def __enter__(self) -> FeedReader:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop reading and release the file (safe to call twice)."""
        self._rows.close()
        self._source.close()

    def _generate(self) -> Iterator[FeedRow]:
        shape, skip = self._shape, self._start_after
        one_to_one = shape.one_to_one  # then the source skips records without mapping them
        number = skip if one_to_one else 0  # else (API v2 responses) skipping counts rows
        items = iter(self._source.items(skip if one_to_one else 0))
        try:
            while True:
                try:
                    record, error = next(items)
                except StopIteration:
                    return
                except (OSError, EOFError, zlib.error) as exc:  # e.g. a truncated gzip download
                    number = max(number, skip) + 1
                    error = f"the file cannot be read further ({exc}); reading stopped"
                    yield FeedRow(number, None, None, shape.empty_fields(), error)
                    return
                if record is None:
                    number += 1
                    if number > skip:
                        yield FeedRow(number, None, None, shape.empty_fields(), error or "unreadable record")
                elif one_to_one:
                    number += 1
                    record_id, text, fields, row_error = shape.row(record)
                    yield _finish(number, record_id, text, fields, error or row_error)
                else:
                    for record_id, text, fields, row_error in shape.rows(record):
                        number += 1
                        if number > skip:
                            yield _finish(number, record_id, text, fields, error or row_error)
        finally:
            self._source.close()


def _finish(
    number: int, record_id: str | None, text: Any, fields: dict[str, Any], error: str | None
) -> FeedRow:
    """The FeedRow of one record: the text checked and made a string, or the reason it has none."""
    if error is None and text.__class__ is str and not text.isspace() and text:
        return FeedRow(number, record_id, text, fields)
    if error:
        return FeedRow(number, record_id, None, fields, error)
    if text is None:
        return FeedRow(number, record_id, None, fields, "missing text")
    if not isinstance(text, str):
        if isinstance(text, (dict, list, tuple)):
            kind = "an object" if isinstance(text, dict) else "an array"
            return FeedRow(number, record_id, None, fields, f"text is {kind}, not a string")
        if isinstance(text, (bytes, bytearray)):
            try:
                text = bytes(text).decode("utf-8")
            except UnicodeDecodeError as exc:
                return FeedRow(
                    number, record_id, None, fields, f"undecodable bytes at byte {exc.start} of the text"
                )
        else:
            text = as_str(text)
            if text is None:
                return FeedRow(number, record_id, None, fields, "missing text")
    if not text.strip():
        return FeedRow(number, record_id, "", fields, "missing text")
    return FeedRow(number, record_id, text, fields)


def _filled(row: list[Any]) -> int:
    return sum(1 for v in row if not (v is None or (isinstance(v, str) and not v.strip())))


def _table_shape(source: _TableSource, text_column: str | None, id_column: str | None) -> Shape:
    """Shape from the header row: the first non-blank row, or a later one when only a short preamble
    (rows of one or two cells, such as a report title) stands above it."""
    rows = source.header_rows
    widest = max(range(len(rows)), key=lambda i: (_filled(rows[i]), -i))
    for index, row in enumerate(rows):
        if index and (_filled(row) < 2 or any(_filled(above) > 2 for above in rows[:index])):
            continue
        source.set_header(index)
        try:
            return table_shape(source.columns, text_column, id_column)
        except ShapeError:
            pass
    source.set_header(widest if _filled(rows[0]) <= 2 else 0)  # the likely header, for the message
    return table_shape(source.columns, text_column, id_column)  # raises ShapeError listing its columns


def _looks_like_jsonl(path: Path) -> bool:
    """A ".json" file whose first non-blank line is a whole object followed by more lines is JSONL."""
    sample = _read_sample(path)
    encoding = _detect_encoding(sample)
    text = _decode(encoding.name, sample[encoding.bom :], final=False)[0]
    if not text.lstrip().startswith("{"):
        return False
    with _open_binary(path) as stream:
        stream.read(encoding.bom)
        lines = _Lines(stream, _newline(encoding, text), encoding.unit, encoding.bom, MAX_RECORD_BYTES)
        found = 0
        for _, raw in lines:
            if raw is None:
                return False
            line = _decode_line(encoding.name, raw)[0].strip()
            if not line:
                continue
            if found:
                return True
            try:
                if not isinstance(json.loads(line), dict):
                    return False
            except (json.JSONDecodeError, RecursionError):
                return False
            found += 1
    return False


def _format_of(path: Path, override: str | None) -> str:
    if override is not None:
        fmt = override.lower().lstrip(".")
        fmt = _FORMAT_ALIASES.get(fmt, fmt)
        if fmt not in FORMATS:
            raise FeedError(f"{path}: unknown format {override!r}; use one of {', '.join(FORMATS)}")
    else:
        suffixes = [s.lower() for s in path.suffixes]
        if suffixes and suffixes[-1] == ".gz":
            suffixes.pop()
        suffix = suffixes[-1] if suffixes else ""
        if suffix in _UNSUPPORTED:
            raise FeedError(f"{path}: {_UNSUPPORTED[suffix]}")
        found = _SUFFIXES.get(suffix)
        if found is None:
            raise FeedError(
                f"{path}: cannot tell the format from the suffix {suffix or '(none)'!r}; "
                f"pass format= one of {', '.join(FORMATS)}"
            )
        fmt = found
    if fmt in ("parquet", "xlsx") and _is_gzip(path):
        raise FeedError(f"{path}: gzip-compressed {fmt} is not supported; decompress it first")
    if fmt == "json" and override is None and _looks_like_jsonl(path):
        return "jsonl"
    return fmt


def open_feed(
    path: str | Path,
    *,
    format: str | None = None,
    text_column: str | None = None,
    id_column: str | None = None,
    start_after: int = 0,
) -> FeedReader:
    """Open an exported feed for streaming. Raises FeedError when the file as a whole cannot be read.

    `format` overrides the suffix ("csv", "tsv", "jsonl", "json", "parquet", "xlsx"); `text_column` /
    `id_column` override the detected columns (FeedError listing the columns when absent);
    `start_after=N` skips the first N records cheaply: rows keep the numbers of a full read."""
    path = Path(path)
    if start_after < 0:
        raise ValueError(f"start_after must be >= 0, got {start_after}")
    if not path.is_file():
        raise FeedError(f"{path}: {'not a regular file' if path.exists() else 'no such file'}")
    source: _Source | None = None
    try:
        fmt = _format_of(path, format)
        shape: Shape
        if fmt in ("csv", "tsv"):
            csv_source = source = _CsvSource(path, fmt)
            fmt = csv_source.format
            shape = _table_shape(csv_source, text_column, id_column)
        elif fmt == "parquet":
            parquet = source = _ParquetSource(path)
            shape = table_shape(parquet.columns, text_column, id_column)
        elif fmt == "xlsx":
            xlsx = source = _XlsxSource(path)
            shape = _table_shape(xlsx, text_column, id_column)
        elif fmt == "jsonl":
            jsonl = source = _JsonlSource(path)
            shape = record_shape(jsonl.sample, text_column=text_column, id_column=id_column)
        else:
            json_source = source = _JsonSource(path)
            if json_source.document is not None:
                json_source.close()
                shape, records = document_shape(
                    json_source.document, text_column=text_column, id_column=id_column
                )
                source = _ListSource(records, json_source.encoding)
            else:
                shape = record_shape(
                    json_source.sample,
                    container=json_source.container,
                    prefix=json_source.prefix,
                    members=json_source.members,
                    text_column=text_column,
                    id_column=id_column,
                )
                if (
                    isinstance(shape, XApiV2Shape)
                    and json_source.container
                    and "includes" not in json_source.members
                ):
                    shape.users.update(v2_users(json_source.member_after_records("includes")))
        return FeedReader(path, fmt, source, shape, start_after)
    except ShapeError as exc:
        if source is not None:
            source.close()
        raise FeedError(f"{path}: {exc}") from None
    except (OSError, EOFError, zlib.error) as exc:
        if source is not None:
            source.close()
        raise FeedError(f"{path}: cannot read the file ({exc})") from None
