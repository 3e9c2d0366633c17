"""Regime-weighted ensemble (architecture 2.3.6), the same rule the engine's scorer applies.

Weights are per regime name with a `default`; members without a weight get none, and the weights of
the members that scored are renormalised to sum to 1.
"""

from __future__ import annotations

import numpy as np

from .data import REGIME_CODES

# The seeds' CoreModel weights; a topology may set others per regime.
DEFAULT_WEIGHTS: dict[str, dict[str, float]] = {"default": {"xgboost": 0.6, "lstm": 0.4}}


def weights_for(regime_code: float, weights: dict[str, dict[str, float]]) -> dict[str, float]:
    name = REGIME_CODES[int(regime_code)] if np.isfinite(regime_code) else None
    return weights.get(name, weights["default"]) if name is not None else weights["default"]


def combine(
    predictions: dict[str, np.ndarray], regime: np.ndarray, weights: dict[str, dict[str, float]]
) -> np.ndarray:
    out = np.empty(len(regime))
    for i, code in enumerate(regime):
        w = weights_for(code, weights)
        total = sum(w.get(name, 0.0) for name in predictions)
        out[i] = sum(w.get(name, 0.0) * p[i] for name, p in predictions.items()) / total
    return out
