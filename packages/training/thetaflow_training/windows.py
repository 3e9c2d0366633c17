"""Walk-forward windows (implementation plan, week 8): 2 years train, 3 months test, 1 month step.

Windows count *decision dates*, not rows: several underlyings share a date and must fall on the same
side of every boundary, or the test would see a day the model trained on. The last `validation`
share of each training window is held out, in time order, for Optuna and early stopping; the test
window is never used to choose anything.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

TRAIN_DAYS = 252 * 2
TEST_DAYS = 63
STEP_DAYS = 21
VALIDATION_SHARE = 0.125  # 70/10/20 of the seeds' pipeline, within the 2-year window: 7/8 fit, 1/8 validate


@dataclass(frozen=True)
class Window:
    index: int
    train_start: str
    train_end: str
    fit_end: str
    test_start: str
    test_end: str

    def masks(self, dates: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(fit, validation, test) row masks for a column of ISO dates."""
        fit = (dates >= self.train_start) & (dates <= self.fit_end)
        val = (dates > self.fit_end) & (dates <= self.train_end)
        test = (dates >= self.test_start) & (dates <= self.test_end)
        return fit.to_numpy(), val.to_numpy(), test.to_numpy()


def walk_forward(
    dates: pd.Series,
    train_days: int = TRAIN_DAYS,
    test_days: int = TEST_DAYS,
    step_days: int = STEP_DAYS,
    validation_share: float = VALIDATION_SHARE,
) -> list[Window]:
    days = sorted(set(dates))
    windows: list[Window] = []
    start = 0
    while start + train_days + test_days <= len(days):
        train = days[start : start + train_days]
        test = days[start + train_days : start + train_days + test_days]
        fit_len = int(round(len(train) * (1 - validation_share)))
        windows.append(
            Window(
                index=len(windows),
                train_start=train[0],
                train_end=train[-1],
                fit_end=train[fit_len - 1],
                test_start=test[0],
                test_end=test[-1],
            )
        )
        start += step_days
    return windows


def final_window(dates: pd.Series, train_days: int = TRAIN_DAYS, validation_share: float = VALIDATION_SHARE) -> Window:
    """The deployable model's window: the most recent `train_days`, nothing held out for testing."""
    days = sorted(set(dates))
    train = days[-train_days:]
    fit_len = int(round(len(train) * (1 - validation_share)))
    return Window(-1, train[0], train[-1], train[fit_len - 1], "", "")


def latest_window_per_date(windows: list[Window], dates: pd.Series) -> pd.Series:
    """Test windows overlap (63-day test, 21-day step): each date is scored out of sample by the
    newest model trained before it, so pooled results count every day once."""
    owner = pd.Series(-1, index=dates.index)
    for w in windows:
        owner[(dates >= w.test_start) & (dates <= w.test_end)] = w.index
    return owner
