"""Programmatic augmentation of written posts: typos, abbreviations, emoji, name/number swaps.

Every augmented row names its method and parent in `origin` (`augmented:<method>:<parent id>`) and
stays in its parent's split. Augmentations are deterministic: the same parent gives the same rows.
"""

from __future__ import annotations

import hashlib
import random
import re
from typing import Any

from netra.data.camps import markers, swap_camps

SLANG = {
    "yang": "yg",
    "tidak": "gak",
    "dengan": "dgn",
    "untuk": "utk",
    "saya": "sy",
    "sudah": "udah",
    "banget": "bgt",
    "juga": "jg",
    "karena": "krn",
    "tapi": "tp",
    "belum": "blm",
    "bisa": "bs",
    "lagi": "lg",
    "orang": "org",
    "kalau": "kalo",
    "jangan": "jgn",
    "dari": "dr",
    "sama": "sm",
    "sekarang": "skrg",
    "semoga": "smg",
    "terima kasih": "makasih",
    "bagaimana": "gmn",
    "teman-teman": "temen2",
    "bapak": "bpk",
    "dalam": "dlm",
    "pada": "pd",
    "saja": "aja",
}
EMOJI = ("🙏", "😊", "👍", "🔥", "💪", "😅", "🤲", "✨", "😂", "🇮🇩", "📢", "👏")
_WORD = re.compile(r"[A-Za-z]{4,}")


def _rng(parent_id: str, method: str) -> random.Random:
    return random.Random(int(hashlib.sha256(f"{parent_id}:{method}".encode()).hexdigest()[:12], 16))


def typo(text: str, rng: random.Random) -> str:
    words = list(_WORD.finditer(text))
    if not words:
        return text
    chars = list(text)
    for m in sorted(rng.sample(words, min(len(words), rng.randint(1, 3))), key=lambda m: -m.start()):
        i = rng.randrange(m.start() + 1, m.end() - 1)
        op = rng.choice(("swap", "drop", "double"))
        if op == "swap":
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        elif op == "drop":
            del chars[i]
        else:
            chars.insert(i, chars[i])
    return "".join(chars)


def slang(text: str, rng: random.Random) -> str:
    out = text
    for formal, short in SLANG.items():
        pattern = re.compile(rf"\b{re.escape(formal)}\b", re.IGNORECASE)
        out = pattern.sub(lambda m, s=short: s if rng.random() < 0.8 else m.group(), out)
    return out


def emoji(text: str, rng: random.Random) -> str:
    added = "".join(rng.sample(EMOJI, rng.randint(1, 3)))
    return f"{text.rstrip()} {added}" if rng.random() < 0.7 else f"{added} {text}"


def swap(text: str, rng: random.Random, names=None, parties=None) -> str:
    return swap_camps(text, rng, names, parties)


METHODS = {"typo": typo, "slang": slang, "emoji": emoji, "swap": swap}


def augment_row(row: dict[str, Any], method: str, **kwargs: Any) -> dict[str, Any] | None:
    """One augmented copy of a written row, or None when the method does not apply.
    `kwargs` go to the method (the swap's name rotations)."""
    if method == "swap" and not markers(row["text"]):
        return None
    text = METHODS[method](row["text"], _rng(row["id"], method), **kwargs)
    if text == row["text"]:
        return None
    out = dict(row)
    out.update(id=f"{row['id']}-{method}", text=text, origin=f"augmented:{method}:{row['id']}")
    if method == "slang":
        out["register"] = "slang"
    return out
