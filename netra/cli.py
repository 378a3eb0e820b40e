"""The `netra` command."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="Netra: find partisan posts by ASN (civil servants) for Bawaslu analysts.", no_args_is_help=True
)
data_app = typer.Typer(help="The labeled corpus.", no_args_is_help=True)
app.add_typer(data_app, name="data")


def fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )


# -- data -------------------------------------------------------------------------------------------
@data_app.command("validate")
def data_validate(
    path: Annotated[Path | None, typer.Argument(help="corpus JSONL (default: the shipped corpus)")] = None,
    stats: Annotated[
        bool, typer.Option("--stats", help="also print the computed statistics as JSON")
    ] = False,
) -> None:
    """Check schema, vocabularies, duplicates, split leakage and the v1 size/balance/diversity thresholds."""
    from netra.data.corpus import DEFAULT_CORPUS
    from netra.data.validate import validate_file

    target = path or DEFAULT_CORPUS
    report = validate_file(target)
    if stats and report.stats:
        typer.echo(
            json.dumps({k: v for k, v in report.stats.items() if k != "names"}, indent=2, ensure_ascii=False)
        )
    if report.ok:
        s = report.stats
        typer.echo(
            f"OK {target}: {s['rows']} rows ({s['written']} written, {s['augmented']} augmented); "
            f"labels {s['label']}; splits {s['split']}"
        )
        return
    typer.echo(f"FAILED {target}: {len(report.failures)} problem(s)", err=True)
    for problem in report.failures[:200]:
        typer.echo(f"  - {problem}", err=True)
    if len(report.failures) > 200:
        typer.echo(f"  ... and {len(report.failures) - 200} more", err=True)
    raise typer.Exit(1)


@data_app.command("datasheet")
def data_datasheet(
    path: Annotated[Path | None, typer.Argument(help="corpus JSONL")] = None,
    write: Annotated[
        bool, typer.Option("--write", help="rewrite the generated block of data/DATASHEET.md")
    ] = False,
) -> None:
    """Print (or write into DATASHEET.md) the counts section computed from the corpus."""
    from netra.data.corpus import DEFAULT_CORPUS, read_jsonl
    from netra.data.datasheet import DATASHEET, render_counts, replace_counts_block
    from netra.data.validate import compute_stats

    block = render_counts(compute_stats(read_jsonl(path or DEFAULT_CORPUS)))
    if write:
        DATASHEET.write_text(
            replace_counts_block(DATASHEET.read_text(encoding="utf-8"), block), encoding="utf-8"
        )
        typer.echo(f"updated {DATASHEET}")
    else:
        typer.echo(block)


@data_app.command("assemble")
def data_assemble(
    raw: Annotated[Path, typer.Argument(help="folder of writers' batch folders")],
    output: Annotated[Path, typer.Option("-o", "--output")] = Path("data/corpus/netra-corpus-v1.jsonl"),
) -> None:
    """Build the corpus from writers' batches (ids, de-duplication, splits, augmentation). Used once for v1."""
    from netra.data.assemble import assemble

    typer.echo(json.dumps(assemble(raw, output)))


# -- model ------------------------------------------------------------------------------------------
@app.command()
def train(
    config: Annotated[Path, typer.Option("--config", "-c", help="training config YAML")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="model folder to write")] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="override one config field: key=value")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Train, calibrate, evaluate and save a model folder."""
    from netra.training.config import ConfigError, load_config

    _logging(verbose)
    try:
        cfg = load_config(config, set_ or [])
    except ConfigError as exc:
        fail(str(exc))
    from netra.data.corpus import CorpusError
    from netra.training.pipeline import train as run_training

    target = output or Path("models") / cfg.name
    try:
        extra = []
        if cfg.extra_labels:
            from netra.data.corpus import load_records

            for path in cfg.extra_labels:
                extra.extend(load_records(path, full_schema=False))
        folder = run_training(cfg, target, extra_labels=extra)
    except CorpusError as exc:
        fail(str(exc))
    meta = json.loads((folder / "config.json").read_text(encoding="utf-8"))["netra"]
    test = meta["metrics"]["test"]
    typer.echo(
        f"saved {meta['version']} to {folder}: test F1 {test['partisan']['f1']:.3f}, "
        f"precision {test['partisan']['precision']:.3f}, recall {test['partisan']['recall']:.3f}, "
        f"threshold {meta['threshold']:.3f}"
    )


def _load(model: Path | None):
    from netra.model import Classifier, ModelFolderError
    from netra.paths import default_model_path

    path = model or default_model_path()
    try:
        return Classifier.from_pretrained(path)
    except ModelFolderError as exc:
        hint = "" if model else " (run `make setup` to build the embedded default model)"
        fail(f"{exc}{hint}")


@app.command()
def evaluate(
    data: Annotated[
        Path, typer.Option("--data", help="labeled JSONL: text, label, optional categories/lookalike")
    ],
    model: Annotated[
        Path | None, typer.Option("--model", help="model folder (default: the embedded default)")
    ] = None,
    split: Annotated[str | None, typer.Option(help="only rows of this split (e.g. test)")] = None,
) -> None:
    """Print the evaluation metrics of a model on a labeled JSONL file, as JSON."""
    from netra.data.corpus import CorpusError, load_records
    from netra.training.evaluation import evaluate as run_evaluation

    try:
        rows = load_records(data, full_schema=False)
    except CorpusError as exc:
        fail(str(exc))
    if split:
        rows = [r for r in rows if r.get("split") == split and r.get("origin", "written") == "written"]
        if not rows:
            fail(f"no written rows with split {split!r} in {data}")
    clf = _load(model)
    result = run_evaluation(clf, rows)
    typer.echo(json.dumps({"model_version": clf.version, **result}, indent=2, ensure_ascii=False))


@app.command()
def predict(
    input: Annotated[Path, typer.Argument(help='JSONL, one {"id", "text"} per line (\'-\' for stdin)')],
    output: Annotated[Path, typer.Option("-o", "--output", help="JSONL to write ('-' for stdout)")] = Path(
        "-"
    ),
    model: Annotated[
        Path | None, typer.Option("--model", help="model folder (default: the embedded default)")
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1)] = 256,
    no_evidence: Annotated[bool, typer.Option("--no-evidence", help="skip evidence spans (faster)")] = False,
) -> None:
    """Score posts: each output line {id, score, flagged, categories, evidence, model_version}, same order."""
    from dataclasses import asdict

    rows = []
    handle = sys.stdin if str(input) == "-" else None
    try:
        lines = (handle or input.open(encoding="utf-8")).read().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {input}: {exc}")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            fail(f"{input} line {number}: invalid JSON ({exc.msg})")
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            fail(f"{input} line {number}: expected an object with a string 'text'")
        rows.append(row)
    clf = _load(model)
    results = clf.predict(
        [r["text"] for r in rows], batch_size=batch_size, evidence="none" if no_evidence else "flagged"
    )
    out = sys.stdout if str(output) == "-" else output.open("w", encoding="utf-8")
    try:
        for number, (row, p) in enumerate(zip(rows, results, strict=True), start=1):
            record = {"id": row.get("id", number), **asdict(p)}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    if out is not sys.stdout:
        flagged = sum(p.flagged for p in results)
        typer.echo(f"scored {len(results)} posts with {clf.version}: {flagged} flagged -> {output}", err=True)


# -- service ----------------------------------------------------------------------------------------
keys_app = typer.Typer(help="API keys of the scoring service.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@app.command()
def serve(
    model: Annotated[Path | None, typer.Option("--model", help="model folder (default: NETRA_MODEL or the embedded default)")] = None,
    host: Annotated[str | None, typer.Option(help="address to bind (default 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="port (default 8000)")] = None,
) -> None:
    """Run the scoring API and review queue (OpenAPI docs at /docs)."""
    import uvicorn
    from pydantic import ValidationError

    from netra.serving.app import StartupError, create_app
    from netra.serving.settings import get_settings

    _logging(verbose=True)
    overrides = {k: v for k, v in {"model": str(model) if model else None, "host": host, "port": port}.items() if v}
    try:
        settings = get_settings(**overrides)
    except ValidationError as exc:
        fail(f"invalid settings: {exc}")
    if not settings.resolved_model.exists():
        fail(f"model folder {settings.resolved_model} not found (run `make setup` to build the embedded default)")
    try:
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
    except StartupError as exc:
        fail(str(exc))


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="analyst | supervisor | admin")],
    name: Annotated[str, typer.Option(help="who or what the key is for")] = "cli",
) -> None:
    """Create an API key; it is printed once and stored only as a hash."""
    from sqlalchemy.orm import sessionmaker

    from netra.serving.auth import ROLES, create_key
    from netra.serving.db import make_engine, migrate, session_scope
    from netra.serving.settings import get_settings

    if role not in ROLES:
        fail(f"unknown role {role!r}: expected one of {', '.join(ROLES)}")
    settings = get_settings()
    engine = make_engine(settings.resolved_database_url)
    migrate(engine)
    with session_scope(sessionmaker(engine)) as session:
        key = create_key(session, role, name, actor="cli")
    typer.echo(key)
    typer.echo(f"created a {role} key for {name!r}; it will not be shown again", err=True)


if __name__ == "__main__":  # pragma: no cover
    app()
