"""Writes a deployable model bundle: ONNX per member, the engine's JSON transcription, metadata and
a parity fixture (raw feature rows + Python predictions) the Node tests check without Python."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import numpy as np
import onnx
import pandas as pd

from . import ensemble, linear, lstm, xgb
from .data import Dataset, core_rows, earnings_rows
from .pipeline import EARNINGS_PARAMS, Config, fit_core, predict_core
from .windows import Window, final_window

SCHEMA_VERSION = 1
PARITY_ROWS = 90


def _finite(v: float) -> float | None:
    return None if v is None or not math.isfinite(v) else float(v)


def _write_json(path: Path, value) -> None:
    path.write_text(json.dumps(value, indent=None, separators=(",", ":"), allow_nan=False) + "\n")


def _write_onnx(path: Path, proto: onnx.ModelProto) -> str:
    # The converters name the graph with a fresh uuid: without a fixed name the same model would get
    # new bytes, a new sha256 and a new version on every retrain.
    proto.graph.name = path.stem
    data = proto.SerializeToString()
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def _version(name: str, hashes: dict[str, str]) -> str:
    """Content-addressed: a retrained model with equal bytes keeps its version, any change moves it."""
    digest = hashlib.sha256("".join(hashes[k] for k in sorted(hashes)).encode()).hexdigest()[:12]
    return f"{name}-{digest}"


def _rows_json(frame: pd.DataFrame, names: list[str]) -> list[dict]:
    return [
        {
            "underlying": r["underlying"],
            "date": r["date"],
            "values": {n: _finite(r[n]) for n in names},
        }
        for _, r in frame.iterrows()
    ]


def write_core(data: Dataset, out: Path, config: Config, walk_forward: dict, log=print) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    frame = data.frame
    window = final_window(frame["date"])
    # The committed model is held to 200 trees of depth 3: small enough to commit and the size the
    # latency target is stated for; learning rate and sampling still come from the search.
    fit, seqs = fit_core(data, frame, None, window, config, max_trees=200, max_depth=3)
    fit.xgb.model.set_params(n_estimators=200, max_depth=3)
    train_m = (
        (frame["date"] >= window.train_start)
        & (frame["date"] <= window.train_end)
        & core_rows(frame)
        & frame["label_pcs_profitable"].notna()
    ).to_numpy()
    X = frame[data.features].to_numpy(dtype=np.float32)
    y = frame["label_pcs_profitable"].fillna(0).to_numpy(dtype=np.int64)
    fit.xgb.model.fit(X[train_m], y[train_m], verbose=False)

    n_seq = len(fit.sequence_features)
    hashes = {
        "xgboost": _write_onnx(out / "xgboost.onnx", xgb.to_onnx(fit.xgb.model, len(data.features))),
        "lstm": _write_onnx(out / "lstm.onnx", lstm.to_onnx(fit.lstm_model, n_seq)),
        "linear": _write_onnx(out / "linear.onnx", linear.to_onnx(fit.linear_model, len(fit.linear_features))),
    }
    _write_json(out / "xgboost.json", xgb.engine_json(onnx.load(out / "xgboost.onnx")))
    _write_json(out / "lstm.json", lstm.engine_json(fit.lstm_model, fit.scaler))
    _write_json(out / "linear.json", linear.engine_json(fit.linear_model))
    version = _version("core", hashes)

    # Parity rows: the last PARITY_ROWS decisions of each underlying, contiguous so the LSTM's
    # 60-decision windows can be rebuilt from them in the engine.
    tail = frame.groupby("underlying", sort=True).tail(PARITY_ROWS + lstm.SEQUENCE_LENGTH)
    rows = np.zeros(len(frame), bool)
    rows[frame.index.get_indexer(tail.index)] = True
    preds = predict_core(fit, data, frame, seqs, rows, config.weights)
    names = sorted(set(data.features) | set(fit.sequence_features) | {"earnings_window", "earnings_blackout"} & set(frame.columns))
    parity_rows = _rows_json(frame[rows], [n for n in names if n in frame.columns])
    for r, k in zip(parity_rows, range(len(parity_rows)), strict=True):
        r["expected"] = {m: float(preds[m][k]) for m in preds}
    _write_json(out / "parity.json", {"model": version, "rows": parity_rows})

    metadata = {
        "schemaVersion": SCHEMA_VERSION,
        "name": "core",
        "version": version,
        "task": "P(0.25-delta put credit spread opened at this decision is profitable)",
        "label": "label_pcs_profitable",
        "dataHash": data.data_hash,
        "dataSource": Path(data.source).name,
        "trainingWindow": {"start": window.train_start, "end": window.train_end, "validationFrom": window.fit_end},
        "trainingRows": int(train_m.sum()),
        "features": data.features,
        "members": {
            "xgboost": {
                "onnx": "xgboost.onnx",
                "engine": "xgboost.json",
                "sha256": hashes["xgboost"],
                "features": data.features,
                "input": xgb.INPUT_NAME,
                "output": "probabilities",
                "outputColumn": 1,
                "params": {k: (float(v) if isinstance(v, float) else v) for k, v in fit.xgb.model.get_params().items() if k in ("n_estimators", "max_depth", "learning_rate", "colsample_bytree", "subsample", "min_child_weight", "reg_lambda")},
            },
            "lstm": {
                "onnx": "lstm.onnx",
                "engine": "lstm.json",
                "sha256": hashes["lstm"],
                "features": fit.sequence_features,
                "input": lstm.INPUT_NAME,
                "output": "probability",
                "outputColumn": 0,
                "sequenceLength": lstm.SEQUENCE_LENGTH,
                "training": fit.lstm_info,
            },
            "linear": {
                "onnx": "linear.onnx",
                "engine": "linear.json",
                "sha256": hashes["linear"],
                "features": fit.linear_features,
                "input": linear.INPUT_NAME,
                "output": "probabilities",
                "outputColumn": 1,
            },
        },
        "ensemble": {"weights": config.weights},
        "walkForward": _summary(walk_forward),
    }
    (out / "metadata.json").write_text(json.dumps(metadata, indent=2, allow_nan=False) + "\n")
    log(f"core bundle {version}: {len(data.features)} features, {int(train_m.sum())} training rows")
    return metadata


def write_earnings(data: Dataset, out: Path, config: Config, walk_forward: dict, log=print) -> dict | None:
    frame = data.frame
    use = (earnings_rows(frame) & frame["label_pcs_profitable"].notna()).to_numpy()
    y = frame["label_pcs_profitable"].fillna(0).to_numpy(dtype=np.int64)
    if use.sum() < 10 or len(np.unique(y[use])) < 2:
        log(f"earnings model not written: {int(use.sum())} labelled earnings-window rows")
        return None
    out.mkdir(parents=True, exist_ok=True)
    X = frame[data.features].to_numpy(dtype=np.float32)
    model = xgb.fit_fixed(X[use], y[use], EARNINGS_PARAMS, config.seed)
    hashes = {"xgboost": _write_onnx(out / "xgboost.onnx", xgb.to_onnx(model, len(data.features)))}
    _write_json(out / "xgboost.json", xgb.engine_json(onnx.load(out / "xgboost.onnx")))
    version = _version("earnings", hashes)
    sample = frame[use].tail(PARITY_ROWS)
    p = xgb.predict(model, X[frame.index.get_indexer(sample.index)])
    parity_rows = _rows_json(sample, data.features)
    for r, v in zip(parity_rows, p, strict=True):
        r["expected"] = {"xgboost": float(v), "ensemble": float(v)}
    _write_json(out / "parity.json", {"model": version, "rows": parity_rows})
    dates = frame.loc[use, "date"]
    metadata = {
        "schemaVersion": SCHEMA_VERSION,
        "name": "earnings",
        "version": version,
        "task": "P(put credit spread opened inside the earnings window is profitable)",
        "label": "label_pcs_profitable",
        "dataHash": data.data_hash,
        "dataSource": Path(data.source).name,
        "trainingWindow": {"start": str(dates.min()), "end": str(dates.max()), "validationFrom": None},
        "trainingRows": int(use.sum()),
        "features": data.features,
        "members": {
            "xgboost": {
                "onnx": "xgboost.onnx",
                "engine": "xgboost.json",
                "sha256": hashes["xgboost"],
                "features": data.features,
                "input": xgb.INPUT_NAME,
                "output": "probabilities",
                "outputColumn": 1,
                "params": EARNINGS_PARAMS,
            }
        },
        "ensemble": {"weights": {"default": {"xgboost": 1.0}}},
        "walkForward": _summary(walk_forward),
    }
    (out / "metadata.json").write_text(json.dumps(metadata, indent=2, allow_nan=False) + "\n")
    log(f"earnings bundle {version}: {int(use.sum())} training rows")
    return metadata


def _summary(wf: dict) -> dict:
    pooled = wf.get("pooled", {})
    return {
        "windows": len(wf.get("windows", [])),
        "span": wf.get("pooled_span"),
        "pooled": {
            k: {m: v.get(m) for m in ("auc", "accuracy", "precision", "recall", "sharpe", "trades")}
            for k, v in pooled.items()
        },
    }


__all__ = ["write_core", "write_earnings", "Window", "ensemble"]
