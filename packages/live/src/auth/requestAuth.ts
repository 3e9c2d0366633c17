import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

export const SESSION_COOKIE = "tf_session";

const equal = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export type AuthResult = { readonly ok: false } | { readonly ok: true; readonly via: "bearer" | "cookie" };

/**
 * Checks a request's credentials: `Authorization: Bearer <token>` (CLI, scripts) or the session
 * cookie a browser got from the login form. The cookie holds an HMAC of the token, not the token, so
 * a copied cookie does not reveal the secret; it changes whenever the token does.
 */
export class RequestAuth {
  readonly #token: string;
  readonly #session: string;

  constructor(token: string) {
    this.#token = token;
    this.#session = createHmac("sha256", token).update("thetaflow-dashboard-session").digest("base64url");
  }

  checkToken(candidate: string): boolean {
    return equal(candidate, this.#token);
  }

  authorize(req: IncomingMessage): AuthResult {
    const header = req.headers.authorization;
    if (header !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      return m !== null && this.checkToken(m[1]!) ? { ok: true, via: "bearer" } : { ok: false };
    }
    const cookie = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    return cookie !== undefined && equal(cookie, this.#session) ? { ok: true, via: "cookie" } : { ok: false };
  }

  sessionCookie(): string {
    return `${SESSION_COOKIE}=${this.#session}; HttpOnly; SameSite=Strict; Path=/`;
  }
}

export const parseCookies = (header: string | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  if (header === undefined) return out;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
};
