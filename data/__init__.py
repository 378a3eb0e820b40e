"""The labeled corpus, its vocabularies, loader and validator, and readers for exported feeds."""

from netra.data.corpus import DEFAULT_CORPUS, CorpusError, corpus_hash, load_corpus, load_records
from netra.data.schema import CATEGORIES, CATEGORY_NAMES_ID, LABELS, LOOKALIKES

__all__ = [
    "CATEGORIES",
    "CATEGORY_NAMES_ID",
    "DEFAULT_CORPUS",
    "LABELS",
    "LOOKALIKES",
    "CorpusError",
    "corpus_hash",
    "load_corpus",
    "load_records",
]
