/**
 * `npm run cli -- wz`: runs the W±Z study (study.ts), or reuses the one kept in <run>/wz/ when
 * its settings are the same, writes docs/wz.md (report.ts) and, with --publish, publishes the
 * learned likelihoods and the histogram (publish.ts).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { decodeMessagePack, encodeMessagePack } from '../../models/artifact/codec.js';
import { parseFrozenNetwork, type AnyFrozenNetwork } from '../../models/network/frozen-network.js';
import { selectBackend } from '../training/backend.js';
import { writeWzReport } from './report.js';
import { FULL_WZ_STUDY, QUICK_WZ_STUDY, runWzStudy, type WzStudy } from './study.js';
import type { WzArchitecture } from './train.js';

interface Kept {
  study: WzStudy;
  networks: Record<WzArchitecture, AnyFrozenNetwork>;
}

async function keptStudy(folder: string, config: WzStudy['config']): Promise<Kept | null> {
  const study = (await readFile(`${folder}/study.json`, 'utf8').then((text) => JSON.parse(text), () => null)) as WzStudy | null;
  if (!study || JSON.stringify(study.config) !== JSON.stringify(config)) return null;
  const bytes = await readFile(`${folder}/networks.msgpack`).catch(() => null);
  if (!bytes) return null;
  const raw = decodeMessagePack(bytes) as Record<WzArchitecture, unknown>;
  return { study, networks: { mlp: parseFrozenNetwork<AnyFrozenNetwork>(raw.mlp), lgatr: parseFrozenNetwork<AnyFrozenNetwork>(raw.lgatr) } };
}

/** Returns the line to print. */
export async function wzCommand(options: { quick: boolean; run: string; again: boolean; docs: string; publish?: string; out: string }): Promise<string> {
  const config = options.quick ? QUICK_WZ_STUDY : FULL_WZ_STUDY;
  const folder = `${options.run}/${options.quick ? 'wz-quick' : 'wz'}`;
  const log = (line: string) => console.error(line);
  let kept = options.again ? null : await keptStudy(folder, config);
  if (!kept) {
    await selectBackend({ log: null });
    kept = await runWzStudy(config, log);
    await mkdir(folder, { recursive: true });
    await writeFile(`${folder}/study.json`, JSON.stringify(kept.study));
    await writeFile(`${folder}/networks.msgpack`, encodeMessagePack(kept.networks));
  }
  const docs = options.quick ? `${folder}/wz.md` : options.docs;
  await mkdir(dirname(docs), { recursive: true });
  await writeWzReport(kept.study, docs, `npm run cli -- wz${options.quick ? ' --quick' : ''}`);
  let published = '';
  if (options.publish) {
    const { publishWz } = await import('./publish.js');
    const folders = await publishWz({ out: options.out, version: options.publish, study: kept.study, networks: kept.networks, log });
    published = `; published ${folders.join(', ')}`;
  }
  return `wrote ${docs} (the study took ${kept.study.seconds.toFixed(0)} s; kept in ${folder}/)${published}`;
}
