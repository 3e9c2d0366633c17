import { createTransport, type Transporter } from "nodemailer";
import { describeError, type LiveLogger } from "../log/logger.js";
import type { Alert } from "./alert.js";

export interface AlertChannel {
  readonly name: string;
  send(alert: Alert, at: Date): Promise<void>;
}

const line = (a: Alert, at: Date) =>
  `[thetaflow ${a.severity.toUpperCase()}] ${a.rule}: ${a.message} (${at.toISOString()})`;

export const logChannel = (logger: LiveLogger): AlertChannel => ({
  name: "log",
  send: async (a) => {
    logger.log(a.severity === "critical" ? "error" : a.severity === "warning" ? "warn" : "info", "alert", {
      rule: a.rule,
      severity: a.severity,
      key: a.key,
      message: a.message,
      ...(a.eventTime === undefined ? {} : { eventTime: a.eventTime }),
    });
  },
});

/**
 * Slack-compatible incoming webhook: POST `{"text": ...}`. The URL is itself a secret (it embeds the
 * webhook key), so errors never quote it.
 */
export const webhookChannel = (url: string, fetchImpl: typeof fetch = fetch): AlertChannel => ({
  name: "webhook",
  send: async (a, at) => {
    let res: Response;
    try {
      res = await fetchImpl(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text: line(a, at) }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      throw new Error(`webhook unreachable: ${(err as Error).name}`);
    }
    if (!res.ok) throw new Error(`webhook answered HTTP ${res.status}`);
  },
});

export interface EmailSettings {
  /** `smtp://user:password@host:587` or `smtps://...` — from the environment only. */
  readonly smtpUrl: string;
  readonly from: string;
  readonly to: string;
}

export const emailChannel = (settings: EmailSettings, transport?: Transporter): AlertChannel => {
  const mailer = transport ?? createTransport(settings.smtpUrl);
  return {
    name: "email",
    send: async (a, at) => {
      try {
        await mailer.sendMail({
          from: settings.from,
          to: settings.to,
          subject: `[thetaflow ${a.severity}] ${a.rule}`,
          text: `${line(a, at)}\n`,
        });
      } catch (err) {
        // SMTP errors can echo the AUTH exchange; keep only the reply code and the first words.
        const e = err as { code?: string; responseCode?: number };
        throw new Error(
          `smtp failed: ${e.code ?? "error"}${e.responseCode === undefined ? "" : ` ${e.responseCode}`}`,
        );
      }
    },
  };
};

export const channelsFromEnv = (env: NodeJS.ProcessEnv, logger: LiveLogger): AlertChannel[] => {
  const channels = [logChannel(logger)];
  const webhook = env.THETAFLOW_ALERT_WEBHOOK_URL;
  if (webhook !== undefined && webhook !== "") channels.push(webhookChannel(webhook));
  const smtp = env.THETAFLOW_SMTP_URL;
  if (smtp !== undefined && smtp !== "") {
    const to = env.THETAFLOW_ALERT_EMAIL_TO;
    if (to === undefined || to === "")
      logger.log(
        "warn",
        "THETAFLOW_SMTP_URL is set but THETAFLOW_ALERT_EMAIL_TO is not: email alerts are off",
      );
    else
      channels.push(
        emailChannel({ smtpUrl: smtp, to, from: env.THETAFLOW_ALERT_EMAIL_FROM ?? "thetaflow@localhost" }),
      );
  }
  return channels;
};

export { describeError };
