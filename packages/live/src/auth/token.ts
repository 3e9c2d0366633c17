import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

export interface AccessToken {
  readonly value: string;
  /** Where it came from, for messages that must not show the value itself. */
  readonly origin: "env" | "file" | "generated";
  readonly file?: string;
}

export const TOKEN_ENV = "THETAFLOW_TOKEN";

/** `$THETAFLOW_TOKEN_FILE`, else `$XDG_CONFIG_HOME/thetaflow/token`, else `~/.config/thetaflow/token`. */
export const defaultTokenFile = (env: NodeJS.ProcessEnv = process.env): string =>
  env.THETAFLOW_TOKEN_FILE ?? join(env.XDG_CONFIG_HOME ?? join(homedir(), ".config"), "thetaflow", "token");

/**
 * The token every dashboard, WebSocket and control request must present. Taken from the environment;
 * otherwise read from the token file; otherwise generated and written there with mode 0600 (only
 * the user can read it). The value is never printed: callers name the file instead.
 */
export const resolveAccessToken = (env: NodeJS.ProcessEnv = process.env): AccessToken => {
  const fromEnv = env[TOKEN_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== "") return { value: fromEnv.trim(), origin: "env" };
  const file = defaultTokenFile(env);
  if (existsSync(file)) {
    // A token file others can read is no secret: refuse it rather than trust it.
    if ((statSync(file).mode & 0o077) !== 0)
      throw new Error(`${file} is readable by other users; run \`chmod 600 ${file}\` or delete it`);
    const value = readFileSync(file, "utf8").trim();
    if (value.length >= 16) return { value, origin: "file", file };
    throw new Error(`${file} holds no usable token (expected at least 16 characters)`);
  }
  const value = randomBytes(32).toString("base64url");
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${value}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(file, 0o600);
  return { value, origin: "generated", file };
};

/** Where to find the token, for messages: never the token itself. */
export const describeTokenOrigin = (t: AccessToken): string =>
  t.origin === "env"
    ? `$${TOKEN_ENV}`
    : `${t.file} (${t.origin === "generated" ? "generated now, mode 0600" : "mode 0600"})`;

/** The token for a client (the `kill` command): never generates one, since a new token opens nothing. */
export const readAccessToken = (env: NodeJS.ProcessEnv = process.env): AccessToken => {
  const fromEnv = env[TOKEN_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== "") return { value: fromEnv.trim(), origin: "env" };
  const file = defaultTokenFile(env);
  if (!existsSync(file))
    throw new Error(`no access token: set $${TOKEN_ENV} or create ${file} (the dashboard run writes it)`);
  return resolveAccessToken(env);
};
