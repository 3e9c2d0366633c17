// N authenticated dashboard clients in their own process (as browsers would be): counts messages and
// bytes, the longest silence between two messages, and the last engine counters each client saw.
// Prints one JSON line when the server closes. Usage: node wsClients.mjs <url> <n> (token in env).
import WebSocket from "ws";

const [url, n] = [process.argv[2], Number(process.argv[3] ?? 5)];
const token = process.env.THETAFLOW_TOKEN;
const stats = [];
let open = 0;
for (let i = 0; i < n; i++) {
  const s = {
    messages: 0,
    bytes: 0,
    maxGapMs: 0,
    last: 0,
    eventsIn: 0,
    status: "",
    equityPoints: 0,
    positions: 0,
  };
  stats.push(s);
  const ws = new WebSocket(`${url.replace("http", "ws")}/ws`, {
    headers: { authorization: `Bearer ${token}` },
  });
  ws.on("open", () => {
    open++;
    if (open === n) console.log(JSON.stringify({ ready: true }));
  });
  ws.on("message", (data) => {
    const now = performance.now();
    if (s.last > 0) s.maxGapMs = Math.max(s.maxGapMs, now - s.last);
    s.last = now;
    s.messages++;
    s.bytes += data.length;
    const m = JSON.parse(data);
    if (m.health) ({ eventsIn: s.eventsIn, status: s.status } = m.health);
    if (m.equity)
      s.equityPoints = m.equity.reset ? m.equity.points.length : s.equityPoints + m.equity.points.length;
    if (m.positions) s.positions = m.positions.length;
  });
  ws.on("close", () => {
    if (--open === 0) {
      console.log(JSON.stringify({ clients: stats.map(({ last, ...rest }) => rest) }));
      process.exit(0);
    }
  });
}
