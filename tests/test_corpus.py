"""The shipped corpus passes the validator; corrupted copies fail with a message that says why."""

from __future__ import annotations

import copy

import pytest
from typer.testing import CliRunner

from netra.cli import app
from netra.data.corpus import CorpusError, load_corpus, load_records
from netra.data.datasheet import DATASHEET, counts_block, render_counts
from netra.data.schema import CATEGORIES, LOOKALIKES
from netra.data.validate import compute_stats, validate_rows
from tests.conftest import write_jsonl

runner = CliRunner()


@pytest.fixture(scope="module")
def report(corpus_rows):
    return validate_rows(corpus_rows)


def test_shipped_corpus_passes_the_validator(report):
    assert report.failures == []
    stats = report.stats
    assert stats["written"] >= 3000
    for label in ("partisan", "neutral"):
        assert stats["label"][label] / stats["written"] >= 0.40
    assert all(stats["first_category"][c] >= 150 for c in CATEGORIES)
    assert all(stats["lookalike"][k] >= (100 if k == "pelaporan" else 150) for k in LOOKALIKES)


def test_cli_validate_passes_on_shipped_corpus():
    result = runner.invoke(app, ["data", "validate"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK ")


def test_datasheet_counts_match_the_validator(corpus_rows):
    document = DATASHEET.read_text(encoding="utf-8")
    assert counts_block(document) == render_counts(compute_stats(corpus_rows))


def test_loader_returns_three_stratified_splits(corpus_rows):
    dataset = load_corpus()
    assert set(dataset) == {"train", "validation", "test"}
    total = sum(len(dataset[s]) for s in dataset)
    assert total == len(corpus_rows)
    assert abs(len(dataset["test"]) / total - 0.10) < 0.02
    for split in dataset.values():
        labels = split["label"]
        assert 0.4 < labels.count("partisan") / len(labels) < 0.6


def test_no_augmented_row_crosses_splits(corpus_rows):
    by_id = {r["id"]: r for r in corpus_rows}
    augmented = [r for r in corpus_rows if r["origin"] != "written"]
    assert augmented, "the corpus ships augmented rows"
    for r in augmented:
        assert by_id[r["origin"].split(":")[2]]["split"] == r["split"]


def _fails_with(rows, fragment):
    failures = validate_rows(rows).failures
    assert any(fragment in f for f in failures), failures


def test_validator_reports_schema_errors(corpus_rows):
    rows = copy.deepcopy(corpus_rows)
    del rows[3]["platform"]
    rows[5]["label"] = "maybe"
    rows[7]["register"] = "poetic"
    failures = validate_rows(rows).failures
    assert any("missing field(s) platform" in f for f in failures)
    assert any("unknown label 'maybe'" in f for f in failures)
    assert any("unknown register 'poetic'" in f for f in failures)


def test_validator_reports_near_duplicates_and_leakage(corpus_rows):
    rows = copy.deepcopy(corpus_rows)
    written = [r for r in rows if r["origin"] == "written"]
    source = next(r for r in written if len(r["text"]) > 120 and r["split"] == "train")
    twin = dict(source, id="dup-1", text=source["text"] + " mantap", split="test")
    rows.append(twin)
    augmented = next(r for r in rows if r["origin"] != "written")
    augmented["split"] = next(s for s in ("train", "validation", "test") if s != augmented["split"])
    failures = validate_rows(rows).failures
    assert any("near duplicates" in f and "dup-1" in f and "across splits" in f for f in failures)
    assert any("split leakage" in f for f in failures)


def test_validator_reports_thresholds(corpus_rows):
    rows = [r for r in corpus_rows if r["label"] == "neutral" or r["categories"][0] != "mobilisasi"]
    _fails_with(rows, "category mobilisasi is the first category of 0 posts")
    biased = copy.deepcopy(corpus_rows)
    for r in biased:
        if r["label"] == "partisan":
            r["text"] += " coblos nomor 4"
    _fails_with(biased, "ballot number 4")


def test_cli_validate_fails_on_corrupted_copy(tmp_path, corpus_rows):
    rows = copy.deepcopy(corpus_rows[:50])
    rows[0]["categories"] = ["kampanye_hitam"]
    path = write_jsonl(tmp_path / "bad.jsonl", rows)
    result = runner.invoke(app, ["data", "validate", str(path)])
    assert result.exit_code == 1
    assert "unknown category kampanye_hitam" in result.output
    small = write_jsonl(tmp_path / "small.jsonl", corpus_rows[:50])
    result = runner.invoke(app, ["data", "validate", str(small)])
    assert result.exit_code == 1
    assert "written posts, need at least 3000" in result.output


def test_cli_validate_reports_invalid_json(tmp_path):
    path = tmp_path / "broken.jsonl"
    path.write_text('{"id": 1}\n{not json\n', encoding="utf-8")
    result = runner.invoke(app, ["data", "validate", str(path)])
    assert result.exit_code == 1
    assert "line 2: invalid JSON" in result.output


def test_loader_rejects_unknown_labels_and_missing_columns(tmp_path):
    path = write_jsonl(tmp_path / "x.jsonl", [{"text": "halo", "label": "partisan?"}, {"label": "neutral"}])
    with pytest.raises(CorpusError) as error:
        load_records(path, full_schema=False)
    assert "unknown label 'partisan?'" in str(error.value)
    assert "missing field(s) text" in str(error.value)
