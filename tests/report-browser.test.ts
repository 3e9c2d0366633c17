import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeBacktestReport } from "@thetaflow/backtest";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { writeSyntheticRun } from "./support/syntheticBacktest.js";
import { tempDir } from "./support/tmp.js";

const CHROMIUM = "/usr/bin/chromium";

describe("report.html in a real browser", () => {
  const dir = tempDir();

  it("renders every chart offline in headless Chromium", async () => {
    // The lead's CI installs the browser; a missing one is a failure, never a skip.
    if (!existsSync(CHROMIUM))
      throw new Error(
        `${CHROMIUM} not found: install it with \`apt-get update && apt-get install -y chromium\``,
      );
    const files = writeSyntheticRun(dir);
    const { summary } = writeBacktestReport({
      outDir: dir,
      topology: "synthetic",
      topologyHash: "0".repeat(64),
      files,
    });
    expect(summary.trades).toBeGreaterThan(3);
    const html = readFileSync(join(dir, "report.html"), "utf8");
    // Self-contained: no external scripts or styles (and below: the page makes no network request).
    expect(/<script[^>]+src=|<link[^>]+href=/.test(html)).toBe(false);

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      page.on("request", (r) => {
        if (!r.url().startsWith("file:")) requests.push(r.url());
      });
      await page.goto(`file://${join(dir, "report.html")}`);
      await page.waitForFunction(() => {
        const r = (
          window as unknown as { __thetaflowReport?: { charts: string[]; rendered: Record<string, boolean> } }
        ).__thetaflowReport;
        return r?.charts.every((id) => r.rendered[id] === true) === true;
      });
      const painted = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLDivElement>(".chart")].map((div) => {
          const canvas = div.querySelector("canvas");
          if (canvas === null) return { id: div.id, width: 0, inked: 0 };
          const ctx = canvas.getContext("2d")!;
          const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
          let inked = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) inked++;
          return { id: div.id, width: canvas.width, inked };
        }),
      );
      expect(painted.map((c) => c.id)).toEqual([
        "equity",
        "drawdown",
        "monthly",
        "pnl",
        "regime",
        "strategy",
      ]);
      for (const c of painted) {
        expect(c.width, c.id).toBeGreaterThan(0);
        expect(c.inked, `${c.id} has drawn pixels`).toBeGreaterThan(500);
      }
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
