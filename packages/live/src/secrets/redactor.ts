/**
 * Secrets reach the process only through the environment (or a .env file loaded into it). Anything
 * that writes text a person or a file may see passes it through a Redactor built from those values,
 * so a token or password can never leak through an error message that happens to quote it.
 */
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|PASS$|API_?KEY|PRIVATE|WEBHOOK|SMTP_URL|CREDENTIAL/i;
/** Variables that name where a secret lives (THETAFLOW_TOKEN_FILE) are not secrets themselves. */
const LOCATION_NAME = /_(FILE|PATH|DIR)$/i;
/** Values shorter than this are too likely to occur by chance (e.g. "1", "on") to be masked safely. */
const MIN_SECRET_LENGTH = 6;
export const REDACTED = "[redacted]";

export class Redactor {
  readonly #secrets: string[];

  constructor(secrets: Iterable<string>) {
    // Longest first, so a secret that contains another is masked whole.
    this.#secrets = [...new Set([...secrets].filter((s) => s.length >= MIN_SECRET_LENGTH))].sort(
      (a, b) => b.length - a.length,
    );
  }

  /** Secret values of every environment variable whose name says it holds one. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env, extra: Iterable<string> = []): Redactor {
    const values: string[] = [...extra];
    for (const [name, value] of Object.entries(env)) {
      if (value === undefined || !SECRET_NAME.test(name) || LOCATION_NAME.test(name)) continue;
      values.push(value);
      // A URL's password is a secret on its own too (smtp://user:pass@host).
      const password = urlPassword(value);
      if (password !== undefined) values.push(password, encodeURIComponent(password));
    }
    return new Redactor(values);
  }

  with(secret: string): Redactor {
    return new Redactor([...this.#secrets, secret]);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.#secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
    return out;
  }
}

const urlPassword = (value: string): string | undefined => {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return undefined;
  try {
    const p = new URL(value).password;
    return p === "" ? undefined : decodeURIComponent(p);
  } catch {
    return undefined;
  }
};
