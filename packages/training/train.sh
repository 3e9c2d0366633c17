#!/usr/bin/env bash
# `npm run train`: export features from the bundled replay with the engine, train and evaluate the
# models walk-forward, write models/{core,earnings} and docs/models.md. `npm run train -- --test`
# runs the training package's own tests instead.
#
# First run: creates packages/training/.venv and installs the pinned packages of pyproject.toml from
# PyPI. PyPI's Linux torch wheel pulls the CUDA runtime wheels with it (~3 GB on disk, a few minutes
# to download), plus mlflow-skinny (~60 MB) for the local experiment store; training itself needs no network.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv"
python="${PYTHON:-python3}"

# The package itself is run from source (PYTHONPATH), so the check covers only the pinned libraries:
# a venv made by hand or by an older script must not be rebuilt (6 GB) because of that.
export PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import torch, xgboost, onnxmltools, optuna, skl2onnx, onnxruntime" 2>/dev/null; then
  echo "[train] setting up $venv (pinned packages from pyproject.toml; torch brings ~3 GB of CUDA wheels)"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
  "$venv/bin/pip" install --quiet -e "$here[test,tracking]"
fi

if [ "${1:-}" = "--test" ]; then
  cd "$here" && exec "$venv/bin/python" -m pytest -q
fi

replay="${TRAIN_REPLAY:-$root/replays/default/spy-aapl-2015-2018.ndjson.gz}"
work="$here/.data"
mkdir -p "$work"
cd "$root"
echo "[train] building the engine"
npx tsc -b
echo "[train] exporting features and labels from $(basename "$replay")"
node packages/cli/bin/thetaflow.js features --replay "$replay" --out "$work/features.csv"
echo "[train] walk-forward training and export"
"$venv/bin/python" -u -m thetaflow_training \
  --features "$work/features.csv" \
  --models "$root/models" \
  --report "$root/docs/models.md" \
  --results "$work/walk-forward.json" \
  --size-study "$here/lstm-size-study.json" \
  --mlflow "$work/mlruns" \
  "$@"
