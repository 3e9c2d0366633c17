import { createServer as createHttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createServer as createTcpServer } from "node:net";
import {
  type Alert,
  AlertDispatcher,
  AlertRules,
  DEFAULT_THRESHOLDS,
  emailChannel,
  logChannel,
  webhookChannel,
} from "@thetaflow/live";
import { describe, expect, it } from "vitest";
import { tradingStory } from "./live-fixtures.js";

const snapshot = (drawdown: number, eventTime: number) =>
  ({
    kind: "PortfolioSnapshot",
    eventTime,
    seq: 0,
    cashCents: 0,
    positionsValueCents: 0,
    equityCents: 1,
    peakEquityCents: 1,
    drawdown,
    dailyPnlCents: 0,
    openPositions: 0,
    tradingState: "ACTIVE",
    delta: 0,
    gamma: 0,
    vega: 0,
    theta: 0,
  }) as const;

describe("alert rules", () => {
  it("drawdown warns at 20%, goes critical at 25%, and re-arms only after recovering", () => {
    const raised: Alert[] = [];
    const rules = new AlertRules(DEFAULT_THRESHOLDS, (a) => void raised.push(a));
    for (const [i, dd] of [0.1, 0.21, 0.22, 0.2, 0.26, 0.3, 0.21, 0.1, 0.205].entries())
      rules.onEvent(snapshot(dd, i));
    expect(raised.map((a) => [a.rule, a.severity, a.eventTime])).toEqual([
      ["drawdown", "warning", 1],
      ["drawdown", "critical", 4],
      ["drawdown", "warning", 8],
    ]);
  });

  it("order rejection spike, regime change to high_vol, and no alert for a calm story", () => {
    const raised: Alert[] = [];
    const rules = new AlertRules(DEFAULT_THRESHOLDS, (a) => void raised.push(a));
    for (const e of tradingStory(120)) rules.onEvent(e);
    // The story flips to high_vol at steps 30, 70, 110 and never rejects.
    expect(raised.map((a) => a.rule)).toEqual(["regime_high_vol", "regime_high_vol", "regime_high_vol"]);
    raised.length = 0;
    for (const e of tradingStory(60, { rejectEvery: 1 })) rules.onEvent(e);
    expect(raised.filter((a) => a.rule === "order_rejection_spike")).toHaveLength(1);
  });

  it("data gaps (wall-clock silence, event-time gaps) and missing heartbeats", () => {
    const raised: Alert[] = [];
    const rules = new AlertRules(
      {
        ...DEFAULT_THRESHOLDS,
        dataGapSeconds: 30,
        maxTickGapSeconds: 4 * 86_400,
        heartbeatTimeoutSeconds: 600,
      },
      (a) => void raised.push(a),
    );
    rules.heartbeat("ib", 0);
    rules.tick(0, 10, true);
    rules.tick(29, 10, true);
    rules.tick(31, 10, true);
    rules.tick(40, 10, true);
    rules.tick(41, 11, true);
    rules.tick(700, 11, false);
    rules.heartbeat("ib", 701);
    const tick = (t: number) =>
      ({ kind: "UnderlyingTick", eventTime: t * 86_400_000_000, seq: 0, symbol: "SPY", price: 1 }) as const;
    for (const d of [0, 1, 2, 3, 10]) rules.onEvent(tick(d));
    expect(raised.map((a) => [a.rule, a.severity, a.key])).toEqual([
      ["data_gap", "warning", "inputs"],
      ["heartbeat_missing", "critical", "ib"],
      ["heartbeat_missing", "info", "ib"],
      ["data_gap", "warning", "SPY"],
    ]);
  });
});

describe("alert delivery", () => {
  const alert: Alert = {
    rule: "drawdown",
    severity: "critical",
    key: "portfolio",
    message: "drawdown 26.0% is over the critical level of 25%",
  };

  it("rate-limits per rule and key, and per external channel per hour", async () => {
    let now = Date.parse("2026-01-05T15:00:00Z");
    const sent: string[] = [];
    const channel = { name: "webhook", send: async (a: Alert) => void sent.push(a.key) };
    const d = new AlertDispatcher(
      [channel],
      { log: () => {} },
      { perKeySeconds: 300, perChannelPerHour: 2 },
      () => new Date(now),
    );
    d.dispatch(alert);
    d.dispatch(alert);
    now += 301_000;
    d.dispatch(alert);
    d.dispatch({ ...alert, key: "other" });
    await d.drain();
    expect(sent).toEqual(["portfolio", "portfolio"]);
    expect(d.stats).toMatchObject({ raised: 4, suppressed: 2, delivered: 2 });
  });

  it("posts a Slack-compatible webhook and sends SMTP email", async () => {
    const bodies: unknown[] = [];
    const http = createHttpServer((req, res) => {
      let b = "";
      req.on("data", (c) => (b += c));
      req.on("end", () => {
        bodies.push(JSON.parse(b));
        res.end("ok");
      });
    });
    await new Promise<void>((ok) => http.listen(0, "127.0.0.1", ok));
    // A minimal SMTP peer: enough of RFC 5321 for one message.
    const mails: string[] = [];
    const smtp = createTcpServer((s) => {
      let data = false;
      let mail = "";
      s.write("220 test ESMTP\r\n");
      s.on("data", (chunk) => {
        for (const line of String(chunk).split("\r\n")) {
          if (data) {
            if (line === ".") {
              data = false;
              mails.push(mail);
              s.write("250 queued\r\n");
            } else mail += `${line}\n`;
          } else if (/^(EHLO|HELO)/i.test(line)) s.write("250 test\r\n");
          else if (/^(MAIL|RCPT)/i.test(line)) s.write("250 ok\r\n");
          else if (/^DATA/i.test(line)) {
            data = true;
            s.write("354 go\r\n");
          } else if (/^QUIT/i.test(line)) s.end("221 bye\r\n");
        }
      });
    });
    await new Promise<void>((ok) => smtp.listen(0, "127.0.0.1", ok));
    try {
      const at = new Date("2026-01-05T15:00:00Z");
      await webhookChannel(`http://127.0.0.1:${(http.address() as AddressInfo).port}/hooks/x`).send(
        alert,
        at,
      );
      await emailChannel({
        smtpUrl: `smtp://127.0.0.1:${(smtp.address() as AddressInfo).port}?ignoreTLS=true`,
        from: "engine@example.com",
        to: "ops@example.com",
      }).send(alert, at);
      const logged: unknown[] = [];
      await logChannel({ log: (...args) => void logged.push(args) }).send(alert, at);
      expect(bodies).toEqual([
        {
          text: "[thetaflow CRITICAL] drawdown: drawdown 26.0% is over the critical level of 25% (2026-01-05T15:00:00.000Z)",
        },
      ]);
      expect(mails).toHaveLength(1);
      expect(mails[0]).toContain("Subject: [thetaflow critical] drawdown");
      expect(mails[0]).toContain("To: ops@example.com");
      expect(logged).toEqual([
        ["error", "alert", expect.objectContaining({ rule: "drawdown", severity: "critical" })],
      ]);
    } finally {
      http.close();
      smtp.close();
    }
  });
});
