import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { FEATURE_CATALOG, FEATURE_NAMES, featureCatalogMarkdown } from "./catalog.js";

describe("feature catalog", () => {
  it("names about 185 unique features across the seeds' six categories", () => {
    expect(new Set(FEATURE_NAMES).size).toBe(FEATURE_NAMES.length);
    expect(FEATURE_NAMES.length).toBeGreaterThanOrEqual(180);
    expect(new Set(FEATURE_CATALOG.map((f) => f.category))).toEqual(
      new Set(["options", "volatility", "price_momentum", "volume_oi", "temporal", "derived"]),
    );
    for (const name of ["rv_20", "iv_rank", "iv_percentile", "vix_rank", "hv_iv_ratio", "rsi_14", "regime"]) {
      expect(FEATURE_NAMES).toContain(name);
    }
    for (const f of FEATURE_CATALOG) expect(f.formula.length > 0 && f.window.length > 0).toBe(true);
  });

  it("is what docs/features.md documents (regenerate with packages/operators/scripts/features-doc.mjs)", () => {
    const doc = readFileSync(fileURLToPath(new URL("../../../../docs/features.md", import.meta.url)), "utf8");
    expect(doc).toBe(featureCatalogMarkdown());
  });
});
