import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { LABEL_NAMES } from "@thetaflow/operators";
import { describe, expect, it } from "vitest";
import { exportFeatures, featureCsvHeader } from "./features.js";

const SMALL = fileURLToPath(new URL("../../../../replays/small/spy-aapl-2019-01.ndjson.gz", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "thetaflow-features-"));

const csvRows = (file: string) => readFileSync(file, "utf8").trim().split("\n");
/** Feature cells only: labels look ahead by definition (they settle later) and are compared separately. */
const featureCells = (row: string) => row.split(",").slice(0, -LABEL_NAMES.length).join(",");

describe("thetaflow features", () => {
  it("exports the same rows up to day D from a replay cut at D as from the full replay (no look-ahead)", async () => {
    const lines = gunzipSync(readFileSync(SMALL)).toString("utf8").trim().split("\n");
    const times = [...new Set(lines.map((l) => (JSON.parse(l) as { eventTime: number }).eventTime))].sort(
      (a, b) => a - b,
    );
    const cut = times[Math.floor(times.length / 2)]!;
    const truncated = join(dir, "cut.ndjson");
    writeFileSync(
      truncated,
      `${lines.filter((l) => (JSON.parse(l) as { eventTime: number }).eventTime <= cut).join("\n")}\n`,
    );

    const fullCsv = join(dir, "full.csv");
    const cutCsv = join(dir, "cut.csv");
    const full = await exportFeatures([SMALL], fullCsv);
    const part = await exportFeatures([truncated], cutCsv);
    expect(full.deadLetters).toBe(0);
    expect(part.deadLetters).toBe(0);

    const fullRows = csvRows(fullCsv);
    const cutRows = csvRows(cutCsv);
    expect(fullRows[0]).toBe(featureCsvHeader().join(","));
    const upToCut = fullRows.slice(1).filter((r) => Number(r.split(",")[0]) <= cut);
    expect(cutRows.length - 1).toBe(upToCut.length);
    expect(upToCut.length).toBeGreaterThan(20);
    expect(cutRows.slice(1).map(featureCells)).toEqual(upToCut.map(featureCells));
    // Every row carries the seeds' column names, and some rows got a strategy label.
    for (const name of ["rv_20", "iv_rank", "iv_percentile", "vix_rank", "hv_iv_ratio", "rsi_14", "regime"]) {
      expect(fullRows[0]!.split(",")).toContain(name);
    }
    expect(full.labelled).toBeGreaterThan(0);
  });

  it("fails with a clear message on a missing replay", async () => {
    await expect(exportFeatures([join(dir, "nope.ndjson")], join(dir, "x.csv"))).rejects.toThrow(
      "replay file not found",
    );
  });
});
