import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runTopology } from "@thetaflow/connectors";
import { compileTopology } from "@thetaflow/core";
import { Effect, Either } from "effect";
import { describe, expect, it } from "vitest";
import { fixtureRegistries } from "./support/fixtureRegistries.js";
import { tempDir } from "./support/tmp.js";

const header = "eventTime,seq,contract,underlying,expiry,strike,right,style,bid,ask,volume,vendor.iv";
// Each bad row names the reason the engine must give; good rows have reason null.
const csvRows: [string, string | null][] = [
  ["1000,0,SPY   190315P00260000,SPY,2019-03-15,260,put,american,2.10,2.20,10,0.18", null],
  ["1000,1,SPY   190315P00260000,SPY,2019-03-15,260,put,american,2.10,,10,", "ask"], // missing field
  ["1000,2,SPY   190315P00260000,SPY,2019-03-15,260,put,american,abc,2.20,10,", "bid"], // non-numeric
  ["1000,3,SPY   190315P00260000,SPY,2019-03-15,260,put,american,NaN,2.20,10,", "bid"], // NaN
  ["1000,4,SPY   190315P00260000,SPY,2019-03-15,260,put,american,-1,2.20,10,", "bid"], // negative
  ["1000,5,SPY   190315P00260000,SPY,2019-03-15,260,put,american,2.30,2.20,10,", "crossed quote"],
  ["1000,6,NOT-A-CONTRACT,SPY,2019-03-15,260,put,american,2.10,2.20,10,", "unknown contract"],
  ["1000,7,SPY   190315C00260000,SPY,2019-03-15,260,put,american,2.10,2.20,10,", "is a call"],
  ["2000,8,SPY   190315P00265000,SPY,2019-03-15,265,put,american,3.10,3.20,10,", null],
  ["1500,9,SPY   190315P00270000,SPY,2019-03-15,270,put,american,4.10,4.20,10,", "out of order"], // behind watermark
  ["2000,10,SPY   190315P00270000,SPY,2019-03-15,270,put,american,4.10,4.20,10,", null],
  ["2000,11,SPY   190315P00270000,SPY,2019-03-15,270,put,american,4.10,4.20", "number of columns"],
];
const ndjsonRows: [string, string | null][] = [
  ['{"kind":"UnderlyingTick","eventTime":1000,"seq":0,"symbol":"SPY","price":270.5}', null],
  ['{"kind":"UnderlyingTick","eventTime":1001,"seq":1,"symbol":"SPY"}', "price"],
  ["{not json", "invalid JSON"],
  ['{"kind":"Banana","eventTime":1002,"seq":2}', "unknown event kind"],
  [
    '{"kind":"UnderlyingTick","eventTime":1003,"seq":3,"symbol":"SPY","price":271,"bid":271.2,"ask":271.1}',
    "crossed market",
  ],
  ['{"kind":"IndexTick","eventTime":1004,"seq":4,"symbol":"VIX","value":17.2}', null],
];

describe("bad input", () => {
  const dir = tempDir();

  it("sends every malformed row to the dead letters with a reason and its line; the run goes on", async () => {
    writeFileSync(join(dir, "quotes.csv"), [header, ...csvRows.map(([r]) => r)].join("\n"));
    writeFileSync(join(dir, "ticks.ndjson"), ndjsonRows.map(([r]) => r).join("\n"));
    const text = `name: bad
sources:
  - id: quotes
    replay:
      files: [{ path: quotes.csv, kind: OptionQuote }]
  - id: ticks
    replay:
      files: [ticks.ndjson]
sinks:
  - id: good
    type: ndjson
    inputs: [quotes, ticks]
  - id: dead
    type: ndjson
    inputs: [deadLetters]
`;
    const registries = fixtureRegistries();
    const file = join(dir, "bad.yaml");
    writeFileSync(file, text);
    const report = await Effect.runPromise(
      runTopology(Either.getOrThrow(compileTopology(file, text, registries)), {
        registries,
        outDir: join(dir, "out"),
      }),
    );
    const expectedBad = [...csvRows, ...ndjsonRows].filter(([, reason]) => reason !== null);
    const expectedGood = [...csvRows, ...ndjsonRows].filter(([, reason]) => reason === null);
    expect(report.events.deadLetters).toBe(expectedBad.length);
    expect(report.events.in).toBe(expectedGood.length);

    const dead = readFileSync(join(dir, "out", "dead.ndjson"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const csvDead = dead.filter((d) => d.nodeId === "quotes");
    const csvBad = csvRows.map(([, reason], i) => ({ line: i + 2, reason })).filter((r) => r.reason !== null);
    for (const bad of csvBad) {
      const hit = csvDead.find(
        (d) =>
          d.origin === `${join(dir, "quotes.csv")}:${bad.line}` ||
          (bad.reason === "out of order" && d.reason.includes("out of order")),
      );
      expect(hit, `CSV line ${bad.line} (${bad.reason})`).toBeDefined();
      expect(hit.reason).toContain(bad.reason);
    }
    const ndDead = dead.filter((d) => d.nodeId === "ticks");
    const ndBad = ndjsonRows
      .map(([raw, reason], i) => ({ raw, line: i + 1, reason }))
      .filter((r) => r.reason !== null);
    expect(ndDead.map((d) => d.origin)).toEqual(ndBad.map((b) => `${join(dir, "ticks.ndjson")}:${b.line}`));
    ndBad.forEach((b, i) => {
      expect(ndDead[i].reason).toContain(b.reason);
      expect(ndDead[i].raw).toBe(b.raw);
    });
    const good = readFileSync(join(dir, "out", "good.ndjson"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(good).toHaveLength(expectedGood.length);
    expect(good.find((e) => e.kind === "OptionQuote").vendor).toEqual({ iv: 0.18 });
  });
});
