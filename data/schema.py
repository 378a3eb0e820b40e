"""Vocabularies of the corpus schema (see data/GUIDELINE.md). Slugs are the API's; names are for analysts."""

from __future__ import annotations

LABELS: tuple[str, ...] = ("neutral", "partisan")

CATEGORIES: tuple[str, ...] = (
    "ajakan_memilih",
    "atribut_simbol",
    "sebar_konten",
    "serang_lawan",
    "kegiatan_kampanye",
    "mobilisasi",
    "penyalahgunaan_jabatan",
    "afiliasi_politik",
)

# What analysts read: Bahasa Indonesia.
CATEGORY_NAMES_ID: dict[str, str] = {
    "ajakan_memilih": "Ajakan memilih / pernyataan dukungan",
    "atribut_simbol": "Atribut dan simbol keberpihakan",
    "sebar_konten": "Menyebarkan konten kampanye",
    "serang_lawan": "Menyerang peserta pemilu",
    "kegiatan_kampanye": "Ikut kegiatan kampanye",
    "mobilisasi": "Mobilisasi dukungan",
    "penyalahgunaan_jabatan": "Penyalahgunaan jabatan / fasilitas negara",
    "afiliasi_politik": "Afiliasi politik / pencalonan diri",
}

LOOKALIKES: tuple[str, ...] = (
    "netralitas",
    "info_pemilu",
    "berita",
    "layanan_publik",
    "kritik_kebijakan",
    "pelaporan",
    "non_politik",
)

LOOKALIKE_NAMES_ID: dict[str, str] = {
    "netralitas": "Kampanye netralitas ASN",
    "info_pemilu": "Informasi penyelenggara pemilu",
    "berita": "Berita netral",
    "layanan_publik": "Kegiatan pemerintahan / layanan publik",
    "kritik_kebijakan": "Kritik kebijakan tanpa keberpihakan",
    "pelaporan": "Melaporkan pelanggaran",
    "non_politik": "Kehidupan sehari-hari",
}

PLATFORMS: tuple[str, ...] = ("facebook", "instagram", "x", "tiktok", "whatsapp", "news_comment")
REGISTERS: tuple[str, ...] = ("formal", "informal", "slang", "regional_mix")
CONTESTS: tuple[str, ...] = ("pilpres", "pileg", "pilkada", "pilkades", "none")
SPLITS: tuple[str, ...] = ("train", "validation", "test")
AUGMENT_METHODS: tuple[str, ...] = ("typo", "slang", "emoji", "swap")

FIELDS: tuple[str, ...] = (
    "id",
    "text",
    "label",
    "categories",
    "lookalike",
    "platform",
    "register",
    "contest",
    "origin",
    "split",
)
