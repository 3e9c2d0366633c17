// Thetaflow live dashboard: one WebSocket feed (snapshot, then deltas), no framework, no CDN.

(() => {
  const $ = (id) => document.getElementById(id);
  const usd = (cents) => (cents / 100).toLocaleString("en-US", { style: "currency", currency: "USD" });
  const num = (x, d = 2) => (x === null || x === undefined ? "–" : Number(x).toFixed(d));
  const signed = (el, v) => el.classList.toggle("down", v < 0) || el.classList.toggle("up", v > 0);
  const time = (us) => new Date(us / 1000).toISOString().replace("T", " ").slice(0, 19);
  const HISTORY = 100;

  const model = {
    positions: new Map(),
    orders: new Map(),
    regimes: new Map(),
    equity: [],
    lists: { signals: [], decisions: [], fills: [], alerts: [] },
    portfolio: null,
    health: null,
  };

  let chart = null;
  const chartSize = () => {
    const el = $("equity-chart");
    return { width: Math.max(280, el.clientWidth), height: window.innerWidth < 600 ? 200 : 260 };
  };
  const drawEquity = () => {
    const el = $("equity-chart");
    const xs = model.equity.map((p) => p[0]);
    const ys = model.equity.map((p) => p[1]);
    el.dataset.points = String(model.equity.length);
    el.dataset.last = ys.length > 0 ? String(ys[ys.length - 1]) : "";
    if (typeof uPlot === "undefined") return;
    if (chart === null) {
      chart = new uPlot(
        {
          ...chartSize(),
          scales: { x: { time: true } },
          axes: [
            { stroke: "#8a96a3", grid: { stroke: "#253040" } },
            { stroke: "#8a96a3", grid: { stroke: "#253040" }, size: 70 },
          ],
          series: [
            {},
            {
              label: "Equity (USD)",
              stroke: "#58a6ff",
              width: 2,
              value: (_u, v) => (v === null ? "–" : v.toFixed(2)),
            },
          ],
          legend: { show: true },
        },
        [xs, ys],
        el,
      );
    } else chart.setData([xs, ys]);
  };
  window.addEventListener("resize", () => chart?.setSize(chartSize()));

  const fillList = (id, items, render) => {
    const ul = $(id);
    ul.replaceChildren(
      ...items
        .slice()
        .reverse()
        .map((item) => {
          const li = document.createElement("li");
          render(li, item);
          return li;
        }),
    );
  };
  const text = (li, s, cls) => {
    li.textContent = s;
    if (cls) li.className = cls;
  };

  const renderPortfolio = () => {
    const p = model.portfolio;
    if (p === null) return;
    $("kpi-equity").textContent = usd(p.equityCents);
    const daily = $("kpi-daily");
    daily.textContent = usd(p.dailyPnlCents);
    signed(daily, p.dailyPnlCents);
    $("kpi-drawdown").textContent = `${(p.drawdown * 100).toFixed(2)}%`;
    $("kpi-drawdown").classList.toggle("warn", p.drawdown >= 0.2);
    $("kpi-open").textContent = String(p.openPositions);
    $("kpi-greeks").textContent = `${num(p.delta, 1)} / ${num(p.theta, 1)} / ${num(p.vega, 1)}`;
    $("trading-state").textContent = p.tradingState;
  };

  const renderPositions = () => {
    const rows = [...model.positions.values()].sort(
      (a, b) => a.underlying.localeCompare(b.underlying) || a.positionId.localeCompare(b.positionId),
    );
    $("positions-count").textContent = `(${rows.length} open)`;
    $("positions").tBodies[0].replaceChildren(
      ...rows.map((p) => {
        const tr = document.createElement("tr");
        tr.dataset.positionId = p.positionId;
        const cells = [
          p.underlying,
          p.strategy,
          p.legs,
          usd(p.unrealizedPnlCents),
          usd(p.realizedPnlCents),
          num(p.delta),
          num(p.gamma, 4),
          num(p.vega),
          num(p.theta),
        ];
        cells.forEach((c, i) => {
          const td = document.createElement("td");
          td.textContent = c;
          if (i === 2) td.className = "legs";
          if (i === 3) signed(td, p.unrealizedPnlCents);
          if (i === 4) signed(td, p.realizedPnlCents);
          tr.append(td);
        });
        return tr;
      }),
    );
  };

  const renderLists = () => {
    fillList("signals", model.lists.signals, (li, s) =>
      text(
        li,
        `${time(s.eventTime)} ${s.underlying} ${s.strategy} ${s.action} conf ${num(s.confidence)} (${s.regime})`,
      ),
    );
    fillList("decisions", model.lists.decisions, (li, d) =>
      text(
        li,
        `${time(d.eventTime)} ${d.underlying} ${d.accepted ? "accepted" : "rejected"} ×${d.quantity}${d.reasons.length ? ` — ${d.reasons.join("; ")}` : ""}`,
        d.accepted ? "up" : "down",
      ),
    );
    const orders = [...model.orders.values()].sort((a, b) => a.eventTime - b.eventTime).slice(-HISTORY);
    fillList("orders", orders, (li, o) =>
      text(
        li,
        `${time(o.eventTime)} ${o.underlying} ${o.orderId} ${o.status} ${o.filledQuantity}/${o.quantity} @ ${num(o.limitPrice)}`,
        o.status === "rejected" ? "down" : o.status === "filled" ? "up" : "",
      ),
    );
    fillList("fills", model.lists.fills, (li, f) =>
      text(li, `${time(f.eventTime)} ${f.underlying} ${f.orderId} ×${f.quantity} @ ${num(f.netPrice)}`),
    );
    fillList("alerts", model.lists.alerts, (li, a) =>
      text(li, `${a.at.slice(11, 19)} [${a.severity}] ${a.message}`, `sev-${a.severity}`),
    );
    fillList("regimes", [...model.regimes.values()], (li, r) =>
      text(
        li,
        `${r.underlying}: ${r.regime} (${r.daysInRegime} d, IV rank ${num(r.ivRank)}, VIX ${num(r.vix)})`,
        r.regime === "high_vol" ? "warn" : "",
      ),
    );
  };

  const renderHealth = () => {
    const h = model.health;
    if (h === null) return;
    $("run-status").textContent = h.killSwitch ? `halted (kill switch)` : h.status;
    $("kpi-rate").textContent = Math.round(h.eventsPerSecond).toLocaleString("en-US");
    const beats = h.heartbeats.map((b) => `${b.source} ${b.ageSeconds.toFixed(0)}s ago`).join(", ");
    $("health-summary").textContent =
      `in ${h.eventsIn.toLocaleString("en-US")} · out ${h.eventsOut.toLocaleString("en-US")} · dead letters ${h.deadLetters} · clients ${h.clients}${h.lastEventTime ? ` · event time ${time(h.lastEventTime)}` : ""}${beats ? ` · heartbeats: ${beats}` : ""}`;
    $("nodes").tBodies[0].replaceChildren(
      ...h.nodes.map((n) => {
        const tr = document.createElement("tr");
        for (const c of [
          n.node,
          n.eventsIn,
          n.eventsOut,
          Math.round(n.eventsPerSecond),
          n.actors,
          n.maxMailboxDepth,
          n.failures,
        ]) {
          const td = document.createElement("td");
          td.textContent = typeof c === "number" ? c.toLocaleString("en-US") : c;
          tr.append(td);
        }
        return tr;
      }),
    );
  };

  const appendBounded = (list, items) => {
    list.push(...items);
    if (list.length > HISTORY) list.splice(0, list.length - HISTORY);
  };

  const apply = (m) => {
    if (m.type === "snapshot") {
      model.positions.clear();
      model.orders.clear();
      model.regimes.clear();
      for (const k of Object.keys(model.lists)) model.lists[k] = [];
    }
    if (m.positions) {
      model.positions = new Map(m.positions.map((p) => [p.positionId, p]));
      renderPositions();
    }
    if (m.portfolio !== undefined && m.portfolio !== null) {
      model.portfolio = m.portfolio;
      renderPortfolio();
    }
    if (m.equity) {
      model.equity = m.equity.reset ? m.equity.points.slice() : model.equity.concat(m.equity.points);
      drawEquity();
    }
    for (const k of ["signals", "decisions", "fills", "alerts"])
      if (m[k]) appendBounded(model.lists[k], m[k]);
    if (m.orders) for (const o of m.orders) model.orders.set(o.orderId, o);
    if (model.orders.size > 2 * HISTORY) model.orders = new Map([...model.orders].slice(-HISTORY));
    if (m.regimes) for (const r of m.regimes) model.regimes.set(r.underlying, r);
    if (m.signals || m.decisions || m.fills || m.alerts || m.orders || m.regimes || m.type === "snapshot")
      renderLists();
    if (m.health) {
      model.health = m.health;
      renderHealth();
    }
  };

  let retry = 500;
  const connect = () => {
    const conn = $("conn");
    const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`);
    let opened = false;
    ws.onopen = () => {
      opened = true;
      retry = 500;
      conn.textContent = "live";
      conn.dataset.state = "open";
    };
    ws.onmessage = (e) => apply(JSON.parse(e.data));
    ws.onclose = () => {
      conn.textContent = "reconnecting";
      conn.dataset.state = "closed";
      // Refused before opening: most likely the session is gone; the page itself asks for the token.
      if (!opened)
        return void fetch("/api/state").then((r) =>
          r.status === 401 ? location.reload() : setTimeout(connect, retry),
        );
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10_000);
    };
  };

  $("kill").addEventListener("click", async () => {
    const flatten = $("kill-flatten").checked;
    if (
      !confirm(
        flatten ? "Cancel all orders AND flatten all positions?" : "Cancel all orders and halt trading?",
      )
    )
      return;
    const r = await fetch("/api/kill", {
      method: "POST",
      headers: { "content-type": "application/json", "x-thetaflow-action": "kill" },
      body: JSON.stringify({ flatten }),
    });
    const body = await r.json().catch(() => ({}));
    alert(
      r.ok
        ? `Kill switch engaged:\n${(body.outcomes || []).map((o) => `${o.target}: ${o.ok ? "ok" : "FAILED"} — ${o.detail}`).join("\n")}`
        : `Kill switch failed: ${r.status} ${body.error || ""}`,
    );
  });

  connect();
})();
