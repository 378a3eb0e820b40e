"""Fine-tuning a BERT-family model with the transformers `Trainer` (CPU or GPU)."""

from __future__ import annotations

import logging
import tempfile
from typing import Any

import numpy as np

from netra.model.normalize import Normalizer
from netra.model.transformer import TransformerModel
from netra.training.config import TrainConfig
from netra.training.linear_trainer import targets

log = logging.getLogger(__name__)


def fit_transformer(
    config: TrainConfig, train: list[dict[str, Any]], normalizer: Normalizer
) -> TransformerModel:
    import torch
    from datasets import Dataset
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        DataCollatorWithPadding,
        Trainer,
        TrainingArguments,
    )

    labels, cats = targets(train)
    tokenizer = AutoTokenizer.from_pretrained(config.base_model)
    model = AutoModelForSequenceClassification.from_pretrained(
        config.base_model,
        num_labels=1 + cats.shape[1],
        problem_type="multi_label_classification",
        ignore_mismatched_sizes=True,
    )
    # Only what the collator can pad: the text columns are dropped after tokenising.
    dataset = Dataset.from_dict(
        {
            "text": [normalizer(r["text"]) for r in train],
            "labels": np.hstack([labels[:, None], cats]).astype(np.float32).tolist(),
        }
    ).map(
        lambda batch: tokenizer(batch["text"], truncation=True, max_length=config.max_length),
        batched=True,
        remove_columns=["text"],
    )
    positives = max(int(labels.sum()), 1)
    pos_weight = (len(labels) - positives) / positives if config.class_weighting else 1.0
    category_weight = config.category_loss_weight

    class NetraTrainer(Trainer):
        """Partisan: BCE with pos_weight. Categories: BCE on partisan posts only."""

        def compute_loss(self, model, inputs, return_outputs=False, **kwargs):
            target = inputs.pop("labels")
            outputs = model(**inputs)
            logits = outputs.logits
            bce = torch.nn.functional.binary_cross_entropy_with_logits
            loss = bce(logits[:, 0], target[:, 0], pos_weight=torch.tensor(pos_weight, device=logits.device))
            mask = target[:, 0] > 0.5
            if mask.any():
                loss = loss + category_weight * bce(logits[mask, 1:], target[mask, 1:])
            return (loss, outputs) if return_outputs else loss

    cuda = torch.cuda.is_available()
    fp16 = cuda if config.fp16 == "auto" else (config.fp16 == "true" and cuda)
    with tempfile.TemporaryDirectory(prefix="netra-train-") as scratch:
        args = TrainingArguments(
            output_dir=scratch,
            learning_rate=config.learning_rate,
            num_train_epochs=config.epochs,
            max_steps=config.max_steps,
            per_device_train_batch_size=config.batch_size,
            gradient_accumulation_steps=config.gradient_accumulation_steps,
            warmup_ratio=config.warmup_ratio,
            weight_decay=config.weight_decay,
            seed=config.seed,
            data_seed=config.seed,
            save_strategy="no",
            report_to=[],
            logging_steps=50,
            fp16=fp16,
            use_cpu=not cuda,
            disable_tqdm=True,
        )
        trainer = NetraTrainer(
            model=model,
            args=args,
            train_dataset=dataset,
            data_collator=DataCollatorWithPadding(tokenizer),
        )
        trainer.train()
    model = trainer.model.to("cpu")
    return TransformerModel(model, tokenizer, max_length=config.max_length)
