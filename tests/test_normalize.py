from __future__ import annotations

import random

from netra.data.camps import ballot_numbers, swap_camps
from netra.model.normalize import Normalizer, normalize_word

norm = Normalizer()


def test_abbreviations_repeats_urls_mentions_hashtags():
    result = norm.normalize("Yg penting gk golput bangeeettt!! cek https://kpu.go.id/dpt @kpu_ri #AyoKeTPS")
    assert result.text == "yang penting tidak golput banget ! ! cek tautan @akun # ayo ke tps"


def test_every_token_maps_back_to_the_original_text():
    text = "Bu Sri 👩‍🏫 bilang: coblos no.3 ✌🏽 ya, jgn lupa!! 🇮🇩 Kopi ☕ enak"
    result = norm.normalize(text)
    assert len(result.tokens) == len(result.spans)
    for token, (start, end) in zip(result.tokens, result.spans, strict=True):
        assert 0 <= start < end <= len(text)
        original = text[start:end]
        if token.startswith("<"):
            continue  # masked camp marker
        assert token in normalize_word(original) or token == original


def test_emoji_are_kept_as_tokens():
    assert "🙏" in norm("Semoga lancar 🙏🙏").split()


def test_camp_markers_are_masked_but_roles_are_kept():
    assert norm("Coblos nomor urut 3 Pak Darmo") == "coblos nomor urut <nomor> pak <nama>"
    assert norm("Salam dua jari bareng Partai Suara Rakyat") == "salam <nomor> jari bareng partai <partai>"
    assert norm("Pak Camat membuka acara") == "pak camat membuka acara"


def test_swapping_camps_changes_nothing_after_normalisation():
    text = "Ayo dukung Pak Darmo dan Bu Lestari, paslon 02! Salam dua jari ✌️ Partai Karya Bangsa"
    swapped = swap_camps(text, random.Random(1))
    assert swapped != text
    assert norm(swapped) == norm(text)


def test_ballot_number_forms():
    found = [m.value for m in ballot_numbers("no 2, nomor urut 5, paslon 01, 3️⃣, salam tiga jari")]
    assert found == ["2", "5", "1", "3", "3"]
