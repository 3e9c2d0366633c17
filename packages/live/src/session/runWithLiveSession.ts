import { loadDotEnv } from "../secrets/dotenv.js";
import { type LiveFlags, liveOptionsFromFlags } from "./liveOptions.js";
import { LiveSession, type LiveSessionIo } from "./liveSession.js";

/**
 * The CLI's entry: runs `run` with a live session when the flags ask for one (dashboard, metrics,
 * pacing), reports the result, then holds or closes the session. Without live flags it is just
 * `report(await run(undefined))`.
 */
export const runWithLiveSession = async <R>(
  flags: LiveFlags,
  run: (session: LiveSession | undefined) => Promise<R>,
  report: (result: R) => void,
  io: Partial<LiveSessionIo> = {},
): Promise<void> => {
  const options = liveOptionsFromFlags(flags);
  if (options === undefined) {
    report(await run(undefined));
    return;
  }
  // Secrets (token, webhook, SMTP) come from the environment, or a .env file in the working directory.
  loadDotEnv();
  const session = await LiveSession.open(options, {
    env: process.env,
    print: (line) => console.log(line),
    ...io,
  });
  let result: R;
  try {
    result = await run(session);
  } catch (error) {
    await session.complete({ ok: false, error });
    throw error;
  }
  report(result);
  await session.complete({ ok: true });
};
