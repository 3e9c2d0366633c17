import pandas as pd

from thetaflow_training.windows import final_window, latest_window_per_date, walk_forward


def dates(n: int, underlyings: int = 2) -> pd.Series:
    days = pd.bdate_range("2015-01-02", periods=n).strftime("%Y-%m-%d")
    return pd.Series([d for d in days for _ in range(underlyings)])


def test_windows_follow_the_plan_and_never_let_test_days_into_training():
    d = dates(700)
    ws = walk_forward(d)
    assert len(ws) == (700 - 504 - 63) // 21 + 1
    for w in ws:
        fit, val, test = w.masks(d)
        assert not (fit & test).any() and not (val & test).any() and not (fit & val).any()
        assert d[fit].max() < d[val].min() <= d[val].max() < d[test].min()
        # every underlying's row of a date lands on the same side
        assert len(set(d[test])) == 63 and test.sum() == 126
        assert len(set(d[fit | val])) == 504
    assert ws[1].test_start > ws[0].test_start


def test_pooled_days_are_scored_by_the_newest_window():
    d = dates(700, 1)
    ws = walk_forward(d)
    owner = latest_window_per_date(ws, d)
    for w in ws[1:]:
        assert (owner[d == w.test_start] == w.index).all()
    assert (owner[d < ws[0].test_start] == -1).all()


def test_final_window_is_the_most_recent_two_years():
    d = dates(700, 1)
    w = final_window(d)
    assert w.train_end == d.iloc[-1]
    assert w.train_start == d.iloc[700 - 504]
