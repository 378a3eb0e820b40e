"""The classifier: `Classifier.from_pretrained` / `predict` / `save_pretrained`."""

from netra.model.classifier import Classifier, ModelFolderError
from netra.model.normalize import Normalizer
from netra.model.prediction import Evidence, Prediction

__all__ = ["Classifier", "Evidence", "ModelFolderError", "Normalizer", "Prediction"]
