"""Reading the engine's feature/label export and splitting it the way the seeds' two models need.

The engine (`thetaflow features --replay ... --out file.csv`) writes one row per underlying per
decision: identity columns, the FeatureVector catalog and `label_*` columns. Features are computed
there only; this module never derives a feature, it only selects columns.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

# Same codes as the engine's REGIME_CODES: in the stream `regime` is this number, in CSV its name.
REGIME_CODES = ["low_vol", "high_vol", "iv_expansion", "iv_contraction", "neutral"]

# `missing_count`/`missing` describe the row (the null mask), they are not FeatureVector values.
IDENTITY_COLUMNS = ["underlying", "date", "eventTime", "missing_count", "missing"]
LABEL_PREFIX = "label_"
PROFITABLE = "label_pcs_profitable"
PNL_CENTS = "label_pcs_pnl_cents"
CREDIT = "label_pcs_credit"

# Price and volume *levels* differ by orders of magnitude between SPY and AAPL and drift over years:
# a pooled tree would learn the ticker and the year from them, not the setup. Ratios and ranks of the
# same quantities stay in.
LEVEL_FEATURES = frozenset(
    [
        "close",
        "sma_20",
        "sma_50",
        "sma_200",
        "ema_12",
        "ema_26",
        "bb_upper",
        "bb_middle",
        "bb_lower",
        "high_52w",
        "low_52w",
        "support_level",
        "resistance_level",
        "atr_14",
        "macd",
        "macd_signal",
        "macd_histogram",
        "volume",
        "volume_sma20",
        "log_volume",
        "straddle_price",
        "call_volume",
        "put_volume",
        "option_volume_total",
        "call_oi",
        "put_oi",
        "open_interest",
        "chain_contracts",
        "atm_call_log_volume",
        "atm_put_log_volume",
        "atm_call_log_open_interest",
        "atm_put_log_open_interest",
    ]
)

# Calendar position inside the data set: a model would use it to tell training years apart.
CALENDAR_LEAKS = frozenset(["day_of_month", "month_of_year", "quarter", "cumulative_returns_ytd"])


@dataclass(frozen=True)
class Dataset:
    frame: pd.DataFrame
    features: list[str]
    data_hash: str
    source: str


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_export(path: str | Path) -> Dataset:
    """Reads the engine export, keeps labelled rows, encodes `regime` as in the stream."""
    path = Path(path)
    frame = pd.read_csv(path)
    missing = [c for c in ["underlying", "date", PROFITABLE, PNL_CENTS] if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: not a feature/label export, missing columns {missing}")
    if "regime" in frame.columns and not pd.api.types.is_numeric_dtype(frame["regime"]):
        codes = {name: i for i, name in enumerate(REGIME_CODES)}
        unknown = set(frame["regime"].dropna()) - set(codes)
        if unknown:
            raise ValueError(f"{path}: unknown regime names {sorted(unknown)}")
        frame["regime"] = frame["regime"].map(codes)
    frame = frame.sort_values(["date", "underlying"], kind="stable").reset_index(drop=True)
    features = [
        c
        for c in frame.columns
        if c not in IDENTITY_COLUMNS
        and not c.startswith(LABEL_PREFIX)
        and c not in LEVEL_FEATURES
        and c not in CALENDAR_LEAKS
        and pd.api.types.is_numeric_dtype(frame[c])
    ]
    # A column the engine never filled carries no information and would only widen the model.
    features = [c for c in features if frame[c].notna().any()]
    frame[features] = frame[features].astype(np.float64)
    return Dataset(frame=frame, features=features, data_hash=file_sha256(path), source=str(path))


def labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows whose spread was followed to the end: the last days of a file have no outcome yet."""
    return frame[frame[PROFITABLE].notna() & frame[PNL_CENTS].notna()]


def flag(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(False, index=frame.index)
    return frame[column].fillna(0).astype(float) > 0.5


def core_rows(frame: pd.DataFrame) -> pd.Series:
    """Architecture 2.3.5: the core model never sees the earnings blackout (which holds the window)."""
    return ~flag(frame, "earnings_blackout") & ~flag(frame, "earnings_window")


def earnings_rows(frame: pd.DataFrame) -> pd.Series:
    return flag(frame, "earnings_window")


def max_risk_dollars(frame: pd.DataFrame, width: float = 5.0) -> pd.Series:
    """Risk of one put credit spread: width minus credit, per share times 100."""
    credit = frame[CREDIT] if CREDIT in frame.columns else 0.0
    return (width - credit) * 100.0
