"""Walk-forward evaluation of the core and earnings models, then the deployable bundles."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import ensemble, linear, lstm, metrics, xgb
from .data import PROFITABLE, Dataset, core_rows, earnings_rows
from .windows import Window, latest_window_per_date, walk_forward

CORE_MEMBERS = ["xgboost", "lstm", "linear", "ensemble"]
# Seeds 2.3.3: less data, simpler model; too few rows for a hyperparameter search to mean anything.
EARNINGS_PARAMS = {"n_estimators": 100, "max_depth": 4, "learning_rate": 0.1}
MIN_TRAIN_ROWS = 20


@dataclass
class Config:
    trials: int = 8
    seed: int = 7
    weights: dict = field(default_factory=lambda: ensemble.DEFAULT_WEIGHTS)


@dataclass
class CoreFit:
    xgb: xgb.XgbResult
    lstm_model: lstm.SpreadLstm
    lstm_info: dict
    scaler: lstm.Standardiser
    linear_model: object
    linear_features: list[str]
    sequence_features: list[str]


def fit_core(
    data: Dataset,
    frame: pd.DataFrame,
    sequences_all: np.ndarray | None,
    window: Window,
    config: Config,
    max_trees: int = 300,
    max_depth: int = 5,
) -> tuple[CoreFit, np.ndarray]:
    """Fits the three core members on `window`'s training rows; returns the fit and the sequences
    of every row of `frame` (built with this window's standardiser)."""
    features = data.features
    dates = frame["date"]
    fit_m, val_m, _ = window.masks(dates)
    use = core_rows(frame).to_numpy() & frame[PROFITABLE].notna().to_numpy()
    fit_m, val_m = fit_m & use, val_m & use
    X = frame[features].to_numpy(dtype=np.float32)
    y = frame[PROFITABLE].fillna(0).to_numpy(dtype=np.int64)
    result = xgb.search(X[fit_m], y[fit_m], X[val_m], y[val_m], config.trials, config.seed, max_trees, max_depth)

    seq_features = lstm.sequence_features(features)
    train_days = (dates >= window.train_start) & (dates <= window.fit_end)
    scaler = lstm.Standardiser.fit(frame.loc[train_days, seq_features].to_numpy(dtype=np.float64))
    seqs = lstm.sequences(frame, seq_features, scaler)
    lstm_model, info = lstm.train(seqs[fit_m], y[fit_m], seqs[val_m], y[val_m], config.seed)

    gain = result.model.get_booster().get_score(importance_type="gain")
    importance = {features[int(k[1:])]: v for k, v in gain.items()}
    lin_features = linear.top_features(importance, features)
    cols = [features.index(f) for f in lin_features]
    train_m = fit_m | val_m
    lin = linear.train(X[train_m][:, cols].astype(np.float64), y[train_m])
    return CoreFit(result, lstm_model, info, scaler, lin, lin_features, seq_features), seqs


def predict_core(fit: CoreFit, data: Dataset, frame: pd.DataFrame, seqs: np.ndarray, rows: np.ndarray, weights) -> dict:
    X = frame[data.features].to_numpy(dtype=np.float32)[rows]
    cols = [data.features.index(f) for f in fit.linear_features]
    preds = {
        "xgboost": xgb.predict(fit.xgb.model, X),
        "lstm": lstm.predict(fit.lstm_model, seqs[rows]),
        # float32 first: the engine and ONNX see float32 inputs, so should the reference.
        "linear": linear.predict(fit.linear_model, X[:, cols].astype(np.float64)),
    }
    regime = frame["regime"].to_numpy(dtype=np.float64)[rows] if "regime" in frame.columns else np.full(rows.sum(), np.nan)
    preds["ensemble"] = ensemble.combine({k: preds[k] for k in ("xgboost", "lstm", "linear")}, regime, weights)
    return preds


def _evaluate(test: pd.DataFrame, preds: dict[str, np.ndarray]) -> dict:
    y = test[PROFITABLE].to_numpy(dtype=np.int64)
    out = {"rule": metrics.daily_sharpe(test, metrics.strategy_rows(test, None)), "all": metrics.daily_sharpe(test, np.ones(len(test), bool))}
    for name, p in preds.items():
        out[name] = {**metrics.classification(y, p), **metrics.daily_sharpe(test, metrics.strategy_rows(test, p))}
    return out


def _by_regime(test: pd.DataFrame, preds: dict[str, np.ndarray]) -> dict:
    if "regime" not in test.columns:
        return {}
    out = {}
    for code, idx in test.groupby(test["regime"].fillna(-1)).groups.items():
        mask = test.index.isin(idx)
        name = ensemble.REGIME_CODES[int(code)] if code >= 0 else "unknown"
        out[name] = _evaluate(test[mask], {k: v[mask] for k, v in preds.items()})
    return out


def walk_forward_core(data: Dataset, config: Config, log=print) -> dict:
    frame = data.frame
    dates = frame["date"]
    windows = walk_forward(frame["date"])
    eval_rows = (core_rows(frame) & frame[PROFITABLE].notna()).to_numpy()
    owner = latest_window_per_date(windows, dates)
    pooled = {k: np.full(len(frame), np.nan) for k in CORE_MEMBERS}
    per_window = []
    for w in windows:
        fit, seqs = fit_core(data, frame, None, w, config)
        _, _, test_m = w.masks(dates)
        rows = test_m & eval_rows
        if rows.sum() == 0:
            continue
        preds = predict_core(fit, data, frame, seqs, rows, config.weights)
        result = _evaluate(frame[rows], preds)
        mine = (owner.to_numpy() == w.index) & rows
        for k in CORE_MEMBERS:
            pooled[k][mine] = preds[k][mine[rows]]
        per_window.append({"window": w.__dict__, "trees": fit.xgb.trees, "lstm_epochs": fit.lstm_info["epochs"], "metrics": result, "by_regime": _by_regime(frame[rows], preds)})
        log(
            f"core window {w.index:2d} test {w.test_start}..{w.test_end}: rows {int(rows.sum())}"
            f" auc xgb {result['xgboost']['auc'] or float('nan'):.3f} lstm {result['lstm']['auc'] or float('nan'):.3f}"
            f" linear {result['linear']['auc'] or float('nan'):.3f} ensemble {result['ensemble']['auc'] or float('nan'):.3f}"
        )
    covered = ~np.isnan(pooled["xgboost"])
    test = frame[covered]
    preds = {k: v[covered] for k, v in pooled.items()}
    return {
        "windows": per_window,
        "pooled": _evaluate(test, preds) if covered.any() else {},
        "pooled_by_regime": _by_regime(test, preds) if covered.any() else {},
        "pooled_span": [str(test["date"].min()), str(test["date"].max())] if covered.any() else None,
    }


def walk_forward_earnings(data: Dataset, config: Config, log=print) -> dict:
    frame = data.frame
    rows_all = (earnings_rows(frame) & frame[PROFITABLE].notna()).to_numpy()
    windows = walk_forward(frame["date"])
    owner = latest_window_per_date(windows, frame["date"])
    pooled = np.full(len(frame), np.nan)
    per_window = []
    X = frame[data.features].to_numpy(dtype=np.float32)
    y = frame[PROFITABLE].fillna(0).to_numpy(dtype=np.int64)
    for w in windows:
        fit_m, val_m, test_m = w.masks(frame["date"])
        train_m, test = (fit_m | val_m) & rows_all, test_m & rows_all
        if train_m.sum() < MIN_TRAIN_ROWS or test.sum() == 0 or len(np.unique(y[train_m])) < 2:
            continue
        model = xgb.fit_fixed(X[train_m], y[train_m], EARNINGS_PARAMS, config.seed)
        p = xgb.predict(model, X[test])
        result = _evaluate(frame[test], {"xgboost": p})
        mine = (owner.to_numpy() == w.index) & test
        pooled[mine] = p[mine[test]]
        per_window.append({"window": w.__dict__, "train_rows": int(train_m.sum()), "metrics": result})
        log(f"earnings window {w.index:2d}: train {int(train_m.sum())} test {int(test.sum())}")
    covered = ~np.isnan(pooled)
    return {
        "rows": int(rows_all.sum()),
        "windows": per_window,
        "pooled": _evaluate(frame[covered], {"xgboost": pooled[covered]}) if covered.any() else {},
    }
