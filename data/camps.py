"""Finding and swapping the 'camp' markers of a post: ballot numbers and contestant names.

Used by the validator (each ballot number must be as common in neutral as in partisan posts), by the
name/number-swap augmentation and by the camp-symmetry check of every trained model.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass

NUMBER_WORDS = {"satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6}
WORD_FOR = {v: k for k, v in NUMBER_WORDS.items()}
KEYCAP = "\ufe0f?\u20e3"

_BALLOT = re.compile(
    r"(?ix)"
    r"(?:\b(?:no|nomor|nomer|nmr|nomor\s+urut|no\.?\s*urut|paslon|pasangan|urut|calon|caleg|capres|cabup|"
    r"cawalkot|cagub|kades|cakades)\.?\s*(?:no\.?\s*|nomor\s+|urut\s+)?(?P<a>0?[1-6])\b)"
    r"|(?:\b0(?P<b>[1-6])\b)"
    r"|(?:(?<![0-9])(?P<c>[1-6])" + KEYCAP + r")"
    r"|(?:\bsalam\s+(?P<d>satu|dua|tiga|empat|lima|enam)\s+jari\b)"
    r"|(?:\b(?P<e>satu|dua|tiga|empat|lima|enam)\s+jari\b)"
)

_HONORIFIC = (
    r"Pak|Bu|Bapak|Ibu|Mas|Mbak|Bang|Kak|Cak|Ning|Daeng|Uda|Uni|Teh|Kang|Akang|Ceu|Bli|Ompung|Opung|"
    r"Amang|Inang|Lae|Ito|Abang|Om|Tante|Kaka|Bung|Haji|Hj\.|H\.|Ir\.|Dr\.|Prof\."
)
_NAME = re.compile(
    r"(?:\b(?:" + _HONORIFIC + r")\s+)(?P<name>[A-Z][a-z]+(?:[ \-–][A-Z][a-z]+)?)"
    r"|(?:\b[Pp]artai\s+(?P<party>[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2}))"
)


# Words after an honorific that name a role, not a person: "Pak Camat", "Bu Guru", "Bu Hj. ...".
# fmt: off
ROLE_WORDS = frozenset((
    "camat", "lurah", "kades", "bupati", "wabup", "walikota", "wakil", "gubernur", "presiden", "guru",
    "dokter", "bidan", "kepala", "kadis", "sekda", "sekdes", "kapolsek", "danramil", "rt", "rw", "ketua",
    "dosen", "ustadz", "ustad", "kyai", "haji", "hj", "menteri", "dewan", "direktur", "kasi", "kabid",
    "kasubag", "kepsek", "pj", "plt", "kadus", "kapolres", "dandim", "pimpinan", "pengawas", "ketum", "caleg",
))
# fmt: on


@dataclass(frozen=True)
class Marker:
    start: int
    end: int
    kind: str  # "number" | "name" | "party"
    value: str


_CANDIDATE = re.compile(
    r"(?<![0-9])(?P<zero>0?)(?P<digit>[1-6])(?P<keycap>" + KEYCAP + r")?(?![0-9])"
    r"|\b(?P<word>satu|dua|tiga|empat|lima|enam)\s+jari\b",
    re.IGNORECASE,
)
_KEYWORD_BEFORE = re.compile(
    r"(?i)\b(?:no|nomor|nomer|nmr|nomor\s+urut|no\.?\s*urut|paslon|pasangan|urut|calon|caleg|capres|cabup|"
    r"cawalkot|cagub|kades|cakades)\.?\s*(?:no\.?\s*|nomor\s+|urut\s+)?$"
)


def ballot_numbers(text: str) -> list[Marker]:
    """Ballot-number mentions (1-6) in their many written forms: "no 2", "nomor urut 3", "paslon 01",
    "02", "3️⃣", "salam dua jari". Candidates are found first, then checked against their context."""
    out: list[Marker] = []
    for m in _CANDIDATE.finditer(text):
        if m.group("word"):
            out.append(
                Marker(m.start("word"), m.end("word"), "number", str(NUMBER_WORDS[m.group("word").lower()]))
            )
            continue
        start, end = m.start("digit"), m.end("digit")
        follows = text[end : end + 1] if not m.group("keycap") else ""
        if follows and (follows.isalnum() or follows == "_"):
            continue  # "2an", "3x": not a standalone number
        if m.group("keycap"):
            out.append(Marker(start, end, "number", m.group("digit")))
        elif m.group("zero"):
            before = text[m.start() - 1 : m.start()] if m.start() else ""
            if not (before.isalnum() or before == "_") or _KEYWORD_BEFORE.search(
                text, max(0, m.start() - 40), m.start()
            ):
                out.append(Marker(m.start(), end, "number", m.group("digit")))
        elif _KEYWORD_BEFORE.search(text, max(0, start - 40), start):
            out.append(Marker(start, end, "number", m.group("digit")))
    return out


def contestant_names(text: str) -> list[Marker]:
    """Capitalised names after an honorific, and party names ('Partai Suara Rakyat')."""
    out = []
    for m in _NAME.finditer(text):
        if m.group("name"):
            if m.group("name").split()[0].split("-")[0].lower() in ROLE_WORDS:
                continue
            out.append(Marker(m.start("name"), m.end("name"), "name", m.group("name")))
        else:
            out.append(Marker(m.start("party"), m.end("party"), "party", m.group("party")))
    return out


def markers(text: str) -> list[Marker]:
    return sorted(ballot_numbers(text) + contestant_names(text), key=lambda m: m.start)


SWAP_NAMES = (
    "Suryadi",
    "Kartika",
    "Wirawan",
    "Sulastri",
    "Baharuddin",
    "Yohana",
    "Marpaung",
    "Rahmawati",
    "Gunadi",
    "Fitriani",
    "Lukman",
    "Sitompul",
    "Mardiana",
    "Tanjung",
    "Wulandari",
    "Hamzah",
)
SWAP_PARTIES = ("Harapan Nusantara", "Karya Mandiri", "Rakyat Bersatu", "Bintang Timur", "Cahaya Bangsa")


def swap_camps(
    text: str,
    rng: random.Random,
    names: Iterator[str] | None = None,
    parties: Iterator[str] | None = None,
) -> str:
    """Replace every ballot number by another one and every name/party by another invented one.

    The same original value maps to the same replacement within a post, and written forms are kept
    ("02" stays two digits, "dua jari" stays a word, keycaps stay keycaps). `names`/`parties` give the
    replacements in turn (the corpus builder rotates them per label so that no swap name leans to one
    label); without them they are drawn from `rng`."""
    found = markers(text)
    if not found:
        return text
    numbers = sorted({m.value for m in found if m.kind == "number"})
    pool = [n for n in range(1, 7)]
    number_map = {}
    for value in numbers:
        choices = [n for n in pool if str(n) != value] or pool
        number_map[value] = rng.choice(choices)
    name_map: dict[str, str] = {}
    pieces = []
    cursor = 0
    for m in found:
        if m.start < cursor:
            continue
        original = text[m.start : m.end]
        if m.kind == "number":
            new = number_map[m.value]
            if original.isalpha():
                replacement = WORD_FOR[new]
                replacement = replacement.capitalize() if original[0].isupper() else replacement
            else:
                replacement = str(new).rjust(len(original), "0")
        else:
            if original not in name_map:
                source = parties if m.kind == "party" else names
                pool_names = SWAP_PARTIES if m.kind == "party" else SWAP_NAMES
                picked = next(source) if source is not None else rng.choice(pool_names)
                name_map[original] = (
                    picked if picked != original else rng.choice([n for n in pool_names if n != original])
                )
            replacement = name_map[original]
        pieces.append(text[cursor : m.start])
        pieces.append(replacement)
        cursor = m.end
    pieces.append(text[cursor:])
    return "".join(pieces)
