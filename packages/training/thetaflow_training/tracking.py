"""Experiment tracking in a local MLflow file store: one run per `npm run train`, no server, no network.

Optional: MLflow comes with the `tracking` extra (`pip install -e '.[tracking]'`, mlflow-skinny,
~60 MB beside the 6 GB of torch). Without it training runs the same and says tracking was skipped.
Browse a store with `mlflow ui --backend-store-uri file:<dir>` (needs the full `mlflow` package).
"""

from __future__ import annotations

import os
from pathlib import Path

EXPERIMENT = "thetaflow-core"


def _flat_metrics(prefix: str, result: dict) -> dict[str, float]:
    out: dict[str, float] = {}
    for member, values in result.items():
        for key in ("auc", "accuracy", "precision", "recall", "sharpe", "trades", "pnl_dollars"):
            v = values.get(key) if isinstance(values, dict) else None
            if isinstance(v, (int, float)):
                out[f"{prefix}.{member}.{key}"] = float(v)
    return out


def record(store: str | Path, params: dict, core: dict, earnings: dict, artifacts: list[Path], log=print) -> str | None:
    """Logs the run's parameters, pooled and per-window walk-forward metrics and the bundles'
    metadata; returns the run id, or None when MLflow is not installed."""
    # MLflow 3 refuses the file store unless asked: it is in maintenance mode upstream, but it is
    # the only backend that needs neither a server nor SQLAlchemy.
    os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    try:
        import mlflow
    except ImportError:
        log("MLflow not installed (pip install -e 'packages/training[tracking]'): tracking skipped")
        return None
    store = Path(store).resolve()
    store.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(store.as_uri())
    mlflow.set_experiment(EXPERIMENT)
    with mlflow.start_run(run_name=str(params.get("coreVersion", "train"))) as run:
        mlflow.log_params({k: str(v) for k, v in params.items()})
        mlflow.log_metrics(_flat_metrics("pooled", core.get("pooled", {})))
        mlflow.log_metrics(_flat_metrics("earnings.pooled", earnings.get("pooled", {})))
        for w in core.get("windows", []):
            step = int(w["window"]["index"])
            for member in ("xgboost", "lstm", "linear", "ensemble"):
                auc = w["metrics"].get(member, {}).get("auc")
                if auc is not None:
                    mlflow.log_metric(f"window.{member}.auc", float(auc), step=step)
        for path in artifacts:
            if path.exists():
                mlflow.log_artifact(str(path), artifact_path=path.parent.name)
    log(f"MLflow run {run.info.run_id} in {store}")
    return run.info.run_id
