// Schema decode cost per event: effect/Schema's decoder vs the compiled fast path (with effect's
// generic filter path for refinements, and with built-in refinements run as plain checks), on the
// OptionQuote and UnderlyingTick lines of a replay, in the same process. Outputs are compared
// before timing, so a faster path that decodes differently fails the bench instead of winning it.
// With --baseline DIR (a built copy of an earlier schemas package, e.g. session 1's from git HEAD,
// see BENCHMARKS.md), that version's decodeEvent runs in the same process too.
// Run: npx tsc -b && node schemas/bench/decode.mjs [--records N] [--rounds R] [--file path.ndjson.gz]
//      [--baseline DIR]
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { Either, Schema } from "effect";
import { compileDecoder, NOT_VALID } from "../dist/fastCodec.js";
import { decodeEvent, eventSchemas } from "../dist/index.js";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? dflt : process.argv[i + 1];
};
const N = Number(arg("--records", 50_000));
const ROUNDS = Number(arg("--rounds", 5));
const FILE = arg("--file", new URL("../../replays/small/spy-aapl-2019-01.ndjson.gz", import.meta.url));
const KINDS = ["OptionQuote", "UnderlyingTick"];
const BASELINE = arg("--baseline", undefined);
const baseline =
  BASELINE === undefined ? undefined : await import(new URL(`file://${BASELINE}/index.js`).href);

const lines = gunzipSync(readFileSync(FILE)).toString("utf8").split("\n");
const byKind = Object.fromEntries(KINDS.map((k) => [k, []]));
for (const line of lines) {
  if (line.length === 0) continue;
  const row = JSON.parse(line);
  const bucket = byKind[row.kind];
  if (bucket !== undefined && bucket.length < N) bucket.push(row);
}
// A small replay holds few underlying ticks: cycle them (fresh objects) up to N.
for (const k of KINDS) {
  const rows = byKind[k];
  for (let i = 0, n = rows.length; rows.length < N && n > 0; i++) rows.push(structuredClone(rows[i % n]));
}

const paths = (kind) => {
  const schema = eventSchemas[kind];
  const schemaDecode = Schema.decodeUnknownEither(schema, { onExcessProperty: "ignore", errors: "first" });
  const generic = compileDecoder(schema.ast, { refinements: "effect" });
  const native = compileDecoder(schema.ast);
  const rows = {
    "effect/Schema": (u) => {
      const r = schemaDecode(u);
      return Either.isRight(r) ? r.right : NOT_VALID;
    },
    "compiled, effect filters": generic,
    "compiled, native checks": native,
    decodeEvent: (u) => {
      const r = decodeEvent(u);
      return r.ok ? r.value : NOT_VALID;
    },
  };
  if (baseline !== undefined)
    rows["baseline decodeEvent"] = (u) => {
      const r = baseline.decodeEvent(u);
      return r.ok ? r.value : NOT_VALID;
    };
  return rows;
};

const timeOnce = (decode, rows) => {
  let accepted = 0;
  const t0 = performance.now();
  for (let i = 0; i < rows.length; i++) if (decode(rows[i]) !== NOT_VALID) accepted++;
  return { ms: performance.now() - t0, accepted };
};

const fmt = (x) => x.toFixed(2);
console.log(
  `node ${process.version}; load average ${(await import("node:os")).loadavg().map(fmt).join(" ")}`,
);
for (const kind of KINDS) {
  const rows = byKind[kind];
  const ps = paths(kind);
  const reference = rows.map((r) => JSON.stringify(ps["effect/Schema"](r)));
  for (const [name, decode] of Object.entries(ps)) {
    for (let i = 0; i < rows.length; i++)
      if (JSON.stringify(decode(rows[i])) !== reference[i])
        throw new Error(`${kind} row ${i}: ${name} disagrees with effect/Schema`);
  }
  const best = {};
  // Interleaved rounds so load spikes hit every path alike; best round per path.
  for (let r = 0; r < ROUNDS; r++)
    for (const [name, decode] of Object.entries(ps)) {
      const { ms } = timeOnce(decode, rows);
      best[name] = Math.min(best[name] ?? Infinity, ms);
    }
  const base = best["compiled, effect filters"];
  const before = best["baseline decodeEvent"];
  console.log(`\n${kind}: ${rows.length} records, best of ${ROUNDS} rounds`);
  for (const [name, ms] of Object.entries(best))
    console.log(
      `  ${name.padEnd(26)} ${fmt((ms * 1000) / rows.length).padStart(7)} µs/record  ` +
        `${fmt(rows.length / ms / 1000).padStart(6)} M/s  x${fmt(base / ms)} vs compiled-effect-filters` +
        (before === undefined ? "" : `  x${fmt(before / ms)} vs baseline decodeEvent`),
    );
}
