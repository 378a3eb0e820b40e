"""Text normalisation for Indonesian social-media posts, with a map back to the original characters.

Training and serving call the same `Normalizer`; its `version` is stored in every model folder so a
model is never served with a different normalisation than it was trained with.

What it does (version 1):
- URLs become the token ``tautan``; @mentions become ``@akun`` (account names carry no stance and
  often name a camp);
- hashtags are kept as ``#`` plus their words split ("#ASNNetral" -> "# asn netral");
- letters repeated three or more times are collapsed ("bangeeettt" -> "banget");
- common abbreviations are expanded (yg -> yang, gk -> tidak, bgt -> banget, dgn -> dengan, ...);
- emoji and other symbols are kept, each as its own token;
- camp markers are masked so that no model can key on a particular camp: ballot numbers 1-6 in a
  ballot context become ``<nomor>`` and contestant names after an honorific ("Pak Darmo") or after
  "Partai" become ``<nama>``/``<partai>``; role words ("Pak Camat", "Bu Guru") are kept.
- everything is lower-cased.

Every normalised token remembers the character span of the original text it came from, so evidence
found in the normalised text is reported with offsets into the original.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from netra.data.camps import ROLE_WORDS, ballot_numbers, contestant_names

NORMALIZER_VERSION = "1"

ABBREVIATIONS: dict[str, str] = {
    "yg": "yang",
    "yng": "yang",
    "gk": "tidak",
    "ga": "tidak",
    "gak": "tidak",
    "nggak": "tidak",
    "ngga": "tidak",
    "enggak": "tidak",
    "tdk": "tidak",
    "tak": "tidak",
    "kagak": "tidak",
    "g": "tidak",
    "bgt": "banget",
    "bngt": "banget",
    "dgn": "dengan",
    "dg": "dengan",
    "utk": "untuk",
    "untk": "untuk",
    "sy": "saya",
    "sya": "saya",
    "aq": "aku",
    "ak": "aku",
    "gw": "gue",
    "gua": "gue",
    "lu": "lo",
    "aja": "saja",
    "aj": "saja",
    "dr": "dari",
    "krn": "karena",
    "karna": "karena",
    "tp": "tapi",
    "jg": "juga",
    "sdh": "sudah",
    "udh": "sudah",
    "udah": "sudah",
    "dah": "sudah",
    "blm": "belum",
    "blum": "belum",
    "bs": "bisa",
    "lg": "lagi",
    "org": "orang",
    "klo": "kalau",
    "kalo": "kalau",
    "kl": "kalau",
    "jgn": "jangan",
    "pd": "pada",
    "dlm": "dalam",
    "sm": "sama",
    "skrg": "sekarang",
    "skg": "sekarang",
    "bpk": "bapak",
    "bp": "bapak",
    "ibu2": "ibu",
    "bu2": "ibu",
    "msh": "masih",
    "smg": "semoga",
    "smoga": "semoga",
    "trs": "terus",
    "trus": "terus",
    "gmn": "bagaimana",
    "gimana": "bagaimana",
    "bgmn": "bagaimana",
    "knp": "kenapa",
    "dpt": "dapat",
    "hrs": "harus",
    "mrk": "mereka",
    "kmrn": "kemarin",
    "kmarin": "kemarin",
    "bsk": "besok",
    "sblm": "sebelum",
    "stlh": "setelah",
    "spt": "seperti",
    "kyk": "kayak",
    "kyak": "kayak",
    "tmn": "teman",
    "tmn2": "teman",
    "temen": "teman",
    "temen2": "teman",
    "sampe": "sampai",
    "smp": "sampai",
    "ato": "atau",
    "atw": "atau",
    "ttg": "tentang",
    "bnyk": "banyak",
    "byk": "banyak",
    "sll": "selalu",
    "slalu": "selalu",
    "mkn": "makan",
    "mnrt": "menurut",
    "sbg": "sebagai",
    "kpd": "kepada",
    "dri": "dari",
    "pny": "punya",
    "nyoblos": "coblos",
    "nyoblosnya": "coblos",
    "milih": "memilih",
    "plis": "tolong",
    "pls": "tolong",
    "thx": "terima kasih",
    "makasih": "terima kasih",
    "mksh": "terima kasih",
    "trims": "terima kasih",
    "otw": "menuju",
    "bund": "bunda",
    "gaes": "teman",
    "guys": "teman",
    "gais": "teman",
    "bro": "teman",
    "sis": "teman",
    "jd": "jadi",
    "jdi": "jadi",
    "dl": "dulu",
    "dlu": "dulu",
    "lbh": "lebih",
    "kbr": "kabar",
    "info2": "info",
    "sgt": "sangat",
    "bkn": "bukan",
    "pemilu2": "pemilu",
}

MASKS = ("<nomor>", "<nama>", "<partai>")
_TOKEN = re.compile(r"<(?:nomor|nama|partai)>|https?://\S+|\bwww\.\S+|(?<!\w)@[\w.]+|#\w+|\w+(?:[-']\w+)*|\S")
_OPAQUE = re.compile(r"https?://\S+|\bwww\.\S+|(?<!\w)@[\w.]+|#\w+")
_REPEAT = re.compile(r"(\w)\1{2,}")
_CAMEL = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


class NormalizedText:
    """The normalised tokens of a post and, per token, the original character span it came from."""

    __slots__ = ("_starts", "_text", "spans", "tokens")

    def __init__(self, tokens: tuple[str, ...], spans: tuple[tuple[int, int], ...]) -> None:
        self.tokens = tokens
        self.spans = spans  # (start, end) in the original text, one per token
        self._text: str | None = None
        self._starts: tuple[int, ...] | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = " ".join(self.tokens)
        return self._text

    @property
    def token_starts(self) -> tuple[int, ...]:
        """Start of each token in `text`."""
        if self._starts is None:
            starts, cursor = [], 0
            for token in self.tokens:
                starts.append(cursor)
                cursor += len(token) + 1
            self._starts = tuple(starts)
        return self._starts


@lru_cache(maxsize=262_144)
def normalize_word(word: str) -> tuple[str, ...]:
    """A word's normalised token(s): lower case, repeats collapsed, abbreviations expanded."""
    lowered = _REPEAT.sub(r"\1", word.lower())
    if lowered.endswith("2") and lowered[:-1].isalpha() and len(lowered) > 2:
        lowered = lowered[:-1]  # reduplication: "teman2" -> "teman"
    return tuple(ABBREVIATIONS.get(lowered, lowered).split())


@lru_cache(maxsize=65_536)
def _hashtag_tokens(tag: str) -> tuple[str, ...]:
    parts = _CAMEL.findall(tag[1:]) or [tag[1:]]
    return ("#", *(t for p in parts for t in normalize_word(p)))


@lru_cache(maxsize=16_384)
def _symbol_tokens(char: str) -> tuple[str, ...]:
    if unicodedata.category(char) in ("Mn", "Cf", "Sk") or char in "\ufe0f\u200d":
        return ()  # variation selectors, joiners, skin tones: no token of their own
    return (char,)


@lru_cache(maxsize=262_144)
def token_output(token: str) -> tuple[str, ...]:
    """What one raw token (as `_TOKEN` cuts it) becomes: zero, one or more normalised tokens."""
    first = token[0]
    if len(token) == 1:
        return normalize_word(token) if first.isalnum() or first == "_" else _symbol_tokens(token)
    if first == "<" and token in MASKS:
        return (token,)
    if token.startswith(("http://", "https://", "www.")):
        return ("tautan",)
    if first == "@":
        return ("@akun",)
    if first == "#":
        return _hashtag_tokens(token)
    return normalize_word(token)


class Normalizer:
    """Deterministic, versioned normalisation shared by training and serving."""

    version = NORMALIZER_VERSION

    def __init__(self, mask_camps: bool = True) -> None:
        self.mask_camps = mask_camps

    def to_config(self) -> dict[str, object]:
        return {"version": self.version, "mask_camps": self.mask_camps}

    @classmethod
    def from_config(cls, config: dict[str, object]) -> Normalizer:
        version = str(config.get("version", NORMALIZER_VERSION))
        if version != NORMALIZER_VERSION:
            raise ValueError(
                f"model was trained with normaliser version {version}, this Netra has {NORMALIZER_VERSION}"
            )
        return cls(mask_camps=bool(config.get("mask_camps", True)))

    def __call__(self, text: str) -> str:
        return self.normalize(text).text

    def tokens(self, text: str) -> list[str]:
        """The normalised tokens only: the fast path for scoring."""
        masked = self._masked(text)[0] if self.mask_camps else text
        return [t for raw in _TOKEN.findall(masked) for t in token_output(raw)]

    def normalize(self, text: str) -> NormalizedText:
        """The normalised tokens with the original character span of each (for evidence)."""
        if self.mask_camps:
            masked, edits = self._masked(text)
        else:
            masked, edits = text, []
        tokens: list[str] = []
        spans: list[tuple[int, int]] = []
        k = 0  # the next edit (placeholder) not yet passed
        shift = 0  # original offset minus masked offset after the edits passed so far
        for match in _TOKEN.finditer(masked):
            out = token_output(match.group())
            if not out:
                continue
            start, end = match.span()
            if k < len(edits) and start >= edits[k][0]:
                # Tokens only start at an edit's placeholder or after it (it is surrounded by spaces).
                edit = edits[k]
                if start == edit[0]:
                    span = (edit[2], edit[3])
                    shift = edit[3] - edit[1] - 1  # the placeholder's trailing space
                    k += 1
                    tokens.extend(out)
                    spans.extend([span] * len(out))
                    continue
            span = (start + shift, end + shift)
            tokens.extend(out)
            if len(out) == 1:
                spans.append(span)
            else:
                spans.extend([span] * len(out))
        return NormalizedText(tuple(tokens), tuple(spans))

    @staticmethod
    @lru_cache(maxsize=8192)  # predict() masks every post, then again the flagged ones it explains
    def _masked(text: str) -> tuple[str, list[tuple[int, int, int, int]]]:
        """The text with camp markers replaced by placeholders, and the edits made:
        (masked start, masked end, original start, original end) of each placeholder."""
        regions: list[tuple[int, int, str]] = []
        for marker in ballot_numbers(text):
            start, end = marker.start, marker.end
            while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
                start -= 1  # the whole word: "no02" -> "<nomor>"
            while end < len(text) and (
                text[end].isalnum()
                or text[end] == "_"
                or (text[end] in "-'" and text[end + 1 : end + 2].isalnum())
            ):
                end += 1
            regions.append((start, end, "<nomor>"))
        for marker in contestant_names(text):
            end = marker.end
            if marker.kind == "name":
                for word in re.finditer(r"\w+", text[marker.start : marker.end]):
                    if word.start() and word.group().lower() in ROLE_WORDS:
                        end = marker.start + word.start()
                        break
                end = marker.start + len(text[marker.start : end].rstrip(" -–"))
            regions.append((marker.start, end, "<partai>" if marker.kind == "party" else "<nama>"))
        if not regions:
            return text, []
        # Markers inside a URL, mention or hashtag stay: those tokens are normalised as a whole.
        protected = [m.span() for m in _OPAQUE.finditer(text)]
        if protected:
            regions = [r for r in regions if not any(a <= r[0] < b for a, b in protected)]
        regions.sort()
        pieces: list[str] = []
        edits: list[tuple[int, int, int, int]] = []
        cursor = length = 0
        for start, end, placeholder in regions:
            if start < cursor:
                continue  # overlapping markers: the first wins
            pieces.append(text[cursor:start])
            length += start - cursor
            pieces.append(f" {placeholder} ")
            edits.append((length + 1, length + 1 + len(placeholder), start, end))
            length += len(placeholder) + 2
            cursor = end
        pieces.append(text[cursor:])
        return "".join(pieces), edits
