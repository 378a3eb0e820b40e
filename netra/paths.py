"""Where Netra finds its default model and keeps its state."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
EMBEDDED_DEFAULT = PROJECT_ROOT / "models" / "default"


def default_model_path() -> Path:
    """`NETRA_MODEL` when set (e.g. a fine-tuned IndoBERT folder), else the embedded default."""
    configured = os.environ.get("NETRA_MODEL")
    return Path(configured) if configured else EMBEDDED_DEFAULT
