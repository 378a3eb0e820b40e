"""The pipeline from labeled Indonesian text to a versioned, evaluated model folder."""

from netra.training.config import ConfigError, TrainConfig, load_config
from netra.training.pipeline import train

__all__ = ["ConfigError", "TrainConfig", "load_config", "train"]
