import { readAccessToken } from "../auth/token.js";
import { Redactor } from "../secrets/redactor.js";
import type { KillOutcome } from "./killSwitch.js";

export interface KillResponse {
  readonly engaged: boolean;
  readonly flatten: boolean;
  readonly outcomes: readonly KillOutcome[];
}

/** Pulls a running engine's kill switch over HTTP with the access token (env or token file). */
export const requestKill = async (
  url: string,
  options: { readonly flatten: boolean; readonly env?: NodeJS.ProcessEnv; readonly fetchImpl?: typeof fetch },
): Promise<KillResponse> => {
  const env = options.env ?? process.env;
  let base: URL;
  try {
    base = new URL(url);
  } catch {
    throw new Error(`--url must be the dashboard URL, e.g. http://127.0.0.1:8765 (got '${url}')`);
  }
  if (base.protocol !== "http:" && base.protocol !== "https:")
    throw new Error(`--url must be http(s), got '${base.protocol}'`);
  const token = readAccessToken(env);
  const redactor = Redactor.fromEnv(env, [token.value]);
  let res: Response;
  try {
    res = await (options.fetchImpl ?? fetch)(new URL("/api/kill", base), {
      method: "POST",
      headers: { authorization: `Bearer ${token.value}`, "content-type": "application/json" },
      body: JSON.stringify({ flatten: options.flatten }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new Error(
      redactor.redact(
        `cannot reach ${base.origin}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`,
      ),
    );
  }
  if (res.status === 401)
    throw new Error(`${base.origin} refused the token (401): check $THETAFLOW_TOKEN or the token file`);
  if (!res.ok) throw new Error(redactor.redact(`${base.origin} answered ${res.status}: ${await res.text()}`));
  return (await res.json()) as KillResponse;
};
