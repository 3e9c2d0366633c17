"""Logistic-regression baseline (architecture 2.3.6): the top features by XGBoost gain, median
imputation, standardisation. It exists to show whether the trees and the LSTM add anything."""

from __future__ import annotations

import numpy as np
import onnx
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

INPUT_NAME = "features"
TOP_FEATURES = 30


def top_features(importance: dict[str, float], features: list[str], k: int = TOP_FEATURES) -> list[str]:
    """Top-k by gain, in the export's column order so the input layout is stable."""
    ranked = sorted(features, key=lambda f: (-importance.get(f, 0.0), features.index(f)))
    chosen = set(ranked[:k])
    return [f for f in features if f in chosen]


def train(X: np.ndarray, y: np.ndarray) -> Pipeline:
    model = Pipeline(
        [
            ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
            ("scale", StandardScaler()),
            ("logit", LogisticRegression(C=0.1, max_iter=2000)),
        ]
    )
    model.fit(X, y)
    return model


def predict(model: Pipeline, X: np.ndarray) -> np.ndarray:
    return model.predict_proba(X)[:, 1]


def to_onnx(model: Pipeline, n_features: int) -> onnx.ModelProto:
    proto = convert_sklearn(
        model,
        initial_types=[(INPUT_NAME, FloatTensorType([None, n_features]))],
        options={id(model.named_steps["logit"]): {"zipmap": False}},
        target_opset={"": 17, "ai.onnx.ml": 3},
    )
    if any(o.type.HasField("map_type") or o.type.HasField("sequence_type") for o in proto.graph.output):
        raise ValueError("linear ONNX export has non-tensor outputs")
    return proto


def engine_json(model: Pipeline) -> dict:
    impute, scale, logit = (model.named_steps[k] for k in ("impute", "scale", "logit"))
    return {
        "kind": "logistic",
        "median": impute.statistics_.astype(np.float64).tolist(),
        "mean": scale.mean_.astype(np.float64).tolist(),
        "scale": scale.scale_.astype(np.float64).tolist(),
        "coef": logit.coef_[0].astype(np.float64).tolist(),
        "intercept": float(logit.intercept_[0]),
    }
