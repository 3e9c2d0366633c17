import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { type LiveRunOptions, LiveSession, verifyAuditFile } from "@thetaflow/live";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { tradingStory, writeStoryTopology } from "./live-fixtures.js";
import { tempDir } from "./support/tmp.js";

const TOKEN = "tf-test-token-7a4e1c9d2b";

const options = (dir: string): LiveRunOptions => ({
  dashboard: true,
  dashboardHost: "127.0.0.1",
  dashboardPort: 0,
  metricsHost: "127.0.0.1",
  hold: false,
  auditLog: join(dir, "audit.ndjson"),
});

const open = (dir: string, env: NodeJS.ProcessEnv, printed: string[] = []) =>
  LiveSession.open(options(dir), {
    env,
    print: (l) => void printed.push(l),
    logger: { log: () => {} },
    channels: [],
  });

/** Resolves with the HTTP status of a refused upgrade, or "open" when the socket opened. */
const wsOutcome = (url: string, headers: Record<string, string> = {}): Promise<number | "open"> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
    ws.on("open", () => {
      ws.close();
      resolve("open");
    });
    ws.on("error", (err) => (err.message.includes("Unexpected server response") ? undefined : reject(err)));
  });

describe("dashboard access control", () => {
  const dir = tempDir();

  it("refuses the page, the JSON API, the WebSocket and the kill switch without the token (401)", async () => {
    const session = await open(dir, { THETAFLOW_TOKEN: TOKEN });
    const url = session.dashboardUrl!;
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const page = await fetch(url);
      expect(page.status).toBe(401);
      expect(await page.text()).toContain('name="token"');
      expect((await fetch(`${url}/api/state`)).status).toBe(401);
      expect((await fetch(`${url}/api/kill`, { method: "POST", body: "{}" })).status).toBe(401);
      expect(
        (
          await fetch(`${url}/api/kill`, {
            method: "POST",
            body: "{}",
            headers: { authorization: "Bearer wrong-token-123" },
          })
        ).status,
      ).toBe(401);
      expect(await wsOutcome(`${url.replace("http", "ws")}/ws`)).toBe(401);
      expect(
        await wsOutcome(`${url.replace("http", "ws")}/ws`, { authorization: "Bearer nope-nope-nope" }),
      ).toBe(401);

      expect(
        (await fetch(`${url}/api/state`, { headers: { authorization: `Bearer ${TOKEN}` } })).status,
      ).toBe(200);
      expect(await wsOutcome(`${url.replace("http", "ws")}/ws`, { authorization: `Bearer ${TOKEN}` })).toBe(
        "open",
      );
    } finally {
      await session.complete({ ok: true });
    }
  });

  it("a browser signs in once with the token and gets a session cookie; cookie-only kill requests need the action header", async () => {
    const session = await open(dir, { THETAFLOW_TOKEN: TOKEN });
    const url = session.dashboardUrl!;
    try {
      const bad = await fetch(`${url}/login`, {
        method: "POST",
        body: "token=wrong",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        redirect: "manual",
      });
      expect(bad.status).toBe(401);
      const good = await fetch(`${url}/login`, {
        method: "POST",
        body: `token=${TOKEN}`,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        redirect: "manual",
      });
      expect(good.status).toBe(303);
      const cookie = good.headers.get("set-cookie")!.split(";", 1)[0]!;
      expect(cookie).not.toContain(TOKEN);
      expect((await fetch(url, { headers: { cookie } })).status).toBe(200);
      expect(await wsOutcome(`${url.replace("http", "ws")}/ws`, { cookie })).toBe("open");
      expect(
        (await fetch(`${url}/api/kill`, { method: "POST", body: "{}", headers: { cookie } })).status,
      ).toBe(403);
    } finally {
      await session.complete({ ok: true });
    }
  });

  it("the kill switch with the token halts the engine and is audited (hash-chained, append-only)", async () => {
    const session = await open(dir, { THETAFLOW_TOKEN: TOKEN });
    const url = session.dashboardUrl!;
    try {
      const res = await fetch(`${url}/api/kill`, {
        method: "POST",
        body: JSON.stringify({ flatten: true }),
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { outcomes: { target: string; ok: boolean }[] };
      expect(body.outcomes).toEqual([expect.objectContaining({ target: "engine", ok: true })]);
      expect(session.pacer.halted).toBe(true);
    } finally {
      await session.complete({ ok: true });
    }
    const entries = readFileSync(join(dir, "audit.ndjson"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(entries.map((e) => [e.action, e.subject, e.details.phase])).toEqual([
      ["manual", "kill_switch", "requested"],
      ["manual", "kill_switch", "done"],
    ]);
    expect(entries[0].actor).toBe("api");
    expect(verifyAuditFile(join(dir, "audit.ndjson"))).toBeUndefined();
  });

  it("without THETAFLOW_TOKEN a token is generated into a file only the user can read, and never printed", async () => {
    const tokenFile = join(dir, "cfg", "token");
    const printed: string[] = [];
    const session = await open(dir, { THETAFLOW_TOKEN_FILE: tokenFile }, printed);
    await session.complete({ ok: true });
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const token = readFileSync(tokenFile, "utf8").trim();
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect(printed.join("\n")).toContain(tokenFile);
    expect(printed.join("\n")).not.toContain(token);
  });
});

describe("secrets never reach logs or outputs", () => {
  const dir = tempDir();

  it("a run with --dashboard whose alert channels fail leaks none of the environment's secrets", async () => {
    const secrets = {
      THETAFLOW_TOKEN: "tok-SECRET-5f3b9e0a71",
      THETAFLOW_ALERT_WEBHOOK_URL: "http://127.0.0.1:9/hooks/T000/B000/WEBHOOKSECRET42",
      THETAFLOW_SMTP_URL: "smtp://alerts:SMTPSECRET99@127.0.0.1:9",
      IB_ACCOUNT_PASSWORD: "ib-SECRET-pass-1234",
    };
    mkdirSync(join(dir, "story"), { recursive: true });
    // Every intent rejected and a regime flip to high_vol: alerts fire and both channels fail to deliver.
    const file = writeStoryTopology(join(dir, "story"), tradingStory(45, { rejectEvery: 1 }));
    const audit = join(dir, "audit.ndjson");
    const r = spawnSync(
      process.execPath,
      [
        "packages/cli/bin/thetaflow.js",
        "run",
        file,
        "--out",
        join(dir, "out"),
        "--dashboard",
        "--dashboard-port",
        "0",
        "--metrics-port",
        "0",
        "--audit-log",
        audit,
        "--no-progress",
      ],
      { encoding: "utf8", env: { ...process.env, ...secrets, THETAFLOW_ALERT_EMAIL_TO: "ops@example.com" } },
    );
    expect(r.stderr).toContain("alert delivery failed");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/dashboard {2}http:\/\/127\.0\.0\.1:\d+ {2}\(token: \$THETAFLOW_TOKEN\)/);
    const everything = [
      r.stdout,
      r.stderr,
      readFileSync(audit, "utf8"),
      ...["out.ndjson", "run.json"].map((f) => readFileSync(join(dir, "out", f), "utf8")),
    ].join("\n");
    expect(existsSync(audit)).toBe(true);
    for (const [name, value] of Object.entries(secrets)) expect(everything, name).not.toContain(value);
    for (const part of ["WEBHOOKSECRET42", "SMTPSECRET99"]) expect(everything).not.toContain(part);
  });

  it("`thetaflow kill` engages a held run's kill switch with the token from the environment", async () => {
    mkdirSync(join(dir, "story"), { recursive: true });
    const file = writeStoryTopology(join(dir, "story"), tradingStory(400));
    const env = { ...process.env, THETAFLOW_TOKEN: TOKEN };
    const child = spawn(
      process.execPath,
      [
        "packages/cli/bin/thetaflow.js",
        "run",
        file,
        "--out",
        join(dir, "out"),
        "--dashboard",
        "--dashboard-port",
        "0",
        "--speed",
        "200",
        "--hold",
        "--audit-log",
        join(dir, "audit.ndjson"),
        "--no-progress",
      ],
      { env },
    );
    const stderr: string[] = [];
    child.stderr.on("data", (c) => stderr.push(String(c)));
    const lines = createInterface({ input: child.stdout });
    let url = "";
    for await (const line of lines) {
      const m = /^dashboard {2}(http:\/\/\S+)/.exec(line);
      if (m) {
        url = m[1]!;
        break;
      }
    }
    const noToken = spawnSync(process.execPath, ["packages/cli/bin/thetaflow.js", "kill", "--url", url], {
      encoding: "utf8",
      env: { ...process.env, THETAFLOW_TOKEN: "wrong-token-000000", THETAFLOW_TOKEN_FILE: join(dir, "none") },
    });
    expect(noToken.status).toBe(1);
    expect(noToken.stderr).toContain("refused the token (401)");
    const kill = spawnSync(
      process.execPath,
      ["packages/cli/bin/thetaflow.js", "kill", "--url", url, "--flatten"],
      { encoding: "utf8", env },
    );
    expect(kill.stderr).toBe("");
    expect(kill.stdout).toContain("ok     engine: source feed halted");
    // The halted run reports its failure but holds the dashboard until told to stop.
    for await (const line of lines) if (line.startsWith("holding")) break;
    const exit = new Promise<number | null>((ok) => child.on("exit", (code) => ok(code)));
    child.kill("SIGINT");
    expect(await exit).toBe(1);
    expect(stderr.join("")).toContain("run halted: kill switch engaged by api");
  });
});
