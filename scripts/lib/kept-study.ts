/**
 * Studies that take minutes to hours (scripts/srgn/, scripts/eeec/) are kept as JSON beside
 * their settings and reused when a document is written again with the same settings.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { selectBackend } from '../training/backend.js';
import { progressBar } from './progress.js';

/** The study kept in `file` if it was run with `config`, else a new run of it, kept there. */
export async function keptOrRun<C, S extends { config: C }>(file: string, config: C, again: boolean, run: (onProgress: (done: number, total: number) => void) => S | Promise<S>, label: string): Promise<S> {
  const kept = (await readFile(file, 'utf8').then((text) => JSON.parse(text), () => null)) as S | null;
  if (!again && kept && JSON.stringify(kept.config) === JSON.stringify(config)) return kept;
  await selectBackend({ log: null });
  const bar = progressBar(label);
  const study = await run((done, total) => bar.update(done, total));
  bar.stop();
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(study));
  return study;
}
