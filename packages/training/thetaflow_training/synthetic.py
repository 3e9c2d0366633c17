"""A small export-shaped CSV for the package's own tests: same identity, feature and label columns
as `thetaflow features --out`, seeded, with a label that depends on IV rank and returns so a model
has something to find. Never used for the walk-forward report."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .data import REGIME_CODES


def make_export(path: str | Path, days: int = 700, seed: int = 1) -> Path:
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2015-01-02", periods=days).strftime("%Y-%m-%d")
    rows = []
    for underlying, earnings_every in (("SPY", None), ("AAPL", 63)):
        iv = 0.15
        for i, date in enumerate(dates):
            iv = float(np.clip(iv + rng.normal(0, 0.01), 0.08, 0.6))
            iv_rank = float(np.clip((iv - 0.08) / 0.4, 0, 1))
            ret5 = float(rng.normal(0, 0.02))
            dte_earn = None if earnings_every is None else (earnings_every - i % earnings_every)
            regime = int(rng.integers(0, len(REGIME_CODES)))
            logit = 2.5 * (iv_rank - 0.4) + 30 * ret5 + rng.normal(0, 1)
            win = logit > 0
            credit = float(rng.uniform(0.3, 1.2))
            pnl = round((credit * 50 if win else -(5 - credit) * 40 * rng.uniform(0.1, 1)) * 100)
            rows.append(
                {
                    "underlying": underlying,
                    "date": date,
                    "eventTime": 1420232400000000 + i * 86_400_000_000,
                    "iv_atm": iv,
                    "iv_rank": iv_rank if i >= 20 else None,
                    "iv_percentile": float(rng.uniform()),
                    "rv_20": float(iv * rng.uniform(0.6, 1.2)),
                    "vix": float(12 + 40 * iv * rng.uniform(0.8, 1.2)),
                    "vix_rank": float(rng.uniform()),
                    "returns_5d": ret5,
                    "returns_1d": float(rng.normal(0, 0.01)),
                    "rsi_14": float(rng.uniform(20, 80)),
                    "close": float(200 + i * 0.1),
                    "regime": REGIME_CODES[regime],
                    "regime_high_vol": 1.0 if regime == 1 else 0.0,
                    "days_to_earnings": dte_earn,
                    "earnings_window": None if dte_earn is None else float(dte_earn <= 2),
                    "earnings_blackout": None if dte_earn is None else float(dte_earn <= 5),
                    "label_pcs_profitable": None if i >= days - 5 else float(win),
                    "label_pcs_pnl_cents": None if i >= days - 5 else pnl,
                    "label_pcs_credit": credit,
                    "label_pcs_exit_reason": "take_profit" if win else "expiry",
                }
            )
    path = Path(path)
    pd.DataFrame(rows).to_csv(path, index=False)
    return path
