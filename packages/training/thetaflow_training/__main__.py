"""`python -m thetaflow_training --features export.csv --models models --report docs/models.md`"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from . import bundle, lstm, report, tracking
from .data import load_export
from .pipeline import Config, walk_forward_core, walk_forward_earnings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="thetaflow_training", description=__doc__)
    parser.add_argument("--features", required=True, help="feature/label CSV written by `thetaflow features`")
    parser.add_argument("--models", required=True, help="output directory for the core/ and earnings/ bundles")
    parser.add_argument("--report", help="write the walk-forward report (markdown) here")
    parser.add_argument("--results", help="write the raw walk-forward results (JSON) here")
    parser.add_argument("--trials", type=int, default=8, help="Optuna trials per window (default 8)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--mlflow", help="record the run in this MLflow file store (if MLflow is installed)")
    parser.add_argument("--size-study", help="LSTM size study (JSON from thetaflow_training.size_study) to quote in the report")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    try:
        data = load_export(args.features)
    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    config = Config(trials=args.trials, seed=args.seed)
    print(f"{data.source}: {len(data.frame)} rows, {len(data.features)} features, sha256 {data.data_hash[:16]}")
    core = walk_forward_core(data, config)
    earnings = walk_forward_earnings(data, config)
    models = Path(args.models)
    bundles = {
        "core": bundle.write_core(data, models / "core", config, core),
        "earnings": bundle.write_earnings(data, models / "earnings", config, earnings),
    }
    if args.results:
        Path(args.results).write_text(json.dumps({"core": core, "earnings": earnings}, indent=1, default=str) + "\n")
    if args.report:
        command = "npm run train"
        study = json.loads(Path(args.size_study).read_text()) if args.size_study and Path(args.size_study).exists() else None
        text = report.render(Path(data.source).name, data.data_hash, len(data.frame), len(data.features), core, earnings, bundles, command, study)
        Path(args.report).parent.mkdir(parents=True, exist_ok=True)
        Path(args.report).write_text(text)
    if args.mlflow:
        params = {
            "source": Path(data.source).name,
            "dataHash": data.data_hash,
            "rows": len(data.frame),
            "features": len(data.features),
            "trials": config.trials,
            "seed": config.seed,
            "lstmHidden": lstm.HIDDEN,
            "coreVersion": bundles["core"]["version"],
            "earningsVersion": bundles["earnings"]["version"] if bundles["earnings"] else "none",
        }
        artifacts = [models / "core" / "metadata.json", models / "earnings" / "metadata.json"]
        if args.report:
            artifacts.append(Path(args.report))
        tracking.record(args.mlflow, params, core, earnings, artifacts)
    print(f"done in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
