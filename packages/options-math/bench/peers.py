"""Python peers for bench/run.mjs: times py_vollib_vectorized (IV, price+Greeks) and QuantLib QdFp
American prices on the inputs the JS bench wrote, single-threaded, and writes rates and results.
Usage: python3 peers.py <inputs.json> <outputs.json>"""
import json
import os
import sys
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np  # noqa: E402


def best_rate(fn, n, repeats=3, min_seconds=0.0):
    """Best of `repeats` rates in CPU time (time.process_time, like the JS side's process.cpuUsage), each
    repeat calling fn until min_seconds of CPU time have passed (at least once)."""
    best = 0.0
    result = None
    for _ in range(repeats):
        calls = 0
        t = time.process_time()
        elapsed = 0.0
        while calls == 0 or elapsed < min_seconds:
            result = fn()
            calls += 1
            elapsed = time.process_time() - t
        best = max(best, n * calls / elapsed)
    return best, result


def main():
    inp = json.load(open(sys.argv[1]))
    out = {}
    try:
        import py_vollib_vectorized as pvv
        for name in ("grid", "chain"):
            d = {k: np.asarray(v) for k, v in inp[name].items() if k != "flag"}
            flag = np.asarray(inp[name]["flag"])
            n = len(flag)
            iv_fn = lambda: pvv.vectorized_implied_volatility(d["price"], d["S"], d["K"], d["t"], d["r"], flag, q=d["q"], model="black_scholes_merton", return_as="numpy", on_error="ignore")
            iv_fn()
            rate, iv = best_rate(iv_fn, n, min_seconds=0.4)
            out[name + "_iv_rate"] = rate
            out[name + "_iv"] = [None if not np.isfinite(x) else float(x) for x in iv]
            def greeks_fn():
                p = pvv.vectorized_black_scholes_merton(flag, d["S"], d["K"], d["t"], d["r"], d["sigma"], d["q"], return_as="numpy")
                g = pvv.get_all_greeks(flag, d["S"], d["K"], d["t"], d["r"], d["sigma"], d["q"], model="black_scholes_merton", return_as="dict")
                return p, g
            greeks_fn()
            out[name + "_greeks_rate"], _ = best_rate(greeks_fn, n, min_seconds=0.4)
    except ImportError as e:
        out["pvv_missing"] = str(e)
    try:
        import QuantLib as ql
        today = ql.Date(2, 1, 2024)
        ql.Settings.instance().evaluationDate = today
        dc = ql.Actual365Fixed()
        am = inp["american"]
        S, r, q, v = (ql.SimpleQuote(x) for x in (am["S"], am["r"], am["q"], 0.2))
        proc = ql.BlackScholesMertonProcess(
            ql.QuoteHandle(S),
            ql.YieldTermStructureHandle(ql.FlatForward(today, ql.QuoteHandle(q), dc)),
            ql.YieldTermStructureHandle(ql.FlatForward(today, ql.QuoteHandle(r), dc)),
            ql.BlackVolTermStructureHandle(ql.BlackConstantVol(today, ql.NullCalendar(), ql.QuoteHandle(v), dc)))
        for scheme_name, scheme in (("accurate", ql.QdFpAmericanEngine.accurateScheme()), ("fast", ql.QdFpAmericanEngine.fastScheme())):
            engine = ql.QdFpAmericanEngine(proc, scheme)
            def run():
                prices = []
                for flag, K, days, sigma in zip(am["flag"], am["K"], am["days"], am["sigma"]):
                    v.setValue(sigma)
                    opt = ql.VanillaOption(ql.PlainVanillaPayoff(ql.Option.Call if flag == "c" else ql.Option.Put, K), ql.AmericanExercise(today, today + days))
                    opt.setPricingEngine(engine)
                    prices.append(opt.NPV())
                return prices
            out["ql_" + scheme_name + "_rate"], prices = best_rate(run, len(am["K"]), repeats=1)
            out["ql_" + scheme_name + "_prices"] = prices
        out["ql_version"] = ql.__version__
    except ImportError as e:
        out["ql_missing"] = str(e)
    json.dump(out, open(sys.argv[2], "w"))


if __name__ == "__main__":
    main()
