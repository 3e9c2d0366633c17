"""High-precision (50 significant digits) Black-Scholes-Merton prices and Greeks with mpmath, used
as the 1e-12 accuracy reference for the float64 European code. Inputs are float64 values, converted
exactly to mpmath, so the only difference left is the float64 algorithm's error.

Writes fixtures/european_mpmath.json. Run: python3 packages/options-math/reference/mpmath_european.py
Requires: pip install mpmath==1.3.0
"""
import json
import os
import random

import mpmath
from mpmath import mp, mpf, exp, log, sqrt, ncdf, npdf, erfc

mp.dps = 50


def bsm(sign, S, K, T, r, q, vol):
    S, K, T, r, q, vol = map(mpf, (S, K, T, r, q, vol))
    sq = sqrt(T)
    v = vol * sq
    d1 = (log(S / K) + (r - q) * T) / v + v / 2
    d2 = d1 - v
    dfr, dfq = exp(-r * T), exp(-q * T)
    nd1, nd2 = ncdf(sign * d1), ncdf(sign * d2)
    pdf = npdf(d1)
    price = sign * (S * dfq * nd1 - K * dfr * nd2)
    return {
        "price": price,
        "delta": sign * dfq * nd1,
        "gamma": dfq * pdf / (S * v),
        "vega": S * dfq * pdf * sq,
        "theta": -S * dfq * pdf * vol / (2 * sq) - sign * r * K * dfr * nd2 + sign * q * S * dfq * nd1,
        "rho": sign * K * T * dfr * nd2,
        "divRho": -sign * S * T * dfq * nd1,
        "vanna": -dfq * pdf * d2 / vol,
        "volga": S * dfq * pdf * sq * d1 * d2 / vol,
    }


def main():
    rng = random.Random(7)
    cases = []
    # Cui-Liu-Yao-like grid: S=100, r=0.03, K 105..800, T 0.01..2, sigma 0.01..0.99 (OTM calls)
    for K in (105.0, 150.0, 300.0, 800.0):
        for T in (0.01, 0.25, 1.0, 2.0):
            for vol in (0.01, 0.1, 0.5, 0.99):
                cases.append(("call", 100.0, K, T, 0.03, 0.0, vol))
    for _ in range(300):
        right = rng.choice(["call", "put"])
        S = 100.0
        K = round(100 * exp(rng.uniform(-1.0, 1.0)), 4)
        T = float(rng.choice([1 / 365, 7 / 365, 0.1, 0.5, 1.0, 3.0, 10.0]))
        vol = rng.uniform(0.02, 2.0)
        r = rng.uniform(-0.01, 0.08)
        q = rng.uniform(0.0, 0.05)
        cases.append((right, S, float(K), T, r, q, vol))
    out = []
    for right, S, K, T, r, q, vol in cases:
        g = bsm(1 if right == "call" else -1, S, K, T, r, q, vol)
        out.append({"right": right, "spot": S, "strike": K, "tYears": T, "rate": r, "divYield": q, "vol": vol,
                    **{k: mp.nstr(v, 25) for k, v in g.items()}})
    xs = [-6.0, -3.0, -1.0, -0.5, -0.46875, -0.1, -1e-9, 0.0, 1e-9, 0.3, 0.46875, 0.5, 1.0, 2.5, 4.0, 4.5, 8.0, 15.0, 26.0]
    erfc_values = [{"x": x, "erfc": mp.nstr(erfc(mpf(x)), 25), "normCdf": mp.nstr(ncdf(mpf(x) * 4), 25)} for x in xs]
    path = os.path.join(os.path.dirname(__file__), "..", "fixtures", "european_mpmath.json")
    with open(path, "w") as f:
        json.dump({"source": "mpmath %s, mp.dps=50, closed-form BSM with dividend yield; normCdf evaluated at 4x" % mpmath.__version__,
                   "cases": out, "special": erfc_values}, f, indent=0)
    print("wrote", len(out), "cases")


if __name__ == "__main__":
    main()
