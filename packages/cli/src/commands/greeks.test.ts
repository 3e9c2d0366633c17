import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { europeanPrice } from "@thetaflow/options-math";
import { describe, expect, it } from "vitest";
import { greeksForRow, runGreeks } from "./greeks.js";

const row = (over: Record<string, string>): Record<string, string> => ({
  id: "a",
  type: "call",
  style: "european",
  spot: "100",
  strike: "100",
  t_years: "1",
  rate: "0.05",
  div_yield: "0.01",
  vol: "",
  price: "",
  ...over,
});

describe("greeksForRow", () => {
  it("prices at a given vol", () => {
    const out = greeksForRow(row({ vol: "0.2" }));
    expect(out.status).toBe("ok");
    const expected = europeanPrice({
      right: "call",
      spot: 100,
      strike: 100,
      tYears: 1,
      rate: 0.05,
      divYield: 0.01,
      vol: 0.2,
    });
    expect(Number(out.price)).toBe(expected);
    expect(out.iv).toBe("");
    expect(Number(out.theta)).toBeLessThan(0);
  });
  it("solves the implied vol from a price, then Greeks at it", () => {
    const price = europeanPrice({
      right: "put",
      spot: 100,
      strike: 95,
      tYears: 0.5,
      rate: 0.05,
      divYield: 0.01,
      vol: 0.3,
    });
    const out = greeksForRow(row({ type: "put", strike: "95", t_years: "0.5", price: String(price) }));
    expect(out.status).toBe("ok");
    expect(Number(out.iv)).toBeCloseTo(0.3, 12);
    expect(Number(out.delta)).toBeLessThan(0);
  });
  it("American rows go through the American engine", () => {
    const eu = greeksForRow(row({ type: "put", vol: "0.3", strike: "120" }));
    const am = greeksForRow(row({ type: "put", style: "american", vol: "0.3", strike: "120" }));
    expect(Number(am.price)).toBeGreaterThan(Number(eu.price));
  });
  it("bad rows give a status, never throw", () => {
    expect(greeksForRow(row({ type: "straddle", vol: "0.2" })).status).toBe("invalid_input");
    expect(greeksForRow(row({ spot: "abc", vol: "0.2" })).status).toBe("invalid_input");
    expect(greeksForRow(row({})).status).toBe("invalid_input");
    expect(greeksForRow(row({ t_years: "0", price: "1" })).status).toBe("expired");
    expect(greeksForRow(row({ price: "1000" })).status).toBe("above_max");
    expect(greeksForRow(row({ strike: "50", price: "1" })).status).toBe("below_intrinsic");
  });
});

describe("runGreeks", () => {
  it("writes one output row per input row, in order, ignoring extra columns", async () => {
    const dir = mkdtempSync(join(tmpdir(), "greeks-"));
    const inFile = join(dir, "in.csv");
    const outFile = join(dir, "out.csv");
    writeFileSync(
      inFile,
      [
        "id,type,style,spot,strike,t_years,rate,div_yield,vol,price,extra",
        "r1,call,european,100,100,1,0.05,0.01,0.2,,x",
        "r2,put,american,100,110,0.5,0.05,0.01,,12.5,y",
        "r3,put,european,-1,100,1,0.05,0,0.2,,z",
      ].join("\n"),
    );
    expect(await runGreeks(inFile, outFile)).toBe(3);
    const lines = readFileSync(outFile, "utf8").trim().split("\n");
    expect(lines[0]).toBe("id,price,iv,delta,gamma,vega,theta,rho,status");
    expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual(["r1", "r2", "r3"]);
    expect(lines[1]!.endsWith(",ok")).toBe(true);
    expect(lines[2]!.endsWith(",ok")).toBe(true);
    expect(lines[3]!.endsWith(",invalid_input")).toBe(true);
  });
  it("rejects a file without the required columns", async () => {
    const dir = mkdtempSync(join(tmpdir(), "greeks-"));
    const inFile = join(dir, "in.csv");
    writeFileSync(inFile, "id,type\nr1,call\n");
    await expect(runGreeks(inFile, join(dir, "out.csv"))).rejects.toThrow(/missing column/);
  });
});
