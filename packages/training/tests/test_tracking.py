"""The MLflow file store gets one run per training, with the walk-forward metrics, offline."""

import json

import pytest

from thetaflow_training import tracking

mlflow = pytest.importorskip("mlflow")


def test_a_run_records_params_pooled_and_per_window_metrics(tmp_path):
    meta = tmp_path / "core" / "metadata.json"
    meta.parent.mkdir()
    meta.write_text(json.dumps({"version": "core-test"}))
    core = {
        "pooled": {"xgboost": {"auc": 0.61, "sharpe": 0.3, "trades": 24}, "rule": {"sharpe": 0.31, "trades": 24}},
        "windows": [
            {"window": {"index": 0}, "metrics": {"xgboost": {"auc": 0.55}, "lstm": {"auc": None}}},
            {"window": {"index": 1}, "metrics": {"xgboost": {"auc": 0.65}}},
        ],
    }
    run_id = tracking.record(tmp_path / "mlruns", {"coreVersion": "core-test", "seed": 7}, core, {}, [meta], log=lambda *_: None)
    assert run_id is not None
    mlflow.set_tracking_uri((tmp_path / "mlruns").resolve().as_uri())
    run = mlflow.get_run(run_id)
    assert run.data.params["seed"] == "7"
    assert run.data.metrics["pooled.xgboost.auc"] == pytest.approx(0.61)
    assert run.data.metrics["pooled.rule.trades"] == 24
    history = mlflow.tracking.MlflowClient().get_metric_history(run_id, "window.xgboost.auc")
    assert [(m.step, m.value) for m in history] == [(0, pytest.approx(0.55)), (1, pytest.approx(0.65))]
