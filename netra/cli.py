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


@data_app.command("supplement")
def data_supplement(
    writers: Annotated[list[Path], typer.Argument(help="writers' batch folders (JSONL parts)")],
    output: Annotated[Path, typer.Option("-o", "--output")] = Path(
        "data/corpus/everyday-supplement-v1.jsonl"
    ),
) -> None:
    """Build a labeled supplement for training (train/validation only; corpus v1 stays frozen)."""
    from netra.data.assemble import assemble_supplement
    from netra.data.corpus import load_records

    try:
        typer.echo(json.dumps(assemble_supplement(writers, load_records(), output)))
    except ValueError as exc:
        fail(str(exc))


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
        folder = run_training(cfg, target)
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


# -- batch scan -------------------------------------------------------------------------------------
@app.command()
def scan(
    feeds: Annotated[
        list[Path], typer.Argument(help="exported feeds: CSV/TSV, JSONL, JSON, Parquet, XLSX, .gz")
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="results file (a folder for parquet)")],
    fmt: Annotated[str, typer.Option("--format", help="jsonl | csv | parquet")] = "jsonl",
    model: Annotated[
        Path | None, typer.Option("--model", help="model folder (default: the embedded default)")
    ] = None,
    threshold: Annotated[
        float | None, typer.Option(min=0.0, max=1.0, help="override the model's threshold")
    ] = None,
    text_column: Annotated[str | None, typer.Option(help="column/key holding the post text")] = None,
    id_column: Annotated[str | None, typer.Option(help="column/key holding the post id")] = None,
    enqueue: Annotated[
        bool, typer.Option("--enqueue", help="put flagged rows into the review queue")
    ] = False,
    resume: Annotated[
        bool, typer.Option("--resume", help="continue an interrupted scan from its checkpoint")
    ] = False,
    report: Annotated[Path | None, typer.Option(help="write an HTML report (Bahasa Indonesia)")] = None,
    batch_size: Annotated[int, typer.Option(min=1)] = 2048,
    workers: Annotated[int, typer.Option(min=0, help="scoring processes (0: one per CPU core)")] = 0,
    max_chars: Annotated[int, typer.Option(min=1, help="longer texts are rejected")] = 5000,
    no_evidence: Annotated[bool, typer.Option("--no-evidence", help="skip evidence spans")] = False,
    cascade: Annotated[
        Path | None, typer.Option(help="linear pre-filter model for a transformer scan")
    ] = None,
    cascade_recall: Annotated[
        float,
        typer.Option(
            min=0.5,
            max=1.0,
            help="share of the transformer's flags the pre-filter keeps on unseen posts, on average",
        ),
    ] = 0.99,
    checkpoint_every: Annotated[int, typer.Option(min=1, help="rows between checkpoints")] = 50_000,
    engine: Annotated[str, typer.Option(help="local | ray (Ray Data; RAY_ADDRESS for a cluster)")] = "local",
) -> None:
    """Scan exported feeds: every row ends in the output or in OUTPUT.rejects.jsonl, with a reconciled summary."""
    from netra.model import ModelFolderError
    from netra.scan.runner import ScanError, ScanOptions, run_scan

    _logging(verbose=True)
    if fmt not in ("jsonl", "csv", "parquet"):
        fail(f"--format must be jsonl, csv or parquet, got {fmt!r}")
    options = ScanOptions(
        feeds=list(feeds),
        output=output,
        fmt=fmt,
        model=model,
        threshold=threshold,
        text_column=text_column,
        id_column=id_column,
        enqueue=enqueue,
        resume=resume,
        report=report,
        batch_size=batch_size,
        workers=workers,
        max_chars=max_chars,
        evidence=not no_evidence,
        cascade=cascade,
        cascade_recall=cascade_recall,
        checkpoint_rows=checkpoint_every,
    )
    if engine not in ("local", "ray"):
        fail(f"--engine must be local or ray, got {engine!r}")
    if engine == "ray":
        from netra.scan.ray_engine import run_ray_scan

        try:
            summary = run_ray_scan(options)
        except (ScanError, ModelFolderError) as exc:
            fail(str(exc))
        typer.echo(json.dumps(summary), err=True)
        return
    progress = _ProgressReporter()
    try:
        summary = run_scan(options, progress=progress.update)
    except (ScanError, ModelFolderError) as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail("interrupted: run the same command with --resume to continue", code=130)
    finally:
        progress.close()
    typer.echo(
        f"read {summary['rows_read']:,} rows = {summary['rows_scored']:,} scored + {summary['rows_rejected']:,} rejected "
        f"({'reconciled' if summary['reconciled'] else 'NOT RECONCILED'}); {summary['rows_flagged']:,} flagged; "
        f"{summary['rows_per_second_this_run'] or 0:,.0f} rows/s -> {output}",
        err=True,
    )


class _ProgressReporter:
    """A rich progress line on a terminal; a log line every 10 seconds otherwise."""

    def __init__(self) -> None:
        self.live = None
        self.last_log = 0.0
        if sys.stderr.isatty():
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self.live = Progress(
                SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), transient=False
            )
            self.task = self.live.add_task("scanning", total=None)
            self.live.start()

    def update(self, agg, elapsed: float) -> None:
        rate = agg.read / elapsed if elapsed else 0.0
        line = (
            f"{agg.read:,} rows read, {agg.flagged:,} flagged, {agg.rejected:,} rejected, {rate:,.0f} rows/s"
        )
        if self.live is not None:
            self.live.update(self.task, description=line)
        elif elapsed - self.last_log >= 10:
            logging.getLogger("netra.scan").info(line)
            self.last_log = elapsed

    def close(self) -> None:
        if self.live is not None:
            self.live.stop()


# -- registry and retraining ------------------------------------------------------------------------
models_app = typer.Typer(help="The model registry under $NETRA_HOME.", no_args_is_help=True)
app.add_typer(models_app, name="models")


def _registry():
    from netra.serving.settings import get_settings
    from netra.training.registry import Registry

    return Registry(get_settings().home)


def _audit(action: str, target: str, before, after, actor: str = "cli") -> None:
    from sqlalchemy.orm import sessionmaker

    from netra.serving.db import audit, make_engine, migrate, session_scope
    from netra.serving.settings import get_settings

    engine = make_engine(get_settings().resolved_database_url)
    migrate(engine)
    with session_scope(sessionmaker(engine)) as session:
        audit(session, actor, action, target, before, after)
    engine.dispose()


@models_app.command("list")
def models_list(
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """All registered versions, the active one marked."""
    from netra.training.registry import RegistryError

    registry = _registry()
    try:
        registry.ensure_initialized()
    except RegistryError as exc:
        fail(str(exc))
    rows = registry.list()
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        f1 = row["metrics"].get("f1")
        typer.echo(
            f"{'*' if row['active'] else ' '} {row['version']:<40} {row['kind']:<12} "
            f"F1 {f1 if f1 is None else f'{f1:.3f}'}  parent {row['parent'] or '-'}"
        )


@models_app.command("show")
def models_show(version: str) -> None:
    """One version: lineage, metrics, note."""
    from netra.training.registry import RegistryError

    try:
        typer.echo(json.dumps(_registry().show(version), indent=2, ensure_ascii=False))
    except RegistryError as exc:
        fail(str(exc))


@models_app.command("promote")
def models_promote(
    version: str,
    force: Annotated[bool, typer.Option("--force", help="promote even if the gate refuses")] = False,
    reason: Annotated[
        str | None, typer.Option(help="why (required with --force; goes into the audit log)")
    ] = None,
) -> None:
    """Run the promotion gate and activate the version if it passes. Exits 1 when the gate refuses."""
    from netra.training.gate import promote
    from netra.training.registry import RegistryError

    registry = _registry()
    try:
        registry.ensure_initialized()
        result = promote(registry, version, by="cli", force=force, reason=reason)
    except RegistryError as exc:
        fail(str(exc))
    typer.echo(f"comparison report: {result.report}")
    if not result.promoted:
        typer.echo(f"refused: {'; '.join(result.reasons)}", err=True)
        raise typer.Exit(1)
    _audit(
        "model.promote",
        f"model:{version}",
        {"version": result.active},
        {"version": version, "forced": result.forced, "reason": reason, "gate": result.reasons or "accepted"},
    )
    typer.echo(
        f"promoted {version} (was {result.active}){' by force: ' + str(reason) if result.forced else ''}"
    )


@models_app.command("rollback")
def models_rollback() -> None:
    """Re-activate the previously active version."""
    from netra.training.registry import RegistryError

    registry = _registry()
    current = registry.active
    try:
        version = registry.rollback(by="cli")
    except RegistryError as exc:
        fail(str(exc))
    _audit("model.rollback", f"model:{version}", {"version": current}, {"version": version})
    typer.echo(f"rolled back to {version} (was {current})")


@app.command()
def retrain(
    config: Annotated[Path, typer.Option("--config", "-c", help="training config")] = Path(
        "training/configs/linear.yaml"
    ),
    since: Annotated[
        str | None, typer.Option(help="only decisions settled at or after this ISO date/time")
    ] = None,
    labels: Annotated[
        Path | None, typer.Option("--labels", help="a labels/export JSONL instead of the database")
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="override one config field: key=value")
    ] = None,
) -> None:
    """Train a candidate on the corpus + analysts' settled decisions and register it (never promotes)."""
    from datetime import datetime

    from netra.data.corpus import CorpusError, load_records
    from netra.serving.settings import get_settings
    from netra.training.config import ConfigError, load_config
    from netra.training.registry import RegistryError
    from netra.training.retrain import labels_from_database
    from netra.training.retrain import retrain as run_retrain

    _logging(verbose=True)
    try:
        load_config(config, set_ or [])
        since_at = datetime.fromisoformat(since) if since else None
    except ConfigError as exc:
        fail(str(exc))
    except ValueError:
        fail(f"--since must be an ISO date or date-time, got {since!r}")
    try:
        if labels is not None:
            rows = load_records(labels, full_schema=False)
            if since_at is not None:
                rows = [r for r in rows if str(r.get("decided_at") or "") >= since_at.isoformat()]
        else:
            rows = labels_from_database(get_settings().resolved_database_url, since_at)
        report = run_retrain(
            _registry(), rows, config, set_ or [], progress=lambda m: typer.echo(m, err=True)
        )
    except (CorpusError, RegistryError) as exc:
        fail(str(exc))
    typer.echo(
        f"candidate {report['candidate']} (parent {report['parent']}): {report['new_labels']} new labels, "
        f"{len(report['overrides'])} corpus labels overridden, {report['seconds']} s. "
        f"Promote with `netra models promote {report['candidate']}`."
    )


# -- export -----------------------------------------------------------------------------------------
export_app = typer.Typer(help="Export models to other runtimes.", no_args_is_help=True)
app.add_typer(export_app, name="export")


@export_app.command("onnx")
def export_onnx_command(
    model: Annotated[Path, typer.Option("--model", help="a transformer model folder")],
    quantize: Annotated[
        str | None, typer.Option(help="int8: also write a dynamically quantised graph")
    ] = None,
) -> None:
    """Write model.onnx (and model.int8.onnx) into the folder; the int8 graph is used only if it passes
    the agreement (>= 99%) and F1 (drop <= 0.01) check on the corpus test split."""
    from netra.model import ModelFolderError
    from netra.model.onnx_export import export_onnx

    try:
        report = export_onnx(model, quantize)
    except (ModelFolderError, ValueError) as exc:
        fail(str(exc))
    typer.echo(json.dumps(report, indent=2))
    int8 = report.get("int8")
    if int8 and not int8["accepted"]:
        typer.echo("the int8 graph did not pass its check: Netra keeps using fp32", err=True)


# -- service ----------------------------------------------------------------------------------------
keys_app = typer.Typer(help="API keys of the scoring service.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@app.command()
def serve(
    model: Annotated[
        Path | None,
        typer.Option("--model", help="model folder (default: NETRA_MODEL or the embedded default)"),
    ] = None,
    host: Annotated[str | None, typer.Option(help="address to bind (default 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="port (default 8000)")] = None,
) -> None:
    """Run the scoring API and review queue (OpenAPI docs at /docs)."""
    import uvicorn
    from pydantic import ValidationError

    from netra.serving.app import StartupError, create_app
    from netra.serving.settings import get_settings

    _logging(verbose=True)
    overrides = {
        k: v for k, v in {"model": str(model) if model else None, "host": host, "port": port}.items() if v
    }
    try:
        settings = get_settings(**overrides)
    except ValidationError as exc:
        fail(f"invalid settings: {exc}")
    if not settings.resolved_model.exists():
        fail(
            f"model folder {settings.resolved_model} not found (run `make setup` to build the embedded default)"
        )
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
