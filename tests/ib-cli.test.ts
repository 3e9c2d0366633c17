import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { CLIENT_MSG, ScriptedTws } from "@thetaflow/ib";
import { decodeEvent, formatOcc } from "@thetaflow/schemas";
import { describe, expect, it } from "vitest";
import { tempDir } from "./support/tmp.js";

// Runs the built CLI exactly as users do (`npm test` builds before running tests).
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, ["packages/cli/bin/thetaflow.js", ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
  });

/** A port nothing listens on: bound once to learn a free number, then released. */
const closedPort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as { port: number };
  await new Promise<void>((ok) => server.close(() => ok()));
  return port;
};

const topology = (params: string) => `name: ib-cli
sources:
  - id: market
    replay: { files: [../../replays/small/spy-aapl-2019-01.ndjson.gz] }
sinks:
  - id: broker
    type: ib
    inputs: [market]
    kinds: [OrderIntent, RiskDecision, Position]
    params: ${params}
`;

describe("the ib sink from the command line", () => {
  const dir = tempDir();

  it("thetaflow validate accepts the bundled IB paper topology", () => {
    const r = cli(["validate", "topologies/ib-paper.yaml"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("topologies/ib-paper.yaml: ok");
  });

  it("validate names a bad ib param with file and line", () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(file, topology("{ port: 7497, reconciliation: ignore }"));
    const r = cli(["validate", file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${file}:\\d+: .*reconciliation`));
  });

  it("run fails with a clear message, exit 1 and no stack trace when TWS is not there", async () => {
    const file = join(dir, "unreachable.yaml");
    writeFileSync(file, topology(`{ host: 127.0.0.1, port: ${await closedPort()}, connectTimeoutMs: 300 }`));
    const r = cli([
      "run",
      file,
      "--out",
      join(dir, "out"),
      "--no-progress",
      "--audit-log",
      join(dir, "a.ndjson"),
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /ib sink 'broker': no TWS \/ IB Gateway connected and synchronised at 127\.0\.0\.1:\d+ within 0\.3 s/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("run refuses a live port unless the environment says IB_TRADING_MODE=live", () => {
    const file = join(dir, "live.yaml");
    writeFileSync(file, topology("{ port: 7496 }"));
    const r = cli(["run", file, "--out", join(dir, "out"), "--no-progress"], { IB_TRADING_MODE: "" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("IB port 7496 is a live trading port; set IB_TRADING_MODE=live");
  });

  it("ib-feed names a bad chain request before connecting, exit 1", () => {
    const lower = cli(["ib-feed", "--chain", "spy", "--record", join(dir, "c.ndjson")]);
    expect(lower.status).toBe(1);
    expect(lower.stderr).toContain("'spy' is not a ticker");
    const flat = cli(["ib-feed", "--chain", "SPY", "--moneyness", "0", "--record", join(dir, "c.ndjson")]);
    expect(flat.status).toBe(1);
    expect(flat.stderr).toContain("--moneyness must be a positive number, got '0'");
    expect(flat.stderr).not.toMatch(/\n\s+at /);
  });

  it("ib-feed records IB's option quotes (IB's IV and Greeks as vendor) into a replay file that `thetaflow run` plays back", async () => {
    const tws = new ScriptedTws();
    tws.onMessage = (m) => {
      if (m.msgId !== CLIENT_MSG.REQ_MKT_DATA) return;
      const reqId = Number(m.fields[1]);
      tws.tickPrice(reqId, 1, 5.1);
      tws.tickSize(reqId, 0, 10);
      tws.tickPrice(reqId, 2, 5.3, 12);
      tws.optionComputation(reqId, 13, {
        iv: 0.182,
        delta: 0.41,
        gamma: 0.012,
        vega: 0.35,
        theta: -0.06,
        underlyingPrice: 601.5,
      });
    };
    const port = await tws.listen();
    try {
      const record = join(dir, "feed.ndjson");
      const child = spawn(
        process.execPath,
        [
          "packages/cli/bin/thetaflow.js",
          "ib-feed",
          "--port",
          String(port),
          "--option",
          "SPY260220C00620000",
          "--record",
          record,
          "--max-events",
          "3",
        ],
        { env: { ...process.env, IB_TRADING_MODE: "" } },
      );
      let stdout = "";
      child.stdout.on("data", (d: Buffer) => {
        stdout += d.toString();
      });
      const code = await new Promise<number | null>((ok) => child.on("exit", ok));
      expect(code).toBe(0);
      expect(stdout).toContain("published 3 events");
      const events = readFileSync(record, "utf8")
        .trim()
        .split("\n")
        .map((l) => decodeEvent(JSON.parse(l)));
      expect(events.map((e) => e.ok)).toEqual([true, true, true]);
      const last = events[2]!.ok ? events[2]!.value : undefined;
      expect(last).toMatchObject({
        kind: "OptionQuote",
        contract: formatOcc("SPY", "2026-02-20", "call", 620),
        bid: 5.1,
        ask: 5.3,
        bidSize: 10,
        askSize: 12,
        vendor: { iv: 0.182, delta: 0.41 },
      });

      const file = join(dir, "replay-feed.yaml");
      writeFileSync(
        file,
        "name: replay-feed\nsources:\n  - id: market\n    replay: { files: [feed.ndjson] }\nsinks:\n  - id: quotes\n    type: ndjson\n    inputs: [market]\n",
      );
      const out = join(dir, "replayed");
      const r = cli(["run", file, "--out", out, "--no-progress"]);
      expect(r.status).toBe(0);
      const written = readdirSync(out).find((f) => f.startsWith("quotes"))!;
      const replayed = readFileSync(join(out, written), "utf8").trim().split("\n");
      expect(replayed).toHaveLength(3);
      expect(JSON.parse(replayed[2]!).vendor).toMatchObject({ iv: 0.182, delta: 0.41, gamma: 0.012 });
    } finally {
      await tws.close();
    }
  });
});
