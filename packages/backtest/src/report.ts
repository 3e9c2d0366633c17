import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { EquityPoint } from "./equityCurve.js";
import type { TradeStats } from "./metrics.js";
import type { BacktestSummary } from "./summary.js";
import type { Trade } from "./trades.js";

const require = createRequire(import.meta.url);

/** The charting library, inlined so the report works offline (no CDN). */
const chartLibrary = (): string => readFileSync(require.resolve("echarts/dist/echarts.common.min"), "utf8");

/** Text safe inside an inline <script>: no early `</script>` and no HTML comment openers. */
const scriptSafe = (s: string): string => s.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const usd = (x: number) =>
  `${x < 0 ? "-" : ""}$${Math.abs(x).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** Histogram of trade P&L in dollars: about 20 equal bins over the observed range. */
export const pnlHistogram = (trades: readonly Trade[]): { labels: string[]; counts: number[] } => {
  if (trades.length === 0) return { labels: [], counts: [] };
  const xs = trades.map((t) => t.pnlCents / 100);
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  const bins = Math.min(20, Math.max(1, Math.ceil(Math.sqrt(xs.length))));
  const width = hi > lo ? (hi - lo) / bins : 1;
  const counts = new Array<number>(bins).fill(0);
  for (const x of xs) counts[Math.min(bins - 1, Math.floor((x - lo) / width))]!++;
  const labels = counts.map((_, i) => `${Math.round(lo + i * width)}..${Math.round(lo + (i + 1) * width)}`);
  return { labels, counts };
};

const statsTable = (title: string, g: Record<string, TradeStats>): string => {
  const rows = Object.entries(g)
    .map(
      ([k, v]) =>
        `<tr><td>${escapeHtml(k)}</td><td>${v.trades}</td><td>${pct(v.winRate)}</td><td>${usd(v.pnl)}</td><td>${usd(v.avgWin)}</td><td>${usd(v.avgLoss)}</td></tr>`,
    )
    .join("");
  return `<h3>${escapeHtml(title)}</h3><table><thead><tr><th></th><th>trades</th><th>win rate</th><th>P&amp;L</th><th>avg win</th><th>avg loss</th></tr></thead><tbody>${rows || '<tr><td colspan="6">no closed trades</td></tr>'}</tbody></table>`;
};

const walkForwardTable = (s: BacktestSummary): string => {
  if (s.walkForward === undefined) return "";
  const rows = s.walkForward
    .map(
      (w) =>
        `<tr><td>${w.index}</td><td>${w.trainStart} .. ${w.trainEnd}</td><td>${w.train.sharpe.toFixed(2)}</td><td>${w.testStart} .. ${w.testEnd}</td><td>${w.test.sharpe.toFixed(2)}</td><td>${pct(w.test.totalReturn)}</td><td>${pct(w.test.maxDrawdown)}</td><td>${w.test.trades}</td><td>${pct(w.test.winRate)}</td></tr>`,
    )
    .join("");
  return `<section><h2>Walk-forward windows</h2><table><thead><tr><th>#</th><th>train</th><th>train Sharpe</th><th>test</th><th>test Sharpe</th><th>test return</th><th>test max DD</th><th>test trades</th><th>test win rate</th></tr></thead><tbody>${rows || '<tr><td colspan="9">replay shorter than one train + test window</td></tr>'}</tbody></table></section>`;
};

/** The self-contained HTML report: metrics, equity, drawdown, monthly returns, P&L distribution, breakdowns. */
export const renderReport = (
  s: BacktestSummary,
  curve: readonly EquityPoint[],
  trades: readonly Trade[],
): string => {
  const hist = pnlHistogram(trades);
  const data = {
    dates: curve.map((p) => p.date),
    equity: curve.map((p) => p.equityCents / 100),
    drawdown: curve.map((p) => -Math.round(p.drawdown * 1e6) / 1e4),
    months: s.monthlyReturns.map((m) => m.month),
    monthly: s.monthlyReturns.map((m) => Math.round(m.return * 1e6) / 1e4),
    histLabels: hist.labels,
    histCounts: hist.counts,
    regimes: Object.keys(s.byRegime),
    regimePnl: Object.values(s.byRegime).map((v) => v.pnl),
    strategies: Object.keys(s.byStrategy),
    strategyPnl: Object.values(s.byStrategy).map((v) => v.pnl),
  };
  const metrics: Array<[string, string]> = [
    ["Period", `${s.startDate ?? "-"} .. ${s.endDate ?? "-"}`],
    ["Total P&L", `${usd(s.totalPnl)} (${pct(s.totalReturn)})`],
    ["CAGR", pct(s.cagr)],
    ["Sharpe", s.sharpe.toFixed(2)],
    ["Sortino", s.sortino.toFixed(2)],
    ["Max drawdown", pct(s.maxDrawdown)],
    ["Trades", String(s.trades)],
    ["Win rate", pct(s.winRate)],
    ["Avg win / loss", `${usd(s.avgWin)} / ${usd(s.avgLoss)}`],
    ["Commissions", usd(s.commissions)],
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Thetaflow backtest — ${escapeHtml(s.topology)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#1d2733;background:#fafbfc}
h1{font-size:22px}h2{font-size:18px;margin-top:28px}h3{font-size:15px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:10px}
.card{background:#fff;border:1px solid #dde3ea;border-radius:6px;padding:10px}.card b{display:block;font-size:12px;color:#5b6875}
.chart{width:100%;height:320px;background:#fff;border:1px solid #dde3ea;border-radius:6px;margin:8px 0}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:12px}
table{border-collapse:collapse;background:#fff;font-size:13px}td,th{border:1px solid #dde3ea;padding:4px 8px;text-align:right}td:first-child{text-align:left}
</style></head><body>
<h1>Backtest — ${escapeHtml(s.topology)}</h1>
<p>Topology hash <code>${escapeHtml(s.topologyHash.slice(0, 16))}</code>. Equity is marked to the mid of the displayed quotes; trade P&amp;L is realized, net of commissions.</p>
<div class="cards">${metrics.map(([k, v]) => `<div class="card"><b>${escapeHtml(k)}</b>${escapeHtml(v)}</div>`).join("")}</div>
<h2>Equity curve</h2><div id="equity" class="chart"></div>
<h2>Drawdown</h2><div id="drawdown" class="chart"></div>
<h2>Monthly returns</h2><div id="monthly" class="chart"></div>
<div class="grid2"><div><h2>Trade P&amp;L distribution</h2><div id="pnl" class="chart"></div></div>
<div><h2>P&amp;L by regime</h2><div id="regime" class="chart"></div></div></div>
<h2>P&amp;L by strategy</h2><div id="strategy" class="chart"></div>
<section><h2>Breakdown</h2>${statsTable("By strategy", s.byStrategy)}${statsTable("By regime", s.byRegime)}${statsTable("By underlying", s.byUnderlying)}</section>
${walkForwardTable(s)}
<script>${scriptSafe(chartLibrary())}</script>
<script>
const D = ${scriptSafe(JSON.stringify(data))};
const rendered = {};
const base = { animation: false, grid: { left: 70, right: 24, top: 24, bottom: 40 }, tooltip: { trigger: "axis" } };
const bar = (names, values) => ({ ...base, xAxis: { type: "category", data: names }, yAxis: { type: "value" },
  series: [{ type: "bar", data: values.map((v) => ({ value: v, itemStyle: { color: v >= 0 ? "#2e8b57" : "#c0392b" } })) }] });
const options = {
  equity: { ...base, xAxis: { type: "category", data: D.dates }, yAxis: { type: "value", scale: true, name: "$" },
    dataZoom: [{ type: "inside" }], series: [{ type: "line", data: D.equity, showSymbol: false, lineStyle: { width: 1.5 } }] },
  drawdown: { ...base, xAxis: { type: "category", data: D.dates }, yAxis: { type: "value", name: "%" },
    series: [{ type: "line", data: D.drawdown, showSymbol: false, areaStyle: { color: "#e8a0a0" }, lineStyle: { color: "#c0392b" } }] },
  monthly: bar(D.months, D.monthly),
  pnl: { ...base, xAxis: { type: "category", data: D.histLabels, name: "$" }, yAxis: { type: "value", name: "trades" },
    series: [{ type: "bar", data: D.histCounts, itemStyle: { color: "#3b6ea5" } }] },
  regime: bar(D.regimes, D.regimePnl),
  strategy: bar(D.strategies, D.strategyPnl),
};
for (const [id, option] of Object.entries(options)) {
  const chart = echarts.init(document.getElementById(id), null, { renderer: "canvas" });
  chart.on("finished", () => { rendered[id] = true; });
  chart.setOption(option);
}
window.__thetaflowReport = { charts: Object.keys(options), rendered };
</script>
</body></html>
`;
};
