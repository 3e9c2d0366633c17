#!/usr/bin/env node
// Launcher kept in plain JS so the bin link exists before `tsc -b` has built dist/.
import("../dist/main.js").catch((err) => {
  if (err && err.code === "ERR_MODULE_NOT_FOUND" && String(err.message).includes("dist/main.js")) {
    console.error("thetaflow: not built yet. Run `npm ci` (it builds) or `npm run build`.");
    process.exit(2);
  }
  throw err;
});
