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
from dataclasses import dataclass

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

_TOKEN = re.compile(
    r"(?P<url>https?://\S+|\bwww\.\S+)"
    r"|(?P<mention>(?<!\w)@[\w.]+)"
    r"|(?P<hashtag>#\w+)"
    r"|(?P<word>\w+(?:[-']\w+)*)"
    r"|(?P<symbol>\S)",
    re.UNICODE,
)
_REPEAT = re.compile(r"(\w)\1{2,}")
_CAMEL = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


@dataclass(frozen=True)
class NormalizedText:
    """The normalised text and, per token, the original character span it came from."""

    text: str
    tokens: tuple[str, ...]
    token_starts: tuple[int, ...]  # start of each token in `text`
    spans: tuple[tuple[int, int], ...]  # (start, end) of each token's source in the original

    def original_span(self, start: int, end: int) -> tuple[int, int] | None:
        """Original (start, end) covering the normalised character range [start, end)."""
        hits = [
            self.spans[i]
            for i, s in enumerate(self.token_starts)
            if s < end and s + len(self.tokens[i]) > start
        ]
        if not hits:
            return None
        return min(h[0] for h in hits), max(h[1] for h in hits)


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

    def normalize(self, text: str) -> NormalizedText:
        masks = self._camp_masks(text) if self.mask_camps else {}
        tokens: list[str] = []
        spans: list[tuple[int, int]] = []
        for match in _TOKEN.finditer(text):
            start, end = match.span()
            kind = match.lastgroup
            masked = masks.get(start)
            if masked is not None and kind == "word":
                # A masked marker may be shorter than the word ("02" inside "no02"): mask the word.
                out = [masked] if masked else []
            elif kind == "url":
                out = ["tautan"]
            elif kind == "mention":
                out = ["@akun"]
            elif kind == "hashtag":
                out = ["#", *self._split_hashtag(match.group()[1:])]
            elif kind == "word":
                out = [self._word(match.group())]
            else:
                char = match.group()
                if unicodedata.category(char) in ("Mn", "Cf", "Sk") or char in "\ufe0f\u200d":
                    continue  # variation selectors, joiners: no token of their own
                out = [char]
            for piece in out:
                for sub in piece.split():
                    tokens.append(sub)
                    spans.append((start, end))
        starts: list[int] = []
        cursor = 0
        for token in tokens:
            starts.append(cursor)
            cursor += len(token) + 1
        return NormalizedText(" ".join(tokens), tuple(tokens), tuple(starts), tuple(spans))

    def _word(self, word: str) -> str:
        lowered = _REPEAT.sub(r"\1", word.lower())
        if lowered.endswith("2") and lowered[:-1].isalpha() and len(lowered) > 2:
            lowered = lowered[:-1]  # reduplication: "teman2" -> "teman"
        return ABBREVIATIONS.get(lowered, lowered)

    def _split_hashtag(self, body: str) -> list[str]:
        parts = _CAMEL.findall(body) or [body]
        return [self._word(p) for p in parts]

    def _camp_masks(self, text: str) -> dict[int, str]:
        """Start of each word to mask -> its replacement ("" drops the word: the rest of a long name)."""
        masks: dict[int, str] = {}
        for marker in ballot_numbers(text):
            masks[self._word_start(text, marker.start)] = "<nomor>"
        for marker in contestant_names(text):
            words = list(re.finditer(r"\w+", text[marker.start : marker.end]))
            replacement = "<partai>" if marker.kind == "party" else "<nama>"
            for i, word in enumerate(words):
                if marker.kind == "name" and word.group().lower() in ROLE_WORDS:
                    break
                masks[marker.start + word.start()] = replacement if i == 0 else ""
        return masks

    @staticmethod
    def _word_start(text: str, index: int) -> int:
        while index > 0 and (text[index - 1].isalnum() or text[index - 1] == "_"):
            index -= 1
        return index
