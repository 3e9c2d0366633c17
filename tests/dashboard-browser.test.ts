import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";
import { afterEach, describe, expect, it } from "vitest";
import { tradingStory, writeStoryTopology } from "./live-fixtures.js";
import { tempDir } from "./support/tmp.js";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = resolve("test-artifacts");
const TOKEN = "browser-test-token-4d8f0a";

describe("live dashboard in a browser", () => {
  const dir = tempDir();
  let child: ChildProcessWithoutNullStreams | undefined;
  afterEach(() => void child?.kill("SIGINT"));

  it("shows positions and the equity curve updating during a paced replay, on a phone-sized screen, offline", async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `${CHROMIUM} is missing: install it with \`apt-get update && apt-get install -y chromium\` (CI does this in .ci/run)`,
      );
    // About 12,000 events fed at 1,000 events/s: the page sees several source batches land.
    const file = writeStoryTopology(dir, tradingStory(1500));
    child = spawn(
      process.execPath,
      [
        "packages/cli/bin/thetaflow.js",
        "run",
        file,
        "--out",
        join(dir, "out"),
        "--dashboard",
        "--dashboard-port",
        "0",
        "--speed",
        "1000",
        "--hold",
        "--audit-log",
        join(dir, "audit.ndjson"),
        "--no-progress",
      ],
      { env: { ...process.env, THETAFLOW_TOKEN: TOKEN } },
    );
    let url = "";
    for await (const line of createInterface({ input: child.stdout })) {
      const m = /^dashboard {2}(http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (m) {
        url = m[1]!;
        break;
      }
    }
    expect(url).not.toBe("");

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
      const context = await browser.newContext({
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
      });
      const page = await context.newPage();
      // Offline: anything not served by the engine itself (a CDN) is refused and recorded.
      const external: string[] = [];
      await page.route("**/*", (route) => {
        const u = new URL(route.request().url());
        if (u.hostname === "127.0.0.1") return route.continue();
        external.push(u.href);
        return route.abort();
      });
      const login = await page.goto(url);
      expect(login?.status()).toBe(401);
      await page.fill("#token", TOKEN);
      await Promise.all([page.waitForURL(`${url}/`), page.click("button[type=submit]")]);

      const state = () =>
        page.evaluate(() => ({
          points: Number(document.getElementById("equity-chart")!.dataset.points),
          positions: [...document.querySelectorAll("#positions tbody tr")]
            .map((tr) => tr.textContent)
            .join("|"),
          rows: document.querySelectorAll("#positions tbody tr").length,
          equity: document.getElementById("kpi-equity")!.textContent,
        }));
      await page.waitForFunction(
        () =>
          Number(document.getElementById("equity-chart")!.dataset.points) > 0 &&
          document.querySelectorAll("#positions tbody tr").length > 0,
        undefined,
        { timeout: 30_000 },
      );
      const first = await state();
      await page.waitForFunction(
        (before) =>
          Number(document.getElementById("equity-chart")!.dataset.points) > before.points &&
          [...document.querySelectorAll("#positions tbody tr")].map((tr) => tr.textContent).join("|") !==
            before.positions,
        first,
        { timeout: 30_000 },
      );
      const later = await state();
      expect(later.points).toBeGreaterThan(first.points);
      expect(later.positions).not.toBe(first.positions);
      expect(later.rows).toBeGreaterThan(0);
      expect(later.equity).toMatch(/^\$[\d,]+\.\d\d$/);
      // The chart was drawn by uPlot (served from node_modules), and the page fits a phone's width.
      expect(await page.locator("#equity-chart canvas").count()).toBeGreaterThan(0);
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      expect(await page.textContent("#conn")).toBe("live");
      expect(external).toEqual([]);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, "dashboard.png"), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
