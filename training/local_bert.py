"""Building a BERT checkpoint locally (random weights, WordPiece tokenizer trained on given texts).

The IndoBERT weights cannot be downloaded on machines without the Hugging Face hub, so tests and
benchmarks exercise the transformer path with checkpoints built here: tiny ones for tests, an
IndoBERT-base-shaped one (vocab 50,000, 12 layers, hidden 768) for speed benchmarks, where speed does
not depend on the weight values. Never used to report quality."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def build_local_bert(
    folder: str | Path,
    texts: Iterable[str],
    vocab_size: int = 2000,
    hidden_size: int = 32,
    num_layers: int = 2,
    num_heads: int = 2,
    intermediate_size: int = 64,
    max_position: int = 512,
    seed: int = 13,
) -> Path:
    import torch
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.decoder = decoders.WordPiece()
    trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=special, min_frequency=1)
    tokenizer.train_from_iterator(list(texts), trainer=trainer)
    # The trainer breaks frequency ties in a different order in every process: renumber the (same)
    # vocabulary canonically so the same texts and seed always give the same checkpoint.
    learned = [t for t in tokenizer.get_vocab() if t not in special]
    vocab = {t: i for i, t in enumerate([*special, *sorted(learned)])}
    tokenizer.model = models.WordPiece(vocab, unk_token="[UNK]")
    cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)],
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=max_position,
    )
    fast.save_pretrained(str(folder))
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=fast.vocab_size if vocab_size > fast.vocab_size else vocab_size,
        hidden_size=hidden_size,
        num_hidden_layers=num_layers,
        num_attention_heads=num_heads,
        intermediate_size=intermediate_size,
        max_position_embeddings=max_position,
        pad_token_id=fast.pad_token_id,
    )
    config.vocab_size = max(config.vocab_size, len(fast))
    model = BertForSequenceClassification(config)
    model.save_pretrained(str(folder), safe_serialization=True)
    return folder
