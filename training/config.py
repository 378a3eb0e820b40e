"""One validated dataclass per training run, loaded from YAML, with `--set key=value` overrides.

A wrong key or value fails at once, before any data is read, with a message naming the key."""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints

import yaml

CONFIG_DIR = Path(__file__).resolve().parent / "configs"


class ConfigError(ValueError):
    pass


@dataclass
class TrainConfig:
    name: str
    kind: str  # "linear" | "transformer"
    corpus: str = ""  # empty: the shipped corpus
    extra_labels: list[str] = field(default_factory=list)  # JSONL files of new labels (train/validation only)
    seed: int = 13
    # Operating point: the highest precision with recall >= min_recall on validation.
    min_recall: float = 0.90
    calibration: str = "auto"  # auto | platt | isotonic | temperature
    symmetry_variants: int = 3
    # linear
    c_partisan: float = 4.0
    c_category: float = 4.0
    c_screen: float = 16.0  # the election-topic screen the scan cascade uses
    min_df: int = 2
    class_weight: str = "balanced"  # balanced | none
    # transformer
    base_model: str = "indobenchmark/indobert-base-p1"
    learning_rate: float = 3e-5
    epochs: float = 4.0
    max_steps: int = -1
    batch_size: int = 16
    eval_batch_size: int = 64
    max_length: int = 256
    warmup_ratio: float = 0.1
    weight_decay: float = 0.01
    gradient_accumulation_steps: int = 1
    class_weighting: bool = True
    category_loss_weight: float = 0.5
    fp16: str = "auto"  # auto | true | false: mixed precision, only on a CUDA device

    def validate(self) -> TrainConfig:
        problems = []
        if self.kind not in ("linear", "transformer"):
            problems.append(f"kind must be 'linear' or 'transformer', got {self.kind!r}")
        if not 0 < self.min_recall <= 1:
            problems.append(f"min_recall must be in (0, 1], got {self.min_recall}")
        if self.calibration not in ("auto", "platt", "isotonic", "temperature"):
            problems.append(
                f"calibration must be auto, platt, isotonic or temperature, got {self.calibration!r}"
            )
        if self.kind == "linear" and self.calibration == "temperature":
            problems.append("calibration 'temperature' is for the transformer; use platt or isotonic")
        if self.class_weight not in ("balanced", "none"):
            problems.append(f"class_weight must be 'balanced' or 'none', got {self.class_weight!r}")
        if self.fp16 not in ("auto", "true", "false"):
            problems.append(f"fp16 must be auto, true or false, got {self.fp16!r}")
        for key in ("c_partisan", "c_category", "c_screen", "learning_rate", "epochs"):
            if getattr(self, key) <= 0:
                problems.append(f"{key} must be > 0, got {getattr(self, key)}")
        for key in (
            "min_df",
            "batch_size",
            "eval_batch_size",
            "gradient_accumulation_steps",
            "symmetry_variants",
        ):
            if getattr(self, key) < 1:
                problems.append(f"{key} must be >= 1, got {getattr(self, key)}")
        if not 8 <= self.max_length <= 512:
            problems.append(f"max_length must be between 8 and 512, got {self.max_length}")
        if not 0 <= self.warmup_ratio < 1:
            problems.append(f"warmup_ratio must be in [0, 1), got {self.warmup_ratio}")
        if self.max_steps == 0 or self.max_steps < -1:
            problems.append(f"max_steps must be -1 (use epochs) or >= 1, got {self.max_steps}")
        self.corpus = _project_path(self.corpus)
        self.extra_labels = [_project_path(path) for path in self.extra_labels]
        for path in [self.corpus, *self.extra_labels]:
            if path and not Path(path).exists():
                problems.append(f"file not found: {path}")
        if problems:
            raise ConfigError(f"invalid training config {self.name!r}:\n  " + "\n  ".join(problems))
        return self

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _project_path(path: str) -> str:
    """A relative path that does not exist from here is taken from the project root (where the shipped
    configs' `data/...` paths point), so configs work from any working directory."""
    from netra.paths import PROJECT_ROOT

    if path and not Path(path).is_absolute() and not Path(path).exists():
        candidate = PROJECT_ROOT / path
        if candidate.exists():
            return str(candidate)
    return path


def _coerce(key: str, value: Any, hint: Any) -> Any:
    origin = getattr(hint, "__origin__", None)
    if origin is list:
        if isinstance(value, str):
            return [v for v in value.split(",") if v]
        if isinstance(value, list):
            return [str(v) for v in value]
        raise ConfigError(f"{key} must be a list, got {value!r}")
    if hint is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
            return value.lower() in ("true", "1", "yes")
        raise ConfigError(f"{key} must be true or false, got {value!r}")
    if hint in (int, float):
        if isinstance(value, bool):
            raise ConfigError(f"{key} must be a number, got {value!r}")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{key} must be a number, got {value!r}") from None
        if hint is int:
            if number != int(number):
                raise ConfigError(f"{key} must be a whole number, got {value!r}")
            return int(number)
        return number
    if hint is str:
        if isinstance(value, (dict, list)):
            raise ConfigError(f"{key} must be a string, got {value!r}")
        return "" if value is None else str(value)
    return value


def build_config(values: dict[str, Any]) -> TrainConfig:
    hints = get_type_hints(TrainConfig)
    names = [f.name for f in dataclasses.fields(TrainConfig)]
    unknown = [k for k in values if k not in names]
    if unknown:
        hints_text = []
        for key in unknown:
            close = difflib.get_close_matches(key, names, n=1)
            hints_text.append(f"{key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise ConfigError(f"unknown config key(s): {', '.join(hints_text)}")
    missing = [k for k in ("name", "kind") if k not in values]
    if missing:
        raise ConfigError(f"config is missing required key(s): {', '.join(missing)}")
    coerced = {k: _coerce(k, v, hints[k]) for k, v in values.items()}
    return TrainConfig(**coerced).validate()


def parse_overrides(overrides: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"--set expects key=value, got {item!r}")
        key, value = item.split("=", 1)
        out[key.strip()] = yaml.safe_load(value) if value.strip() else ""
    return out


def load_config(path: str | Path, overrides: list[str] | None = None) -> TrainConfig:
    path = Path(path)
    if not path.exists() and (CONFIG_DIR / path.name).exists():
        path = CONFIG_DIR / path.name
    if not path.exists():
        raise ConfigError(f"config file not found: {path}")
    try:
        values = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(values, dict):
        raise ConfigError(f"{path}: expected a mapping of key: value")
    values.update(parse_overrides(overrides or []))
    return build_config(values)
