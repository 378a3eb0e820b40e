from __future__ import annotations

import pytest

from netra.training.config import ConfigError, load_config


def test_shipped_configs_load():
    assert load_config("training/configs/linear.yaml").kind == "linear"
    config = load_config("training/configs/indobert-base.yaml")
    assert config.base_model == "indobenchmark/indobert-base-p1"
    assert config.max_length == 256


def test_relative_data_paths_resolve_from_the_project_root(tmp_path, monkeypatch):
    from netra.paths import PROJECT_ROOT

    monkeypatch.chdir(tmp_path)  # run from elsewhere: `data/...` paths still point into the project
    config = load_config(
        PROJECT_ROOT / "training/configs/linear.yaml", ["corpus=data/corpus/netra-corpus-v1.jsonl"]
    )
    assert config.corpus == str(PROJECT_ROOT / "data/corpus/netra-corpus-v1.jsonl")
    assert config.extra_labels == [
        str(PROJECT_ROOT / "data/corpus/everyday-supplement-v1.jsonl"),
        str(PROJECT_ROOT / "data/corpus/contest-supplement-v1.jsonl"),
    ]
    with pytest.raises(ConfigError, match=r"file not found: data/nowhere\.jsonl"):
        load_config(PROJECT_ROOT / "training/configs/linear.yaml", ["corpus=data/nowhere.jsonl"])


def test_overrides_are_typed():
    config = load_config(
        "training/configs/indobert-base.yaml", ["max_steps=10", "base_model=/tmp/x", "class_weighting=false"]
    )
    assert config.max_steps == 10 and config.base_model == "/tmp/x" and config.class_weighting is False


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("learning_rat=1e-5", "unknown config key(s): 'learning_rat' (did you mean 'learning_rate'?)"),
        ("kind=forest", "kind must be 'linear' or 'transformer'"),
        ("epochs=many", "epochs must be a number"),
        ("batch_size=2.5", "batch_size must be a whole number"),
        ("min_recall=1.5", "min_recall must be in (0, 1]"),
        ("max_length=4096", "max_length must be between 8 and 512"),
        ("corpus=/nonexistent/corpus.jsonl", "file not found: /nonexistent/corpus.jsonl"),
        ("max_steps", "--set expects key=value"),
    ],
)
def test_bad_values_fail_at_once_with_a_clear_message(override, message):
    with pytest.raises(ConfigError) as error:
        load_config("training/configs/indobert-base.yaml", [override])
    assert message in str(error.value)


def test_bad_yaml_and_missing_keys(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\nkind: [linear\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(broken)
    partial = tmp_path / "partial.yaml"
    partial.write_text("name: x\n")
    with pytest.raises(ConfigError, match="missing required key"):
        load_config(partial)


def test_cli_train_rejects_bad_config_before_training():
    from typer.testing import CliRunner

    from netra.cli import app

    result = CliRunner().invoke(
        app, ["train", "--config", "training/configs/linear.yaml", "--set", "c_partisan=-1"]
    )
    assert result.exit_code == 2
    assert "c_partisan must be > 0" in result.output
