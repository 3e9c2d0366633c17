"""Classification metrics and the strategy's Sharpe ratio when a model filters its trades."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, precision_score, recall_score, roc_auc_score

from .data import PNL_CENTS

THRESHOLD = 0.5
# The rule the models filter: the seeds' IV-rank premium seller opens a put credit spread when IV
# rank is elevated (architecture 2.4.2, "sell premium when IV high").
RULE_IV_RANK_MIN = 0.7


def classification(y: np.ndarray, p: np.ndarray) -> dict[str, float | None]:
    pred = p >= THRESHOLD
    both = len(np.unique(y)) == 2
    return {
        "auc": float(roc_auc_score(y, p)) if both else None,
        "accuracy": float(accuracy_score(y, pred)),
        "precision": float(precision_score(y, pred, zero_division=0)),
        "recall": float(recall_score(y, pred, zero_division=0)),
        "rows": int(len(y)),
        "positives": float(np.mean(y)) if len(y) else None,
    }


def daily_sharpe(frame: pd.DataFrame, take: np.ndarray) -> dict[str, float | None]:
    """Annualised Sharpe of daily P&L (dollars) over every decision day in `frame`, one spread per
    taken row; days without a trade count as zero, so filtering out losers and sitting out both show."""
    pnl = np.where(take, frame[PNL_CENTS].to_numpy() / 100.0, 0.0)
    daily = pd.Series(pnl, index=frame.index).groupby(frame["date"].to_numpy()).sum()
    trades = int(take.sum())
    std = float(daily.std(ddof=1)) if len(daily) > 1 else 0.0
    sharpe = float(daily.mean() / std * math.sqrt(252)) if std > 0 else None
    wins = frame[PNL_CENTS].to_numpy()[take] > 0
    return {
        "sharpe": sharpe,
        "trades": trades,
        "pnl_dollars": float(pnl.sum()),
        "win_rate": float(wins.mean()) if trades else None,
    }


def rule_takes(frame: pd.DataFrame) -> np.ndarray:
    iv_rank = frame["iv_rank"].to_numpy() if "iv_rank" in frame.columns else np.full(len(frame), np.nan)
    return np.nan_to_num(iv_rank, nan=-1.0) >= RULE_IV_RANK_MIN


def strategy_rows(frame: pd.DataFrame, p: np.ndarray | None) -> np.ndarray:
    """Rule alone when p is None; rule AND model probability >= THRESHOLD otherwise."""
    rule = rule_takes(frame)
    return rule if p is None else rule & (p >= THRESHOLD)
