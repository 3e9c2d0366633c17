import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { deserialize, serialize } from "node:v8";
import { gunzipSync } from "node:zlib";
import { compileTopology, drive, type EventSink, type GraphSnapshot, Registry } from "@thetaflow/core";
import type { Event } from "@thetaflow/schemas";
import { Either, Schema } from "effect";
import { describe, expect, it } from "vitest";
import { builtinOperators } from "../registry.js";

// ivSurface updates its state in place and refills its columns chain after chain; the runtime's
// snapshots hold detached copies. A snapshot taken mid-run and held while the run goes on (as a
// checkpoint being written does) must resume to exactly the outputs of the uninterrupted run, as
// often as it is restored, and so must its v8-serialized form (what live checkpoints store).

const REPLAY = fileURLToPath(
  new URL("../../../../replays/small/spy-aapl-2019-01.ndjson.gz", import.meta.url),
);
const events: Event[] = gunzipSync(readFileSync(REPLAY))
  .toString("utf8")
  .split("\n")
  .filter((line) => line.length > 0)
  .map((line) => JSON.parse(line) as Event);

const TOPOLOGY = `name: chainSnapshots
sources:
  - id: market
    replay: { files: [unused.ndjson] }
nodes:
  - { id: greeks, op: greeks, inputs: [market], params: { pricing: european } }
  - { id: ivSurface, op: ivSurface, inputs: [market, greeks] }
  - { id: volatility, op: volatility, inputs: [market, ivSurface] }
sinks:
  - { id: out, type: capture, inputs: [ivSurface, volatility, deadLetters] }
`;

const compiled = compileTopology("chainSnapshots.yaml", TOPOLOGY, {
  operators: builtinOperators(),
  sinks: new Registry<{
    name: string;
    description: string;
    params: Schema.Schema<object>;
    open: () => Promise<never>;
  }>("sink type").register({
    name: "capture",
    description: "test stand-in",
    params: Schema.Struct({}),
    open: async () => undefined as never,
  }),
});
if (Either.isLeft(compiled)) throw new Error(compiled.left.message);
const topology = compiled.right;

const BATCH = 1_000;

/** Runs `from` (in batches of BATCH), optionally resumed from `resume`; snapshots after batch `cutAfter`. */
const run = async (from: readonly Event[], options: { resume?: GraphSnapshot; cutAfter?: number } = {}) => {
  const out: string[] = [];
  const sink: EventSink = {
    write: (e) => void out.push(JSON.stringify(e)),
    flush: async () => {},
    close: async () => {},
    files: () => [],
  };
  let batches = 0;
  let snapshot: GraphSnapshot | undefined;
  async function* source() {
    for (let i = 0; i < from.length; i += BATCH) yield from.slice(i, i + BATCH);
  }
  await drive({
    topology,
    sources: new Map([["market", source()]]),
    sinks: new Map([["out", sink]]),
    onGraph: (g) => {
      if (options.resume !== undefined) g.restore(options.resume);
    },
    afterRun: (g) => {
      if (++batches === options.cutAfter) snapshot = g.snapshot();
      return undefined;
    },
  });
  return { out, snapshot };
};

describe("ivSurface under snapshots", () => {
  it("resumes a held or serialized snapshot to the uninterrupted run's outputs, more than once", async () => {
    const whole = await run(events);
    // Mid-chain (the small replay's chains are ~400 quotes per underlying and day).
    const cutAfter = Math.floor(events.length / BATCH / 2);
    const rest = events.slice(cutAfter * BATCH);
    const cut = await run(events, { cutAfter });
    expect(cut.out).toEqual(whole.out);
    const held = cut.snapshot!;
    const outputsBefore = cut.out.length - (await run(rest, { resume: held })).out.length;
    expect(outputsBefore).toBeGreaterThan(0);
    for (const resume of [held, held, deserialize(serialize(held)) as GraphSnapshot]) {
      const resumed = await run(rest, { resume });
      expect(resumed.out).toEqual(whole.out.slice(outputsBefore));
    }
  });
});
