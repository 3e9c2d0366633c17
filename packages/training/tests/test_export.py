"""The exported ONNX models must reproduce the Python models' predictions (the Node side checks
the engine's transcription against the same ONNX files)."""

import json

import numpy as np
import onnxruntime as ort
import pytest

from thetaflow_training import bundle, lstm
from thetaflow_training.data import load_export
from thetaflow_training.pipeline import Config
from thetaflow_training.synthetic import make_export


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("export")
    data = load_export(make_export(tmp / "features.csv", days=560))
    meta = bundle.write_core(data, tmp / "core", Config(trials=2), {"windows": []}, log=lambda *_: None)
    return data, tmp / "core", meta


def test_regime_names_become_the_stream_codes_and_levels_are_dropped(trained):
    data, _, _ = trained
    assert set(data.frame["regime"].dropna().unique()) <= {0, 1, 2, 3, 4}
    assert "close" not in data.features and "iv_rank" in data.features


def test_metadata_names_features_in_order_and_hashes_the_data(trained):
    data, _, meta = trained
    assert meta["features"] == data.features
    assert meta["members"]["xgboost"]["features"] == data.features
    assert meta["dataHash"] == data.data_hash and len(meta["dataHash"]) == 64
    assert meta["version"].startswith("core-")
    assert meta["members"]["xgboost"]["params"]["n_estimators"] == 200


def test_onnx_models_have_tensor_outputs_only_and_match_python(trained):
    _, out, meta = trained
    parity = json.loads((out / "parity.json").read_text())
    rows = parity["rows"]
    for name in ("xgboost", "linear"):
        m = meta["members"][name]
        session = ort.InferenceSession(str(out / m["onnx"]))
        assert all(o.type.startswith("tensor") for o in session.get_outputs())
        X = np.array([[np.nan if r["values"][f] is None else r["values"][f] for f in m["features"]] for r in rows], dtype=np.float32)
        got = session.run([m["output"]], {m["input"]: X})[0][:, m["outputColumn"]]
        expected = np.array([r["expected"][name] for r in rows])
        assert np.max(np.abs(got - expected)) < 1e-5


def test_engine_json_is_the_onnx_ensemble(trained):
    _, out, meta = trained
    trees = json.loads((out / "xgboost.json").read_text())
    assert trees["kind"] == "treeEnsemble" and len(trees["trees"]) == 200
    assert max(max(t["feature"]) for t in trees["trees"]) < len(meta["features"])


def test_the_lstm_has_the_studied_size_in_onnx_and_engine_json(trained):
    _, out, meta = trained
    assert meta["members"]["lstm"]["training"]["hidden"] == lstm.HIDDEN
    weights = json.loads((out / "lstm.json").read_text())
    assert weights["hidden"] == lstm.HIDDEN
    assert len(weights["weightHh"]) == 4 * lstm.HIDDEN * lstm.HIDDEN
    session = ort.InferenceSession(str(out / "lstm.onnx"))
    assert session.get_inputs()[0].shape[1:] == [lstm.SEQUENCE_LENGTH, len(meta["members"]["lstm"]["features"])]


def test_onnx_bytes_do_not_depend_on_the_converter_run(trained, tmp_path):
    """Versions are content hashes: converting the same models twice must give the same bytes
    (the converters otherwise name each graph with a fresh uuid)."""
    data, _, _ = trained
    from thetaflow_training import linear, xgb
    from thetaflow_training.pipeline import Config, fit_core
    from thetaflow_training.windows import final_window

    fit, _ = fit_core(data, data.frame, None, final_window(data.frame["date"]), Config(trials=1))
    hashes = []
    for run in ("a", "b"):
        (tmp_path / run).mkdir()
        hashes.append(
            (
                bundle._write_onnx(tmp_path / run / "xgboost.onnx", xgb.to_onnx(fit.xgb.model, len(data.features))),
                bundle._write_onnx(tmp_path / run / "linear.onnx", linear.to_onnx(fit.linear_model, len(fit.linear_features))),
            )
        )
    assert hashes[0] == hashes[1]
