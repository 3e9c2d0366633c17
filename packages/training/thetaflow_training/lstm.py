"""LSTM over the last 60 decisions of an underlying (architecture 2.3.6), PyTorch, exported to ONNX.

Scaled down from the seeds' 128/64 units: two bundled years per window give a few hundred
sequences, which a 128-unit stack would memorise. One LSTM layer of `HIDDEN` units, a ReLU dense
layer and a sigmoid output. Inputs are standardised with the training window's mean and standard
deviation; a missing value becomes 0 after standardisation (the training mean). Histories shorter
than 60 decisions are left-padded with zeros, in training and in the engine alike.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import onnx
import pandas as pd
import torch
from torch import nn

SEQUENCE_LENGTH = 60
INPUT_NAME = "sequence"
# Units of the LSTM layer: the smallest size whose mean validation log-loss over the walk-forward
# windows' training tails is within 0.005 of the best (size_study.py; result in lstm-size-study.json:
# 8 units 0.3082, 16 units 0.3073, 4 units 0.3665). The engine re-runs the 60-step recurrence at
# every decision and 8 units cost about 2.5x less per decision than 16.
HIDDEN = 8

# Volatility, regime, momentum and calendar-of-events state: the temporal part the trees see only
# as one snapshot. Names missing from an export are skipped.
SEQUENCE_FEATURES = [
    "iv_atm",
    "iv_rank",
    "iv_percentile",
    "iv_term_structure",
    "skew_25d",
    "rv_20",
    "rv_ratio_5_20",
    "hv_iv_ratio",
    "vix",
    "vix_rank",
    "vix_change_1d",
    "returns_1d",
    "returns_5d",
    "rsi_14",
    "price_vs_sma20",
    "regime",
]


class SpreadLstm(nn.Module):
    def __init__(self, n_features: int, hidden: int, dense: int) -> None:
        super().__init__()
        self.lstm = nn.LSTM(n_features, hidden, batch_first=True)
        self.dense = nn.Linear(hidden, dense)
        self.out = nn.Linear(dense, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _, (h, _) = self.lstm(x)
        z = torch.relu(self.dense(h[-1]))
        return torch.sigmoid(self.out(z))


@dataclass(frozen=True)
class Standardiser:
    mean: np.ndarray
    std: np.ndarray

    @staticmethod
    def fit(X: np.ndarray) -> Standardiser:
        mean = np.nanmean(X, axis=0)
        std = np.nanstd(X, axis=0)
        mean = np.where(np.isfinite(mean), mean, 0.0)
        std = np.where(np.isfinite(std) & (std > 1e-12), std, 1.0)
        return Standardiser(mean, std)

    def apply(self, X: np.ndarray) -> np.ndarray:
        Z = (X - self.mean) / self.std
        return np.where(np.isfinite(Z), Z, 0.0)


def sequence_features(columns: list[str]) -> list[str]:
    return [c for c in SEQUENCE_FEATURES if c in columns]


def sequences(frame: pd.DataFrame, features: list[str], scaler: Standardiser) -> np.ndarray:
    """For every row of `frame` (all decisions, any order), the standardised window of its
    underlying's last SEQUENCE_LENGTH decisions ending at that row, as float32 [rows, 60, F]."""
    out = np.zeros((len(frame), SEQUENCE_LENGTH, len(features)), dtype=np.float32)
    position = {idx: k for k, idx in enumerate(frame.index)}
    for _, group in frame.groupby("underlying", sort=True):
        group = group.sort_values("date", kind="stable")
        Z = scaler.apply(group[features].to_numpy(dtype=np.float64)).astype(np.float32)
        for j, idx in enumerate(group.index):
            start = max(0, j - SEQUENCE_LENGTH + 1)
            window = Z[start : j + 1]
            out[position[idx], SEQUENCE_LENGTH - len(window) :] = window
    return out


def train(
    X_fit: np.ndarray,
    y_fit: np.ndarray,
    X_val: np.ndarray,
    y_val: np.ndarray,
    seed: int,
    hidden: int = HIDDEN,
    dense: int = 8,
    epochs: int = 40,
    patience: int = 6,
) -> tuple[SpreadLstm, dict]:
    """Adam + binary cross-entropy, early stopping on validation loss (best weights restored)."""
    torch.manual_seed(seed)
    # A few hundred short sequences: a second thread gains nothing, and on a shared machine its
    # OpenMP spin-waiting made a window 10-30x slower (BENCHMARKS.md, Models).
    torch.set_num_threads(1)
    model = SpreadLstm(X_fit.shape[2], hidden, dense)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-4)
    loss_fn = nn.BCELoss()
    xf, yf = torch.from_numpy(X_fit), torch.from_numpy(y_fit.astype(np.float32)).unsqueeze(1)
    xv, yv = torch.from_numpy(X_val), torch.from_numpy(y_val.astype(np.float32)).unsqueeze(1)
    generator = torch.Generator().manual_seed(seed)
    best, best_state, stale, epochs_run = float("inf"), None, 0, 0
    for _ in range(epochs):
        epochs_run += 1
        model.train()
        order = torch.randperm(len(xf), generator=generator)
        for k in range(0, len(order), 128):
            batch = order[k : k + 128]
            opt.zero_grad()
            loss = loss_fn(model(xf[batch]), yf[batch])
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            val = float(loss_fn(model(xv), yv)) if len(xv) else float(loss_fn(model(xf), yf))
        if val < best - 1e-5:
            best, stale = val, 0
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        else:
            stale += 1
            if stale >= patience:
                break
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return model, {"validation_logloss": best, "epochs": epochs_run, "hidden": hidden, "dense": dense}


def predict(model: SpreadLstm, X: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return model(torch.from_numpy(X)).numpy()[:, 0].astype(np.float64)


def to_onnx(model: SpreadLstm, n_features: int) -> onnx.ModelProto:
    buffer = io.BytesIO()
    dummy = torch.zeros(1, SEQUENCE_LENGTH, n_features)
    torch.onnx.export(
        model,
        (dummy,),
        buffer,
        input_names=[INPUT_NAME],
        output_names=["probability"],
        dynamic_axes={INPUT_NAME: {0: "batch"}, "probability": {0: "batch"}},
        opset_version=17,
        dynamo=False,
    )
    return onnx.load_from_string(buffer.getvalue())


def engine_json(model: SpreadLstm, scaler: Standardiser) -> dict:
    """PyTorch's gate order (input, forget, cell, output), weights row-major, for the TS scorer."""
    sd = {k: v.detach().numpy().astype(np.float64) for k, v in model.state_dict().items()}
    return {
        "kind": "lstm",
        "sequenceLength": SEQUENCE_LENGTH,
        "hidden": int(sd["lstm.weight_hh_l0"].shape[1]),
        "gateOrder": "i,f,g,o",
        "mean": scaler.mean.tolist(),
        "std": scaler.std.tolist(),
        "weightIh": sd["lstm.weight_ih_l0"].ravel().tolist(),
        "weightHh": sd["lstm.weight_hh_l0"].ravel().tolist(),
        "biasIh": sd["lstm.bias_ih_l0"].tolist(),
        "biasHh": sd["lstm.bias_hh_l0"].tolist(),
        "denseWeight": sd["dense.weight"].ravel().tolist(),
        "denseBias": sd["dense.bias"].tolist(),
        "outWeight": sd["out.weight"].ravel().tolist(),
        "outBias": sd["out.bias"].tolist(),
    }
