import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Redactor } from "../secrets/redactor.js";
import { AuditLog, verifyAuditFile } from "./auditLog.js";

describe("AuditLog", () => {
  it("appends across runs, chains hashes, redacts secrets, and detects an edited line", () => {
    const file = join(mkdtempSync(join(tmpdir(), "audit-")), "audit.ndjson");
    const redactor = new Redactor(["hunter2-secret"]);
    const first = new AuditLog(file, redactor);
    first.record("order", "engine", "o-1", { status: "submitted" }, 10);
    first.recordManual("dashboard", "kill_switch", { note: "pulled with token hunter2-secret" });
    first.close();
    const second = new AuditLog(file, redactor);
    second.record("cancel", "engine", "o-1", { status: "cancelled" }, 11);
    second.close();
    const lines = readFileSync(file, "utf8").trim().split("\n");
    expect(lines.map((l) => JSON.parse(l).seq)).toEqual([0, 1, 2]);
    expect(readFileSync(file, "utf8")).not.toContain("hunter2-secret");
    expect(verifyAuditFile(file)).toBeUndefined();
    writeFileSync(file, `${[lines[0], lines[1]!.replace("kill_switch", "nothing"), lines[2]].join("\n")}\n`);
    expect(verifyAuditFile(file)).toBe(1);
  });
});

describe("Redactor", () => {
  it("masks secret-named variables and URL passwords, not locations or short values", () => {
    const r = Redactor.fromEnv({
      THETAFLOW_TOKEN: "abcdef123456",
      THETAFLOW_SMTP_URL: "smtp://u:p%40ssw0rd!@h:25",
      THETAFLOW_TOKEN_FILE: "/home/me/.config/thetaflow/token",
      API_KEY: "x",
      HOME: "/root",
    });
    expect(r.redact("t=abcdef123456 pw=p@ssw0rd! f=/home/me/.config/thetaflow/token k=x")).toBe(
      "t=[redacted] pw=[redacted] f=/home/me/.config/thetaflow/token k=x",
    );
  });
});
