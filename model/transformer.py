"""The transformer backend: a BERT-family `AutoModelForSequenceClassification` with nine outputs.

Output 0 is the partisan logit; outputs 1-8 are the category logits, trained on partisan posts only, so
they read as "which kind of partisanship, if partisan". The default base is
`indobenchmark/indobert-base-p1`; any hub id or local folder works.

Inference sorts posts by token length, packs them into batches by a token budget (so padding is per
batch and short posts are not padded to the longest of the whole input), runs under
`torch.inference_mode()` and returns results in the input order.

Evidence is gradient x input: the gradient of the partisan logit with respect to the input word
embeddings, multiplied by the embeddings and summed over the hidden dimension, gives one attribution per
sub-word; sub-words are summed into the normalised tokens they belong to (via the tokenizer's offset
mapping), and tokens are mapped back to character spans of the original text.
"""

from __future__ import annotations

import bisect
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from netra.model.normalize import NormalizedText

DEFAULT_BASE_MODEL = "indobenchmark/indobert-base-p1"


def onnx_session(path: Path):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = cpu_threads()
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _torch():
    import torch

    return torch


ONNX_FP32 = "model.onnx"
ONNX_INT8 = "model.int8.onnx"
RUNTIMES = ("auto", "torch", "onnx", "onnx-int8")


def cpu_threads() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


class TransformerModel:
    """Scores with PyTorch or, when exported, with ONNX Runtime; evidence always uses PyTorch."""

    def __init__(
        self,
        model,
        tokenizer,
        max_length: int = 256,
        token_budget: int = 8192,
        evidence_token_budget: int = 1024,
        session=None,
        runtime: str = "torch",
    ) -> None:
        self._model = model
        self._loader = None  # loads the PyTorch model on first use when ONNX Runtime scores
        # One PyTorch load and one backward pass at a time: concurrent requests would each hold a copy of
        # the activations and gradients (gigabytes for a base model).
        self._torch_lock = threading.Lock()
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.token_budget = token_budget
        self.evidence_token_budget = evidence_token_budget
        self.session = session
        self.runtime = runtime
        if model is not None:
            model.eval()

    @property
    def model(self):
        """The PyTorch model (loaded lazily under ONNX Runtime: only evidence and saving need it)."""
        if self._model is None:
            with self._torch_lock:
                if self._model is None:
                    self._model = self._loader().eval()
        return self._model

    @classmethod
    def load(
        cls, folder: str | Path, max_length: int = 256, runtime: str = "auto", onnx: dict | None = None
    ) -> TransformerModel:
        """`runtime`: "auto" uses the int8 ONNX graph if it passed its acceptance check, else the fp32 ONNX
        graph if exported, else PyTorch; "torch", "onnx" and "onnx-int8" force one."""
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        torch = _torch()
        if runtime not in RUNTIMES:
            raise ValueError(f"runtime must be one of {', '.join(RUNTIMES)}, got {runtime!r}")
        torch.set_num_threads(cpu_threads())
        tokenizer = AutoTokenizer.from_pretrained(str(folder))
        onnx = onnx or {}
        folder = Path(folder)
        chosen = runtime
        if runtime == "auto":
            if (folder / ONNX_INT8).exists() and onnx.get("int8", {}).get("accepted"):
                chosen = "onnx-int8"
            elif (folder / ONNX_FP32).exists():
                chosen = "onnx"
            else:
                chosen = "torch"

        def load_torch():
            model = AutoModelForSequenceClassification.from_pretrained(str(folder))
            # Inference and evidence need no weight gradients; frozen weights also keep autograd from
            # saving the activations that weight gradients would need (about half the evidence memory).
            return model.requires_grad_(False)

        if chosen == "torch":
            return cls(load_torch(), tokenizer, max_length=max_length, runtime=chosen)
        path = folder / (ONNX_INT8 if chosen == "onnx-int8" else ONNX_FP32)
        if not path.exists():
            raise FileNotFoundError(f"{path} not found: run `netra export onnx --model {folder}` first")
        loaded = cls(None, tokenizer, max_length=max_length, session=onnx_session(path), runtime=chosen)
        loaded._loader = load_torch
        return loaded

    def save(self, folder: Path) -> None:
        self.model.save_pretrained(str(folder), safe_serialization=True)
        self.tokenizer.save_pretrained(str(folder))

    # -- batching -------------------------------------------------------------------------------
    def _encode(self, texts: Sequence[str]) -> list[list[int]]:
        return self.tokenizer(list(texts), truncation=True, max_length=self.max_length)["input_ids"]

    def batches(
        self, lengths: Sequence[int], batch_size: int, token_budget: int | None = None
    ) -> list[list[int]]:
        """Indices grouped into batches: sorted by length, at most `batch_size` posts and roughly
        `token_budget` padded tokens per batch."""
        token_budget = token_budget or self.token_budget
        order = sorted(range(len(lengths)), key=lambda i: lengths[i])
        out: list[list[int]] = []
        current: list[int] = []
        for i in order:
            longest = lengths[i]  # ascending order: the newest post is the longest of its batch
            if current and (
                len(current) >= batch_size
                or longest * (len(current) + 1) > token_budget
                or longest > 1.5 * lengths[current[0]] + 8  # length bucket: little padding per batch
            ):
                out.append(current)
                current = []
            current.append(i)
        if current:
            out.append(current)
        return out

    def _pad(self, ids: list[list[int]]):
        torch = _torch()
        width = max(len(x) for x in ids)
        pad = self.tokenizer.pad_token_id or 0
        input_ids = torch.full((len(ids), width), pad, dtype=torch.long)
        mask = torch.zeros((len(ids), width), dtype=torch.long)
        for row, x in enumerate(ids):
            input_ids[row, : len(x)] = torch.tensor(x, dtype=torch.long)
            mask[row, : len(x)] = 1
        return input_ids, mask

    def logits(self, texts: Sequence[str], batch_size: int = 32) -> tuple[np.ndarray, np.ndarray]:
        """Partisan and category logits of normalised texts, in input order."""
        torch = _torch()
        encoded = self._encode(texts)
        out: np.ndarray | None = None
        with torch.inference_mode():
            for batch in self.batches([len(x) for x in encoded], batch_size):
                input_ids, mask = self._pad([encoded[i] for i in batch])
                if self.session is not None:
                    feed = {"input_ids": input_ids.numpy(), "attention_mask": mask.numpy()}
                    result = self.session.run(["logits"], feed)[0]
                else:
                    result = self.model(input_ids=input_ids, attention_mask=mask).logits.float().numpy()
                if out is None:
                    out = np.zeros((len(texts), result.shape[1]), dtype=np.float64)
                out[batch] = result
        if out is None:
            return np.zeros(0), np.zeros((0, 8))
        return out[:, 0], out[:, 1:]

    # -- evidence -------------------------------------------------------------------------------
    def token_contributions(
        self, normalized: Sequence[NormalizedText], batch_size: int = 16
    ) -> list[np.ndarray]:
        """Gradient x input attribution of the partisan logit, per normalised token."""
        model = self.model
        with self._torch_lock:
            return self._token_contributions(model, normalized, batch_size)

    def _token_contributions(
        self, model, normalized: Sequence[NormalizedText], batch_size: int
    ) -> list[np.ndarray]:
        torch = _torch()
        enc = self.tokenizer(
            [n.text for n in normalized],
            truncation=True,
            max_length=self.max_length,
            return_offsets_mapping=True,
        )
        results: list[np.ndarray] = [np.zeros(len(n.tokens)) for n in normalized]
        embeddings = model.get_input_embeddings()
        # A smaller token budget than scoring: a backward pass keeps every layer's activations.
        lengths = [len(x) for x in enc["input_ids"]]
        for batch in self.batches(lengths, batch_size, self.evidence_token_budget):
            input_ids, mask = self._pad([enc["input_ids"][i] for i in batch])
            inputs_embeds = embeddings(input_ids).detach().requires_grad_(True)
            logits = model(inputs_embeds=inputs_embeds, attention_mask=mask).logits[:, 0]
            (grad,) = torch.autograd.grad(logits.sum(), inputs_embeds)
            scores = (grad * inputs_embeds).sum(-1).detach().numpy()
            for row, i in enumerate(batch):
                starts = normalized[i].token_starts
                for position, (s, e) in enumerate(enc["offset_mapping"][i]):
                    if e <= s:  # special tokens
                        continue
                    token_index = bisect.bisect_right(starts, s) - 1
                    if 0 <= token_index < len(results[i]):
                        results[i][token_index] += scores[row, position]
        return results
