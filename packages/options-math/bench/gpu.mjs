// Measurement only (issue #3, item 4): European BSM price + Greeks through a gpu.js float32 kernel against
// options-math's float64 `europeanGreeksBatch`, same inputs, same process. gpu.js is deliberately not a
// dependency of any package; install it without touching package.json or the lockfile (command below).
// Run after `npx tsc -b`:  node packages/options-math/bench/gpu.mjs
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import * as om from "../dist/index.js";

const GPU_JS_VERSION = "2.24.1";
const ROOT = fileURLToPath(new URL("../../..", import.meta.url)).replace(/\/$/, "");
const INSTALL = `cd ${ROOT} && npm install --no-save gpu.js@${GPU_JS_VERSION}`;

let gpujs;
try {
  gpujs = await import("gpu.js");
} catch (err) {
  if (err?.code !== "ERR_MODULE_NOT_FOUND") throw err;
  console.log(`gpu.js is not installed (optional, never in package.json). To run this bench:\n  ${INSTALL}`);
  process.exit(0);
}
const { GPU } = gpujs;

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Best of 5 samples; each sample repeats fn for >= minMs of wall time so a 3000-contract call is timed
 * over many calls. Returns ms per call by CPU time (whole process, worker threads included) and by wall. */
function bestOf5(fn, minMs = 150) {
  fn();
  let cpu = Number.POSITIVE_INFINITY;
  let wall = Number.POSITIVE_INFINITY;
  for (let rep = 0; rep < 5; rep++) {
    let calls = 0;
    const c0 = cpuMs();
    const w0 = performance.now();
    let dw = 0;
    while (dw < minMs) {
      fn();
      calls++;
      dw = performance.now() - w0;
    }
    cpu = Math.min(cpu, (cpuMs() - c0) / calls);
    wall = Math.min(wall, dw / calls);
  }
  return { cpu, wall };
}

/** SPY-like chain as in bench/run.mjs: spot 450, strikes ±30 %, 1 day to 2 years, smile, r 5 %, q 1.3 %. */
function spyLikeChain(n) {
  let seed = 12345;
  const rnd = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  const c = {
    right: new Uint8Array(n),
    spot: new Float64Array(n),
    strike: new Float64Array(n),
    tYears: new Float64Array(n),
    rate: new Float64Array(n),
    divYield: new Float64Array(n),
    vol: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const days = 1 + Math.floor(rnd() * 730);
    const K = Math.round(450 * (0.7 + 0.6 * rnd()));
    const m = Math.log(K / 450);
    c.right[i] = rnd() < 0.5 ? 0 : 1;
    c.spot[i] = 450;
    c.strike[i] = K;
    c.tYears[i] = days / 365;
    c.rate[i] = 0.05;
    c.divYield[i] = 0.013;
    c.vol[i] = Math.max(0.06, 0.16 - 0.25 * m + 0.6 * m * m);
  }
  return c;
}

// Normal CDF as 0.5·erfc(−x/√2) with the Numerical Recipes Chebyshev erfc (fractional error < 1.2e-7 over
// the whole line, so relative accuracy holds in the tails, unlike Abramowitz-Stegun 26.2.17 whose Mills
// ratio is off by ~38 % far out). One exp, no erf needed from the backend.
function normCdf32(x) {
  const z = Math.abs(x) * Math.SQRT1_2;
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t *
                      (0.27886807 +
                        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const tail = 0.5 * t * Math.exp(-z * z + poly);
  if (x < 0) {
    return tail;
  }
  return 1 - tail;
}

// The WebAssembly backend has no kernel maps and returns at most Array(4) per cell, so six outputs take two
// cells per contract (thread.x 0: price, delta, gamma; 1: vega, theta, rho), each recomputing d1/d2/CDFs.
function bsmGreeksKernel(right, spot, strike, tYears, rate, divYield, vol) {
  const i = this.thread.y;
  const sign = 1 - 2 * right[i];
  const S = spot[i];
  const K = strike[i];
  const T = tYears[i];
  const r = rate[i];
  const q = divYield[i];
  const v = vol[i];
  const sqrtT = Math.sqrt(T);
  const sd = v * sqrtT;
  const dfQ = Math.exp(-q * T);
  const dfR = Math.exp(-r * T);
  const d1 = (Math.log(S / K) + (r - q + 0.5 * v * v) * T) / sd;
  const d2 = d1 - sd;
  const pdf1 = 0.3989422804014327 * Math.exp(-0.5 * d1 * d1);
  const n1 = normCdf32(sign * d1);
  const n2 = normCdf32(sign * d2);
  if (this.thread.x === 0) {
    return [sign * (S * dfQ * n1 - K * dfR * n2), sign * dfQ * n1, (dfQ * pdf1) / (S * sd)];
  }
  return [
    S * dfQ * pdf1 * sqrtT,
    (-S * dfQ * pdf1 * v) / (2 * sqrtT) - sign * r * K * dfR * n2 + sign * q * S * dfQ * n1,
    sign * K * T * dfR * n2,
  ];
}

function bsmPriceKernel(right, spot, strike, tYears, rate, divYield, vol) {
  const i = this.thread.x;
  const sign = 1 - 2 * right[i];
  const T = tYears[i];
  const v = vol[i];
  const sd = v * Math.sqrt(T);
  const d1 = (Math.log(spot[i] / strike[i]) + (rate[i] - divYield[i] + 0.5 * v * v) * T) / sd;
  const n1 = normCdf32(sign * d1);
  const n2 = normCdf32(sign * (d1 - sd));
  return sign * (spot[i] * Math.exp(-divYield[i] * T) * n1 - strike[i] * Math.exp(-rate[i] * T) * n2);
}

const INPUTS = ["right", "spot", "strike", "tYears", "rate", "divYield", "vol"];
const GREEKS = ["price", "delta", "gamma", "vega", "theta", "rho"];

const toFloat32 = (chain) => INPUTS.map((k) => Float32Array.from(chain[k]));

/** Unpacks the kernel's [contract][cell] Float32Array(3) result into float64 columns (what a caller would
 * consume), so the end-to-end time includes both conversions. */
function unpack(result, out) {
  for (let i = 0; i < result.length; i++) {
    const a = result[i][0];
    const b = result[i][1];
    out.price[i] = a[0];
    out.delta[i] = a[1];
    out.gamma[i] = a[2];
    out.vega[i] = b[0];
    out.theta[i] = b[1];
    out.rho[i] = b[2];
  }
}

function maxErrors(ref, got, n) {
  const e = {};
  for (const g of GREEKS) {
    let abs = 0;
    for (let i = 0; i < n; i++) abs = Math.max(abs, Math.abs(got[g][i] - ref[g][i]));
    e[g] = abs;
  }
  // Relative price error counted where the float64 price is at least one cent: below that the float32
  // difference S·N(d1) − K·N(d2) of two rounded terms has no relative meaning.
  let rel = 0;
  let relAll = 0;
  let worstAt = -1;
  for (let i = 0; i < n; i++) {
    const p = ref.price[i];
    if (!(p > 0)) continue;
    const r = Math.abs(got.price[i] - p) / p;
    relAll = Math.max(relAll, r);
    if (p >= 0.01 && r > rel) {
      rel = r;
      worstAt = i;
    }
  }
  return { abs: e, rel, relAll, worstAt };
}

const fmt = (ms) => (ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(1)} µs`);
const rate = (n, ms) => `${(((n / ms) * 1000) / 1e6).toFixed(2)}M/s`;

const gpu = new GPU();
gpu.addFunction(normCdf32);
console.log(
  `gpu.js ${GPU_JS_VERSION}: backend ${gpu.mode}` +
    ` (headlessgl supported: ${GPU.isHeadlessGLSupported}, webgpu API present: ${GPU.isWebGPUSupported}),` +
    ` Node ${process.version}`,
);

for (const n of [3000, 100000]) {
  const chain = spyLikeChain(n);
  const ref = om.allocateGreeksColumns(n);
  const status = new Uint8Array(n);
  const f32out = om.allocateGreeksColumns(n);
  const greeksKernel = gpu.createKernel(bsmGreeksKernel, {
    output: [2, n],
    returnType: "Array(3)",
    tactic: "precision",
  });
  const priceKernel = gpu.createKernel(bsmPriceKernel, { output: [n], tactic: "precision" });
  const args = toFloat32(chain);

  const c0 = cpuMs();
  const w0 = performance.now();
  greeksKernel(...args);
  const build = { cpu: cpuMs() - c0, wall: performance.now() - w0 };
  priceKernel(...args);

  const f64 = bestOf5(() => om.europeanGreeksBatch(chain, chain.vol, ref, status));
  const refPrice = new Float64Array(n);
  const f64Price = bestOf5(() => {
    for (let i = 0; i < n; i++) {
      refPrice[i] = om.bsmPrice(
        chain.right[i] === 0 ? 1 : -1,
        chain.spot[i],
        chain.strike[i],
        chain.tYears[i],
        chain.rate[i],
        chain.divYield[i],
        chain.vol[i],
      );
    }
  });
  const endToEnd = bestOf5(() => unpack(greeksKernel(...toFloat32(chain)), f32out));
  const kernelOnly = bestOf5(() => greeksKernel(...args));
  const priceOnly = bestOf5(() => priceKernel(...args));

  const err = maxErrors(ref, f32out, n);
  const priceOnlyResult = priceKernel(...args);
  let priceOnlyAbs = 0;
  for (let i = 0; i < n; i++)
    priceOnlyAbs = Math.max(priceOnlyAbs, Math.abs(priceOnlyResult[i] - refPrice[i]));

  console.log(`\nN = ${n} (SPY-like chain), first gpu.js call (module build + run): ${fmt(build.wall)} wall`);
  console.log(`${"  per batch".padEnd(53)}${"CPU time".padEnd(20)}${"wall time".padEnd(20)}f64/f32 (CPU)`);
  const row = (label, t) =>
    console.log(
      `  ${label.padEnd(50)} ${fmt(t.cpu).padEnd(10)} ${rate(n, t.cpu).padEnd(8)} ${fmt(t.wall).padEnd(10)}` +
        ` ${rate(n, t.wall).padEnd(8)} ${(f64.cpu / t.cpu).toFixed(2)}x`,
    );
  row("options-math europeanGreeksBatch (float64)", f64);
  row("gpu.js price+Greeks, f64 columns in and out", endToEnd);
  row("gpu.js price+Greeks, kernel call only", kernelOnly);
  row("options-math bsmPrice loop (float64, price only)", f64Price);
  row("gpu.js price only, kernel call only", priceOnly);
  console.log(
    `  wasm paths: Greeks ${greeksKernel._lastRunPath ?? "?"}, price ${priceKernel._lastRunPath ?? "?"};` +
      ` price-only f64/f32 ${(f64Price.cpu / priceOnly.cpu).toFixed(2)}x (CPU)`,
  );
  const w = err.worstAt;
  console.log(
    `  float32 vs float64: price max abs ${err.abs.price.toExponential(2)}` +
      ` (price-only kernel ${priceOnlyAbs.toExponential(2)}),` +
      ` max rel ${err.rel.toExponential(2)} over prices >= 0.01 (all prices > 0: ${err.relAll.toExponential(2)})`,
  );
  if (w >= 0) {
    console.log(
      `  worst relative (price >= 0.01): ${chain.right[w] === 0 ? "call" : "put"} K ${chain.strike[w]}` +
        ` T ${(chain.tYears[w] * 365).toFixed(0)}d vol ${chain.vol[w].toFixed(3)}` +
        ` f64 ${ref.price[w].toPrecision(8)} f32 ${f32out.price[w].toPrecision(8)}`,
    );
  }
  console.log(
    `  Greeks max abs: ${GREEKS.slice(1)
      .map((g) => `${g} ${err.abs[g].toExponential(2)}`)
      .join(", ")}`,
  );
  greeksKernel.destroy?.();
  priceKernel.destroy?.();
}
console.log(
  `\nload average at end: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}`,
);
