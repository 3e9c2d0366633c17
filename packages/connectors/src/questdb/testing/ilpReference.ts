import { createBuffer, type SenderBuffer, SenderOptions } from "@questdb/nodejs-client";
import type { OptionQuote } from "@thetaflow/schemas";
import type { CompiledTable } from "../encode.js";
import type { TableRow } from "../rows.js";

/**
 * A buffer of the official client, for comparing bytes in tests: SenderBufferV2 (binary doubles)
 * by default, SenderBufferV1 (text doubles, nanosecond designated timestamps) for version 1.
 */
export const officialBuffer = async (version: 1 | 2 = 2): Promise<SenderBuffer> =>
  createBuffer(await SenderOptions.fromConfig(`http::addr=127.0.0.1:9000;protocol_version=${version}`));

/** Writes a row through the official client's buffer: the reference our encoders must match byte for byte. */
export const writeOfficial = (buffer: SenderBuffer, table: CompiledTable, row: TableRow): void => {
  const values = row.values as Record<string, unknown>;
  buffer.table(table.name);
  for (const s of table.symbols) if (values[s.name] != null) buffer.symbol(s.name, values[s.name]);
  for (const f of table.fields) {
    const v = values[f.name];
    if (v == null) continue;
    if (f.type === "DOUBLE") buffer.floatColumn(f.name, v as number);
    else if (f.type === "LONG") buffer.intColumn(f.name, v as number);
    else if (f.type === "VARCHAR") buffer.stringColumn(f.name, v as string);
    else if (f.type === "BOOLEAN") buffer.booleanColumn(f.name, v as boolean);
  }
  buffer.at(row.ts, "us");
};

/** A SPY 2019-03-15 call of a chain snapshot at event time 10 (seq = strike). */
export const chainCall = (strike: number): OptionQuote => ({
  kind: "OptionQuote",
  eventTime: 10,
  seq: strike,
  contract: `SPY   190315C00${strike}000`,
  underlying: "SPY",
  expiry: "2019-03-15",
  strike,
  right: "call",
  style: "american",
  settlement: "physical",
  multiplier: 100,
  bid: 1,
  ask: 1.1,
  bidSize: 0,
  askSize: 0,
  volume: 0,
  openInterest: 0,
});
