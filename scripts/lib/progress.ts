/** A progress bar with ETA on stderr for long work (cli-progress); silent when stderr is not a terminal. */
import { SingleBar, Presets } from 'cli-progress';

export interface Progress {
  /** `status` is shown after the counts, e.g. the current loss */
  update(done: number, total: number, status?: string): void;
  stop(): void;
}

export function progressBar(label: string): Progress {
  if (!process.stderr.isTTY) {
    let lastTenth = -1;
    return {
      update(done, total, status) {
        const tenth = Math.floor((10 * done) / total);
        if (tenth !== lastTenth) {
          lastTenth = tenth;
          process.stderr.write(`${label}: ${done}/${total}${status ? ` ${status}` : ''}\n`);
        }
      },
      stop() {},
    };
  }
  const bar = new SingleBar({ format: `${label} [{bar}] {percentage}% | {value}/{total} {status}| ETA {eta_formatted}`, stream: process.stderr, hideCursor: true }, Presets.shades_classic);
  let started = false;
  return {
    update(done, total, status = '') {
      if (!started) {
        bar.start(total, 0, { status });
        started = true;
      }
      bar.update(done, { status: status ? `${status} ` : '' });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** One bar per label, made on its first update (work with several stages reported by name). */
export function progressBars(): { update(label: string, done: number, total: number): void; stop(): void } {
  const bars = new Map<string, Progress>();
  return {
    update(label, done, total) {
      if (!bars.has(label)) bars.set(label, progressBar(label));
      bars.get(label)!.update(done, total);
    },
    stop() {
      for (const bar of bars.values()) bar.stop();
    },
  };
}
