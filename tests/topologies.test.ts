import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compileTopology } from "@thetaflow/core";
import { Either } from "effect";
import { describe, expect, it } from "vitest";
import { defaultRegistries } from "../packages/cli/src/registries.js";

const dir = "topologies";

describe("bundled topologies", () => {
  const files = readdirSync(dir).filter((f) => f.endsWith(".yaml"));
  it("include the demo, the model demo, the live and the features topologies", () => {
    expect(files).toEqual(
      expect.arrayContaining(["demo.yaml", "demo-model.yaml", "live.yaml", "features.yaml"]),
    );
  });
  for (const f of files) {
    it(`${f} compiles`, () => {
      const path = join(dir, f);
      const r = compileTopology(path, readFileSync(path, "utf8"), defaultRegistries());
      if (Either.isLeft(r)) throw new Error(r.left.message);
      expect(r.right.sources.every((s) => s.replay !== undefined)).toBe(true);
    });
  }
});
