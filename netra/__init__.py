"""Netra: finds partisan posts by Indonesian civil servants (ASN) for Bawaslu analysts.

>>> from netra import Classifier
>>> clf = Classifier.from_pretrained(netra.default_model_path())
>>> clf.predict(["Ayo dukung Pak Darmo nomor 3, demi lanjutnya bantuan desa!"])
"""

from netra.paths import default_model_path

__version__ = "0.1.0"


def __getattr__(name: str):
    # Imported lazily so that `netra --help` does not pay for numpy/scikit-learn.
    if name in ("Classifier", "Prediction", "Evidence"):
        import netra.model as model

        return getattr(model, name)
    raise AttributeError(name)


__all__ = ["Classifier", "Evidence", "Prediction", "default_model_path"]
