import cliProgress from "cli-progress";

export interface ProgressReporter {
  update(p: {
    readonly eventsIn: number;
    readonly eventTime: number;
    readonly bytesRead: number;
    readonly bytesTotal: number;
  }): void;
  stop(): void;
}

const day = (eventTimeUs: number) => new Date(Math.floor(eventTimeUs / 1000)).toISOString().slice(0, 10);

/** A progress bar on a TTY (bytes of replay read), nothing otherwise: logs stay clean in CI. */
export const progressReporter = (enabled: boolean): ProgressReporter => {
  if (!enabled || !process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      format: "replay [{bar}] {percentage}% | {date} | {events} events",
      stream: process.stderr,
      hideCursor: true,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: (p) => {
      if (!started) {
        bar.start(Math.max(p.bytesTotal, 1), 0, { date: "", events: 0 });
        started = true;
      }
      bar.update(p.bytesRead, { date: day(p.eventTime), events: p.eventsIn.toLocaleString("en-US") });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
};
