"""XGBoost classifier: Optuna search on a time-ordered validation split, early stopping, ONNX export.

The engine scores trees synchronously in TypeScript from a JSON transcription of the *ONNX graph*
(not of XGBoost's own dump), so what the engine evaluates is provably the exported model: the same
float32 thresholds, missing-value directions, base value and logistic transform.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import onnx
import optuna
import xgboost as xgb
from onnx import helper, numpy_helper
from onnxmltools import convert_xgboost
from onnxmltools.convert.common.data_types import FloatTensorType
from sklearn.metrics import log_loss

optuna.logging.set_verbosity(optuna.logging.WARNING)

INPUT_NAME = "features"


@dataclass(frozen=True)
class XgbResult:
    model: xgb.XGBClassifier
    params: dict
    validation_logloss: float
    trees: int


def _classifier(params: dict, seed: int, early_stopping: int | None) -> xgb.XGBClassifier:
    return xgb.XGBClassifier(
        **params,
        objective="binary:logistic",
        eval_metric="logloss",
        tree_method="hist",
        # ~500 rows: one thread; more only spin against other jobs on a shared machine.
        n_jobs=1,
        random_state=seed,
        early_stopping_rounds=early_stopping,
    )


def search(
    X_fit: np.ndarray,
    y_fit: np.ndarray,
    X_val: np.ndarray,
    y_val: np.ndarray,
    trials: int,
    seed: int,
    max_trees: int = 300,
    max_depth: int = 5,
) -> XgbResult:
    """Optuna TPE over the seeds' ranges (depth, learning rate, column/row sampling), each trial
    early-stopped on the validation tail of the training window."""

    def objective(trial: optuna.Trial) -> float:
        params = {
            "n_estimators": max_trees,
            "max_depth": trial.suggest_int("max_depth", 2, max_depth),
            "learning_rate": trial.suggest_float("learning_rate", 0.01, 0.1, log=True),
            "colsample_bytree": trial.suggest_float("colsample_bytree", 0.6, 1.0),
            "subsample": trial.suggest_float("subsample", 0.6, 1.0),
            "min_child_weight": trial.suggest_float("min_child_weight", 1.0, 20.0, log=True),
            "reg_lambda": trial.suggest_float("reg_lambda", 0.1, 10.0, log=True),
        }
        model = _classifier(params, seed, early_stopping=30)
        model.fit(X_fit, y_fit, eval_set=[(X_val, y_val)], verbose=False)
        trial.set_user_attr("trees", int(model.best_iteration) + 1)
        return float(log_loss(y_val, model.predict_proba(X_val)[:, 1], labels=[0, 1]))

    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(objective, n_trials=trials)
    best = dict(study.best_params)
    trees = int(study.best_trial.user_attrs["trees"])
    # Refit on fit+validation with the early-stopped tree count: the validation tail is the most
    # recent data and the deployed model should have seen it.
    params = {**best, "n_estimators": max(trees, 10)}
    model = _classifier(params, seed, early_stopping=None)
    model.fit(np.vstack([X_fit, X_val]), np.concatenate([y_fit, y_val]), verbose=False)
    return XgbResult(model=model, params=params, validation_logloss=float(study.best_value), trees=params["n_estimators"])


def fit_fixed(X: np.ndarray, y: np.ndarray, params: dict, seed: int) -> xgb.XGBClassifier:
    model = _classifier(params, seed, early_stopping=None)
    model.fit(X, y, verbose=False)
    return model


def predict(model: xgb.XGBClassifier, X: np.ndarray) -> np.ndarray:
    return model.predict_proba(X)[:, 1]


def to_onnx(model: xgb.XGBClassifier, n_features: int) -> onnx.ModelProto:
    """onnxmltools emits `label` and a `probabilities` tensor for XGBoost (no ZipMap map output,
    which onnxruntime-node could not return)."""
    proto = convert_xgboost(
        model, initial_types=[(INPUT_NAME, FloatTensorType([None, n_features]))], target_opset=15
    )
    outputs = [o.name for o in proto.graph.output]
    if any(o.type.HasField("map_type") or o.type.HasField("sequence_type") for o in proto.graph.output):
        raise ValueError(f"XGBoost ONNX export has non-tensor outputs {outputs}")
    return proto


def _attrs(node: onnx.NodeProto) -> dict:
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def engine_json(proto: onnx.ModelProto) -> dict:
    """The TreeEnsembleClassifier of `proto` as flat per-tree arrays for the TypeScript scorer."""
    nodes = [n for n in proto.graph.node if n.op_type == "TreeEnsembleClassifier"]
    if len(nodes) != 1:
        raise ValueError(f"expected one TreeEnsembleClassifier, found {len(nodes)}")
    a = _attrs(nodes[0])
    if a.get("post_transform", b"NONE") != b"LOGISTIC":
        raise ValueError(f"unsupported post_transform {a.get('post_transform')}")
    if set(a["class_ids"]) != {0}:
        raise ValueError("expected a binary ensemble with one score per leaf")
    modes = [m.decode() for m in a["nodes_modes"]]
    if set(modes) - {"BRANCH_LT", "LEAF"}:
        raise ValueError(f"unsupported node modes {sorted(set(modes))}")
    thresholds = a.get("nodes_values")
    if thresholds is None:
        thresholds = numpy_helper.to_array(a["nodes_values_as_tensor"]).tolist()
    missing_true = a.get("nodes_missing_value_tracks_true", [0] * len(modes))
    weights = a.get("class_weights")
    if weights is None:
        weights = numpy_helper.to_array(a["class_weights_as_tensor"]).tolist()
    leaf_weight = {
        (t, n): w for t, n, w in zip(a["class_treeids"], a["class_nodeids"], weights, strict=True)
    }
    trees: dict[int, dict[int, int]] = {}
    for i, (t, n) in enumerate(zip(a["nodes_treeids"], a["nodes_nodeids"], strict=True)):
        trees.setdefault(t, {})[n] = i
    out_trees = []
    for t in sorted(trees):
        index = trees[t]
        ids = sorted(index)
        position = {n: k for k, n in enumerate(ids)}
        feature, threshold, yes, no, missing_yes, leaf = [], [], [], [], [], []
        for n in ids:
            i = index[n]
            if modes[i] == "LEAF":
                feature.append(-1)
                threshold.append(0.0)
                yes.append(-1)
                no.append(-1)
                missing_yes.append(0)
                leaf.append(float(np.float32(leaf_weight.get((t, n), 0.0))))
            else:
                feature.append(int(a["nodes_featureids"][i]))
                threshold.append(float(np.float32(thresholds[i])))
                yes.append(position[a["nodes_truenodeids"][i]])
                no.append(position[a["nodes_falsenodeids"][i]])
                missing_yes.append(int(missing_true[i]))
                leaf.append(0.0)
        out_trees.append(
            {"feature": feature, "threshold": threshold, "yes": yes, "no": no, "missingYes": missing_yes, "leaf": leaf}
        )
    base = a.get("base_values") or [0.0]
    return {
        "kind": "treeEnsemble",
        "comparison": "x < threshold (float32), NaN follows missingYes",
        "baseValue": float(np.float32(base[0])),
        "postTransform": "logistic",
        "trees": out_trees,
    }
