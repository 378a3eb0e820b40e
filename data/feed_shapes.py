"""Export shapes of social-media feeds: which key holds the text, the id and the reference fields.

`netra.data.feeds` turns bytes into records (dicts, one per CSV row, JSON line or array element);
this module decides the shape of a source from its header or first records and maps every record
onto FeedRow parts: `(id, text, fields, error)`. It knows nothing about files, so errors about
columns are raised as `ShapeError` and `feeds` adds the file name.

Shapes: "generic", "x_api_v2", "x_archive", "facebook_csv" (CrowdTangle-style), "instagram_download",
"tiktok_download".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time
from typing import Any

SHAPES = ("generic", "x_api_v2", "x_archive", "facebook_csv", "instagram_download", "tiktok_download")
TEXT_CANDIDATES = (
    "text",
    "message",
    "content",
    "caption",
    "body",
    "full_text",
    "post",
    "tweet",
    "isi",
    "teks",
    "status",
    # Indonesian export headers, after the names above
    "konten",
    "pesan",
    "postingan",
    "unggahan",
    "cuitan",
)
ID_CANDIDATES = ("id", "id_str", "post_id", "tweet_id", "uuid", "url")
ROLE_KEYS = ("author", "url", "posted_at", "platform")

# Column names (normalised: lower case, words joined by "_") for the four reference roles, best first.
AUTHOR_NAMES = (
    "author",
    "author_name",
    "author_username",
    "username",
    "user_name",
    "screen_name",
    "user_screen_name",
    "user",
    "account",
    "account_name",
    "handle",
    "page_name",
    "page",
    "owner",
    "nama_akun",
    "akun",
    "pengguna",
    "penulis",
    "from",  # Facebook Graph API: {"from": {"name", "id"}}
)
URL_NAMES = ("url", "permalink", "post_url", "tweet_url", "permalink_url", "link", "post_link", "tautan")
DATE_NAMES = (
    "posted_at",
    "created_at",
    "post_created",
    "date",
    "datetime",
    "timestamp",
    "time",
    "created",
    "created_time",
    "published_at",
    "published",
    "post_date",
    "tanggal",
    "waktu",
)
PLATFORM_NAMES = ("platform", "network", "social_network", "social_media", "media_sosial", "medsos")

_AUTHOR_WORDS = frozenset(
    {"author", "user", "username", "screen", "account", "handle", "page", "akun", "pengguna", "penulis"}
)
_URL_WORDS = frozenset({"url", "link", "permalink", "tautan"})
_DATE_WORDS = frozenset(
    {"date", "time", "datetime", "timestamp", "created", "posted", "published", "tanggal", "waktu"}
)
_REF_WORDS = _AUTHOR_WORDS | _URL_WORDS | _DATE_WORDS | {"owner", "platform"}
# A column whose name has one of these words holds content or counts, not a reference.
_NOT_REF_WORDS = frozenset(
    {
        "description",
        "category",
        "about",
        "bio",
        "text",
        "message",
        "content",
        "caption",
        "body",
        "title",
        "count",
        "followers",
        "following",
        "likes",
        "views",
        "score",
        "image",
        "photo",
        "thumbnail",
        "length",
    }
)

_PLATFORM_HOSTS = (
    ("x.com", "x"),
    ("twitter.com", "x"),
    ("t.co", "x"),
    ("facebook.com", "facebook"),
    ("fb.com", "facebook"),
    ("fb.watch", "facebook"),
    ("instagram.com", "instagram"),
    ("tiktok.com", "tiktok"),
    ("tiktokv.com", "tiktok"),
    ("youtube.com", "youtube"),
    ("youtu.be", "youtube"),
    ("threads.net", "threads"),
)
_HOST = re.compile(r"^[a-z][a-z0-9+.-]*://([^/:?#@]+)", re.IGNORECASE)
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_TIKTOK_VIDEO_ID = re.compile(r"/video/(\d+)")
_TWITTER_DATE = re.compile(
    r"^[A-Za-z]{3} ([A-Za-z]{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([+-]\d{4}) (\d{4})$"
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1
    )
}
_PLAIN_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
_SAMPLE_LIMIT = 50
# isinstance() tuples built once: `a | b` would build a new union object on every call of a hot path.
_TEMPORAL = (datetime, date, time)
_BYTES = (bytes, bytearray)
_CONTAINERS = (dict, list, tuple, set)

Parsed = tuple[str | None, Any, dict[str, Any], str | None]
"""FeedRow parts of one record: (id, text value, fields, error). The reader checks the text."""


class ShapeError(ValueError):
    """A column the caller named, or any text column, is missing; `feeds` adds the file name."""


# --------------------------------------------------------------------------------------------------
# Small value helpers


def normalize_name(name: str) -> str:
    """`"Post Created"`, `"postCreated"`, `"POST_CREATED"` -> `"post_created"`."""
    return _NON_ALNUM.sub("_", _CAMEL.sub(r"\1_\2", name).lower()).strip("_")


def _loose(name: str) -> str:
    """Lower case without separators, for lenient key matching (`"Video List"` == `"videoList"`)."""
    return _NON_ALNUM.sub("", name.lower())


def as_str(value: Any) -> str | None:
    """A scalar as a string for `fields`; None for None, NaN and containers (never a whole record)."""
    if value is None or value.__class__ is str:
        return value
    if value.__class__ is int:
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, _TEMPORAL):
        return value.isoformat()
    if isinstance(value, _BYTES):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, _CONTAINERS):
        return None
    return str(value)


def _str(value: Any) -> str | None:
    """`as_str` with a fast path for strings (the common case on hot paths)."""
    return value if value.__class__ is str else as_str(value)


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 read as latin-1 (`"Ã°Â\\x9f\\x98\\x8a"` -> the emoji) when the round trip works."""
    if text.isascii():
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def unix_to_iso(value: Any) -> str | None:
    """Unix seconds (or milliseconds) -> ISO 8601 UTC; anything else comes back as a string."""
    if value is None or isinstance(value, bool):
        return as_str(value)
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return as_str(value)
    if abs(seconds) > 1e11:  # milliseconds
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, UTC).isoformat()
    except (OverflowError, OSError, ValueError):
        return as_str(value)


def twitter_date_to_iso(value: Any) -> str | None:
    """`"Wed Oct 10 20:19:24 +0000 2018"` -> `"2018-10-10T20:19:24+00:00"` (locale-independent)."""
    text = as_str(value)
    match = _TWITTER_DATE.match(text.strip()) if text else None
    if not match or match.group(1).lower() not in _MONTHS:
        return text
    month, day, hour, minute, second, offset, year = match.groups()
    try:
        parsed = datetime.strptime(
            f"{year}-{_MONTHS[month.lower()]:02d}-{int(day):02d} {hour}:{minute}:{second} {offset}",
            "%Y-%m-%d %H:%M:%S %z",
        )
    except ValueError:
        return text
    return parsed.astimezone(UTC).isoformat()


def unescape_x(text: str) -> str:
    """X escapes `&`, `<` and `>` as HTML entities in tweet texts (API v2 and archives)."""
    if "&" not in text:
        return text
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def platform_from_url(url: str | None) -> str | None:
    """The platform of a post URL (`https://www.facebook.com/...` -> `"facebook"`), if known."""
    match = _HOST.match(url) if url else None
    if not match:
        return None
    host = match.group(1).lower()
    for suffix, platform in _PLATFORM_HOSTS:
        if host == suffix or host.endswith("." + suffix):
            return platform
    return None


def x_status_url(username: str | None, tweet_id: str | None) -> str | None:
    """The public URL of a tweet (`https://x.com/i/web/status/<id>` without a username)."""
    if not tweet_id:
        return None
    return f"https://x.com/{username or 'i/web'}/status/{tweet_id}"


def describe_columns(columns: Sequence[str], limit: int = 40) -> str:
    """`"columns: a, b, c"`, shortened for very wide tables."""
    if not columns:
        return "no columns found"
    shown = ", ".join(repr(c) for c in columns[:limit])
    more = f" and {len(columns) - limit} more" if len(columns) > limit else ""
    return f"columns: {shown}{more}"


def find_column(columns: Sequence[str], candidates: Sequence[str]) -> str | None:
    """The first candidate (in candidate order) that names a column, compared case-insensitively."""
    by_name: dict[str, str] = {}
    for column in columns:
        by_name.setdefault(normalize_name(column), column)
    for candidate in candidates:
        if candidate in by_name:
            return by_name[candidate]
    return None


def resolve_column(columns: Sequence[str], wanted: str, what: str) -> str:
    """The column the caller named (exact, then case-insensitive); ShapeError listing the columns."""
    if wanted in columns:
        return wanted
    for same in (
        lambda c: c.lower() == wanted.lower(),
        lambda c: normalize_name(c) == normalize_name(wanted),
    ):
        matches = [c for c in columns if same(c)]
        if matches:
            return matches[0]
    raise ShapeError(f"{what} column {wanted!r} not found; {describe_columns(columns)}")


def _tokens(column: str) -> frozenset[str]:
    return frozenset(normalize_name(column).split("_"))


def is_reference_column(column: str) -> bool:
    """Columns named like author/user/account/page, url/link/permalink, date/time/created/posted, platform."""
    tokens = _tokens(column)
    return bool(tokens & _REF_WORDS) and not tokens & _NOT_REF_WORDS


def _pick(columns: Sequence[str], names: Sequence[str], words: frozenset[str]) -> str | None:
    found = find_column(columns, names)
    if found is not None:
        return found
    for column in columns:
        tokens = _tokens(column)
        if tokens & words and not tokens & _NOT_REF_WORDS and "id" not in tokens:
            return column
    return None


def _author_value(value: Any) -> str | None:
    """An author column may hold a nested user object (JSON): take its handle."""
    if isinstance(value, dict):
        for key in ("username", "screen_name", "handle", "name", "id"):
            found = as_str(value.get(key))
            if found:
                return found
        return None
    return _str(value)


def _get_loose(mapping: Mapping[str, Any], names: Sequence[str]) -> tuple[str | None, Any]:
    """The (key, value) of the first of `names` present in `mapping`, ignoring case and separators."""
    keys: dict[str, str] = {}
    for key in mapping:
        if isinstance(key, str):
            keys.setdefault(_loose(key), key)
    for name in names:
        key = keys.get(name)
        if key is not None:
            return key, mapping[key]
    return None, None


def _first_text(mapping: Mapping[str, Any], names: Sequence[str]) -> tuple[str | None, Any]:
    """The first non-blank text among `names`; else the first one present (maybe blank); else None."""
    first: tuple[str | None, Any] = (None, None)
    for name in names:
        key, value = _get_loose(mapping, (name,))
        if key is None:
            continue
        if isinstance(value, str) and value.strip():
            return key, value
        if first[0] is None:
            first = (key, value)
    return first


def _union_keys(records: Iterable[Any]) -> list[str]:
    keys: dict[str, None] = {}
    for record in records:
        if isinstance(record, dict):
            for key in record:
                if isinstance(key, str):
                    keys.setdefault(key, None)
    return list(keys)


def _empty_fields(platform: str | None) -> dict[str, Any]:
    return {"author": None, "url": None, "posted_at": None, "platform": platform}


# --------------------------------------------------------------------------------------------------
# Shapes


class Shape:
    """Maps one source record onto FeedRow parts. `one_to_one`: every record gives exactly one row."""

    name = "generic"
    platform: str | None = None
    one_to_one = True

    def __init__(self, text_column: str, id_column: str | None) -> None:
        self.text_column = text_column
        self.id_column = id_column

    def row(self, record: Any) -> Parsed:
        """The FeedRow parts of one record (shapes with `one_to_one`)."""
        raise NotImplementedError

    def rows(self, record: Any) -> Sequence[Parsed]:
        """The FeedRow parts of one record (one, or one per tweet for API v2 responses)."""
        return (self.row(record),)

    def needed_columns(self) -> list[str] | None:
        """The source columns this shape reads (lets Parquet read only those); None: all of them."""
        return None

    def empty_fields(self) -> dict[str, Any]:
        """`fields` of a record that could not be read at all."""
        return _empty_fields(self.platform)


class TableShape(Shape):
    """Flat records (CSV/TSV/XLSX/Parquet rows, JSON objects): generic tables and CrowdTangle CSVs."""

    def __init__(
        self,
        text_column: str,
        id_column: str | None,
        *,
        name: str = "generic",
        authors: Sequence[str] = (),
        url: str | None = None,
        posted_at: str | None = None,
        platform_column: str | None = None,
        platform: str | None = None,
        refs: Sequence[str] = (),
    ) -> None:
        super().__init__(text_column, id_column)
        self.name = name
        self.platform = platform
        self.authors = tuple(authors)
        self.url = url
        self.posted_at = posted_at
        self.platform_column = platform_column
        self.refs = tuple(r for r in refs if r not in ROLE_KEYS)

    def row(self, record: Any) -> Parsed:
        if not isinstance(record, Mapping):
            return (None, None, self.empty_fields(), "malformed record: expected an object")
        get = record.get
        author = None
        for column in self.authors:
            author = _author_value(get(column))
            if author:
                break
        url = _str(get(self.url)) if self.url else None
        platform = self.platform or (_str(get(self.platform_column)) if self.platform_column else None)
        fields: dict[str, Any] = {
            "author": author,
            "url": url,
            "posted_at": _str(get(self.posted_at)) if self.posted_at else None,
            "platform": platform or platform_from_url(url),
        }
        for column in self.refs:
            value = get(column)
            if value.__class__ is str:
                fields[column] = value
            elif not isinstance(value, _CONTAINERS):
                fields[column] = as_str(value)
        ident = self.id_column
        record_id = (fields[ident] if ident in fields else _str(get(ident))) if ident else None
        return (record_id, get(self.text_column), fields, None)

    def needed_columns(self) -> list[str]:
        wanted = [self.text_column, self.id_column, *self.authors, self.url, self.posted_at]
        wanted += [self.platform_column, *self.refs]
        return list(dict.fromkeys(c for c in wanted if c))


def table_shape(columns: Sequence[str], text_column: str | None, id_column: str | None) -> TableShape:
    """Shape of a flat source from its column names: CrowdTangle-style CSV or generic."""
    columns = list(columns)
    names = {normalize_name(c) for c in columns}

    def col(name: str) -> str | None:
        return find_column(columns, (name,))

    text = resolve_column(columns, text_column, "text") if text_column else None
    ident = resolve_column(columns, id_column, "id") if id_column else None
    crowdtangle = (
        "post_created" in names or "facebook_id" in names or {"page_name", "total_interactions"} <= names
    )
    platform = None
    if crowdtangle and "message" in names:
        platform = "facebook"
    elif crowdtangle and "description" in names and names & {"account", "user_name"}:
        platform = "instagram"  # CrowdTangle's Instagram export: the caption is in "Description"
    if platform is not None:
        text = text or col("message" if platform == "facebook" else "description")
        ident = ident or col("post_id") or col("url")
        authors = [c for c in (col("page_name"), col("account"), col("user_name")) if c]
        refs = [c for c in columns if c != text and is_reference_column(c)]
        refs += [c for c in (col("facebook_id"), col("post_id"), ident) if c]
        return TableShape(
            text or "Message",
            ident,
            name="facebook_csv",
            authors=authors,
            url=col("url"),
            posted_at=col("post_created"),
            platform=platform,
            refs=list(dict.fromkeys(refs)),
        )
    if text is None:
        text = find_column(columns, TEXT_CANDIDATES)
    if text is None:
        raise ShapeError(
            f"no text column found (looked for {', '.join(TEXT_CANDIDATES)}); {describe_columns(columns)}; "
            "pass text_column= to name it"
        )
    others = [c for c in columns if c != text]
    if ident is None:
        ident = find_column(others, ID_CANDIDATES)
    author = _pick(others, AUTHOR_NAMES, _AUTHOR_WORDS)
    url = _pick(others, URL_NAMES, _URL_WORDS)
    posted_at = _pick(others, DATE_NAMES, _DATE_WORDS)
    platform_column = _pick(others, PLATFORM_NAMES, frozenset({"platform"}))
    refs = [c for c in others if c == ident or c in (author, url, posted_at, platform_column)]
    refs += [c for c in others if is_reference_column(c)]
    return TableShape(
        text,
        ident,
        authors=[author] if author else [],
        url=url,
        posted_at=posted_at,
        platform_column=platform_column,
        refs=list(dict.fromkeys(refs)),
    )


class XApiV2Shape(Shape):
    """X/Twitter API v2: responses `{"data": [tweet, ...], "includes": {"users": [...]}}` or bare tweets."""

    name = "x_api_v2"
    platform = "x"
    one_to_one = False  # a response line holds many tweets

    def __init__(
        self, text_override: str | None, id_override: str | None, users: dict[str, str] | None = None
    ) -> None:
        super().__init__(text_override or "text", id_override or "id")
        self.text_override = text_override
        self.users = users or {}

    def rows(self, record: Any) -> Sequence[Parsed]:
        if not isinstance(record, dict):
            return ((None, None, self.empty_fields(), "malformed tweet: expected a JSON object"),)
        if not is_v2_response(record):
            return (self._tweet(record, self.users),)
        users = self.users
        if isinstance(record.get("includes"), dict):
            users = {**users, **v2_users(record["includes"])}
        data = record.get("data")
        tweets = [data] if isinstance(data, dict) else data if isinstance(data, list) else []
        if not tweets:
            errors = record.get("errors")
            if errors:
                return (
                    (None, None, self.empty_fields(), f"API response without tweets: {_api_error(errors)}"),
                )
            return ()
        return [self._tweet(tweet, users) for tweet in tweets]

    def _tweet(self, tweet: Any, users: dict[str, str]) -> Parsed:
        if not isinstance(tweet, dict):
            return (None, None, self.empty_fields(), "malformed tweet: expected a JSON object")
        tweet_id = as_str(tweet.get(self.id_column or "id"))
        if self.text_override:
            text = tweet.get(self.text_override)
        else:
            note = tweet.get("note_tweet")  # the full text of a long post; `text` is cut at 280
            text = note.get("text") if isinstance(note, dict) else None
            if not (isinstance(text, str) and text.strip()):
                text = tweet.get("text")
            if isinstance(text, str):
                text = unescape_x(text)
        author_id = as_str(tweet.get("author_id"))
        username = users.get(author_id) if author_id else None
        if not username and isinstance(tweet.get("author"), dict):  # twarc2 "flattened" tweets
            username = as_str(tweet["author"].get("username"))
        created = as_str(tweet.get("created_at"))
        fields = {
            "author": username or author_id,
            "url": x_status_url(username, tweet_id),
            "posted_at": created,
            "platform": "x",
            "id": tweet_id,
            "author_id": author_id,
            "created_at": created,
        }
        return (tweet_id, text, fields, None)


def v2_users(includes: Any) -> dict[str, str]:
    """`includes.users` of an API v2 response as author_id -> username."""
    users = includes.get("users") if isinstance(includes, dict) else None
    out: dict[str, str] = {}
    for user in users if isinstance(users, list) else ():
        if isinstance(user, dict) and user.get("id") is not None and user.get("username"):
            out[str(user["id"])] = str(user["username"])
    return out


def _api_error(errors: Any) -> str:
    first = errors[0] if isinstance(errors, list) and errors else errors
    if isinstance(first, dict):
        return str(first.get("detail") or first.get("title") or first.get("message") or first)[:300]
    return str(first)[:300]


_V2_TWEET_KEYS = frozenset(
    {
        "author_id",
        "edit_history_tweet_ids",
        "conversation_id",
        "note_tweet",
        "public_metrics",
        "referenced_tweets",
    }
)


def is_v2_tweet(record: Any) -> bool:
    """A bare API v2 tweet object (as in `data`, or one per line in some JSONL dumps)."""
    return (
        isinstance(record, dict)
        and "id" in record
        and "text" in record
        and "full_text" not in record
        and "id_str" not in record
        and bool(_V2_TWEET_KEYS & record.keys())
    )


def is_v2_response(record: Any) -> bool:
    """An API v2 response object: `data` holds tweet(s), or it only reports errors / an empty result."""
    if not isinstance(record, dict) or "id" in record:
        return False
    data = record.get("data")
    if isinstance(data, dict):
        return "id" in data and "text" in data
    if isinstance(data, list):
        head = data[0] if data else None
        if head is None:
            return "meta" in record or "includes" in record
        return isinstance(head, dict) and "id" in head and "text" in head
    return data is None and ("errors" in record or "meta" in record) and "title" not in record


class XArchiveShape(Shape):
    """X archive `tweets.js`: `window.YTD.tweets.part0 = [{"tweet": {"id_str", "full_text", ...}}, ...]`."""

    name = "x_archive"
    platform = "x"

    def __init__(self, text_override: str | None, id_override: str | None) -> None:
        super().__init__(text_override or "full_text", id_override or "id_str")
        self.text_override = text_override
        self.id_override = id_override

    def row(self, record: Any) -> Parsed:
        tweet = record.get("tweet") if isinstance(record, dict) else None
        if not isinstance(tweet, dict):
            tweet = record
        if not isinstance(tweet, dict):
            return (None, None, self.empty_fields(), "malformed tweet: expected a JSON object")
        if self.id_override:
            tweet_id = as_str(tweet.get(self.id_override))
        else:
            tweet_id = as_str(tweet.get("id_str") if tweet.get("id_str") is not None else tweet.get("id"))
        if self.text_override:
            text = tweet.get(self.text_override)
        else:
            text = tweet.get("full_text") if "full_text" in tweet else tweet.get("text")
            text = unescape_x(text) if isinstance(text, str) else text
        user = tweet.get("user")
        author = as_str(user.get("screen_name")) if isinstance(user, dict) else None
        created = as_str(tweet.get("created_at"))
        fields = {
            "author": author,
            "url": x_status_url(author, tweet_id),
            "posted_at": twitter_date_to_iso(created),
            "platform": "x",
            "id_str": tweet_id,
            "created_at": created,
        }
        return (tweet_id, text, fields, None)


def _archive_inner(record: Any) -> Any:
    return record["tweet"] if isinstance(record, dict) and isinstance(record.get("tweet"), dict) else record


class InstagramShape(Shape):
    """Instagram data download: posts/reels/stories (`media` lists with `title`) and comments
    (`string_map_data`). Texts are repaired from mojibake; Unix timestamps become ISO 8601 UTC."""

    name = "instagram_download"
    platform = "instagram"

    def __init__(self, text_override: str | None, id_override: str | None, comments: bool) -> None:
        super().__init__(
            text_override or ("string_map_data.Comment.value" if comments else "title"), id_override
        )
        self.text_override = text_override

    def row(self, record: Any) -> Parsed:
        if not isinstance(record, dict):
            return (None, None, self.empty_fields(), "malformed item: expected a JSON object")
        if "string_map_data" in record:
            text, stamp, fields = self._comment(record)
        else:
            text, stamp, fields = self._post(record)
        if self.text_override:
            text = record.get(self.text_override)
        if isinstance(text, str):
            text = repair_mojibake(text)
        fields["posted_at"] = unix_to_iso(stamp)
        record_id = as_str(record.get(self.id_column)) if self.id_column else None
        return (record_id, text, fields, None)

    def _post(self, record: dict[str, Any]) -> tuple[Any, Any, dict[str, Any]]:
        media = record.get("media")
        items = [m for m in media if isinstance(m, dict)] if isinstance(media, list) else []
        if not items and "uri" in record:  # stories and other single-media items
            items = [record]
        text: Any = record.get("title")
        if not (isinstance(text, str) and text.strip()):
            for item in items:
                title = item.get("title")
                if isinstance(title, str) and title.strip():
                    text = title
                    break
                if text is None and "title" in item:
                    text = title
        stamp = record.get("creation_timestamp")
        if stamp is None and items:
            stamp = items[0].get("creation_timestamp")
        fields = _empty_fields("instagram")
        fields["kind"] = "post"
        fields["uri"] = as_str(items[0].get("uri")) if items else None
        fields["creation_timestamp"] = as_str(stamp)
        return text, stamp, fields

    def _comment(self, record: dict[str, Any]) -> tuple[Any, Any, dict[str, Any]]:
        text: Any = None
        stamp: Any = None
        owner: Any = None
        data = record.get("string_map_data")
        if isinstance(data, dict):
            _, entry = _get_loose(data, ("comment", "komentar", "text"))
            text = entry.get("value") if isinstance(entry, dict) else None
            _, entry = _get_loose(data, ("mediaowner", "pemilikmedia", "owner"))
            owner = entry.get("value") if isinstance(entry, dict) else None
            _, entry = _get_loose(data, ("time", "waktu", "timestamp"))
            stamp = entry.get("timestamp") if isinstance(entry, dict) else None
            if stamp is None:
                stamp = next(
                    (e["timestamp"] for e in data.values() if isinstance(e, dict) and "timestamp" in e), None
                )
        fields = _empty_fields("instagram")
        fields["kind"] = "comment"
        fields["media_owner"] = repair_mojibake(owner) if isinstance(owner, str) else as_str(owner)
        fields["creation_timestamp"] = as_str(stamp)
        return text, stamp, fields


def is_instagram_item(record: Any, container: str | None = None) -> bool:
    """An item of an Instagram download (a post with `media`, a media item, or a comment)."""
    if not isinstance(record, dict):
        return False
    if isinstance(record.get("media"), list) or isinstance(record.get("string_map_data"), dict):
        return True
    if "uri" in record and "creation_timestamp" in record:
        return True
    return bool(container and container.startswith(("ig_", "comments_")) and "title" in record)


_TIKTOK_GROUPS = (
    (
        "video",
        ("video", "videos", "post", "posts"),
        ("videos", "posts", "video", "post"),
        ("videolist", "postlist", "videos", "posts", "list"),
    ),
    (
        "comment",
        ("comment", "comments"),
        ("comments", "comment"),
        ("commentslist", "commentlist", "comments", "list"),
    ),
)
_TIKTOK_VIDEO_TEXT = ("title", "desc", "description", "caption", "videodescription", "text")
_TIKTOK_COMMENT_TEXT = ("comment", "comments", "text", "content")


def tiktok_records(document: Any) -> list[tuple[str, Any]] | None:
    """The videos and comments of a TikTok `user_data.json`, in document order, or None if it is not one.

    Keys are matched leniently (case, spaces): `Video.Videos.VideoList`, `Comment.Comments.CommentsList`,
    and the newer `Post.Posts.VideoList`."""
    if not isinstance(document, dict):
        return None
    found: list[tuple[str, Any]] = []
    seen = False
    for key, value in document.items():
        if not isinstance(key, str) or not isinstance(value, dict):
            continue
        for kind, tops, middles, lists in _TIKTOK_GROUPS:
            if _loose(key) not in tops:
                continue
            _, middle = _get_loose(value, middles)
            if not isinstance(middle, dict):
                continue
            _, items = _get_loose(middle, lists)
            if isinstance(items, list):
                seen = True
                found.extend((kind, item) for item in items)
            elif items is None and _get_loose(middle, lists)[0] is not None:
                seen = True  # "VideoList": null when there are none
    return found if seen else None


class TikTokShape(Shape):
    """TikTok `user_data.json`: records are `(kind, item)` with kind "video" or "comment"."""

    name = "tiktok_download"
    platform = "tiktok"

    def __init__(self, text_override: str | None, id_override: str | None) -> None:
        super().__init__(text_override or "VideoList[].Title|Desc, CommentsList[].Comment", id_override)
        self.text_override = text_override

    def row(self, record: Any) -> Parsed:
        kind, item = record if isinstance(record, tuple) else ("video", record)
        if not isinstance(item, dict):
            return (None, None, self.empty_fields(), f"malformed {kind}: expected a JSON object")
        if self.text_override:
            text = item.get(self.text_override)
        else:
            text = _first_text(item, _TIKTOK_VIDEO_TEXT if kind == "video" else _TIKTOK_COMMENT_TEXT)[1]
        link_key, link = _get_loose(item, ("link", "url", "videolink", "sharelink"))
        date_key, when = _get_loose(item, ("date", "time", "createtime", "createdat"))
        link_text, when_text = as_str(link) or None, as_str(when)
        if self.id_column:
            record_id = as_str(item.get(self.id_column))
        else:
            match = _TIKTOK_VIDEO_ID.search(link_text or "")
            record_id = match.group(1) if match else None
        posted_at = (
            when_text.replace(" ", "T") if when_text and _PLAIN_DATETIME.match(when_text) else when_text
        )
        fields = {
            "author": None,
            "url": link_text,
            "posted_at": posted_at,
            "platform": "tiktok",
            "kind": kind,
        }
        if link_key:
            fields[link_key] = as_str(link)
        if date_key:
            fields[date_key] = when_text
        return (record_id, text, fields, None)


# --------------------------------------------------------------------------------------------------
# Detection


def _check_override(keys: Sequence[str], wanted: str | None, what: str) -> str | None:
    if wanted is None or not keys:
        return wanted
    return resolve_column(keys, wanted, what)


def record_shape(
    sample: Sequence[Any],
    *,
    container: str | None = None,
    prefix: str | None = None,
    members: Mapping[str, Any] | None = None,
    text_column: str | None = None,
    id_column: str | None = None,
) -> Shape:
    """Shape of JSON/JSONL records from the first records (`sample`), the key of the array they come from
    (`container`), a JavaScript prefix (`window.YTD.tweets.part0 = `) and the members read before it."""
    members = members or {}
    records = [r for r in sample[:_SAMPLE_LIMIT] if isinstance(r, dict)]
    first = records[0] if records else None
    archive_prefix = bool(prefix and "YTD." in prefix and "tweet" in prefix.lower())
    if archive_prefix or (first is not None and isinstance(first.get("tweet"), dict)):
        keys = _union_keys(_archive_inner(r) for r in records)
        return XArchiveShape(
            _check_override(keys, text_column, "text"), _check_override(keys, id_column, "id")
        )
    if first is not None and (
        is_v2_response(first)
        or is_v2_tweet(first)
        or (container == "data" and "id" in first and "text" in first)
    ):
        tweets: list[Any] = []
        for record in records:
            if is_v2_response(record):
                data = record.get("data")
                tweets += [data] if isinstance(data, dict) else data if isinstance(data, list) else []
            else:
                tweets.append(record)
        keys = _union_keys(tweets)
        return XApiV2Shape(
            _check_override(keys, text_column, "text"),
            _check_override(keys, id_column, "id"),
            v2_users(members.get("includes")),
        )
    if first is not None and is_instagram_item(first, container):
        keys = _union_keys(records)
        comments = "string_map_data" in first
        return InstagramShape(
            _check_override(keys, text_column, "text"), _check_override(keys, id_column, "id"), comments
        )
    if not records:  # nothing readable in the first records: every row will carry its own error
        return TableShape(text_column or "text", id_column)
    return table_shape(_union_keys(records), text_column, id_column)


def _first_record_list(value: Any, depth: int = 0) -> tuple[str, list[Any]] | None:
    """The first array of objects nested in a document (depth-first, a few levels deep)."""
    if depth > 4 or not isinstance(value, dict):
        return None
    for key, member in value.items():
        if isinstance(member, list) and member and isinstance(member[0], dict):
            return str(key), member
    for member in value.values():
        found = _first_record_list(member, depth + 1)
        if found:
            return found
    return None


def document_shape(
    document: dict[str, Any], *, text_column: str | None = None, id_column: str | None = None
) -> tuple[Shape, Sequence[Any]]:
    """Shape and records of a JSON object that holds no top-level array of objects to stream:
    a TikTok download, an API v2 response with one tweet, a deeper nesting, or a single record."""
    tiktok = tiktok_records(document)
    if tiktok is not None:
        keys = _union_keys(item for _, item in tiktok)
        shape = TikTokShape(
            _check_override(keys, text_column, "text"), _check_override(keys, id_column, "id")
        )
        return shape, tiktok
    if is_v2_response(document):
        data = document.get("data")
        tweets = [data] if isinstance(data, dict) else data if isinstance(data, list) else []
        keys = _union_keys(tweets)
        shape = XApiV2Shape(
            _check_override(keys, text_column, "text"),
            _check_override(keys, id_column, "id"),
            v2_users(document.get("includes")),
        )
        if not tweets and document.get("errors"):
            return shape, [document]  # reported as one error row
        return shape, tweets
    found = _first_record_list(document)
    if found is not None:
        key, records = found
        shape = record_shape(
            records, container=key, members=document, text_column=text_column, id_column=id_column
        )
        return shape, records
    return record_shape([document], text_column=text_column, id_column=id_column), [document]
