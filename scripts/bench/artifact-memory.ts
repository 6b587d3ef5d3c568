/**
 * Memory each published artifact costs once decoded and memoised (what a Worker isolate,
 * 128 MB in all, has to hold), measured as the growth of V8 heap + array buffers after
 * loading it and resolving its observed and Asimov datasets. Run:
 *   node --expose-gc --import tsx scripts/bench/artifact-memory.ts
 */
import { readFile } from 'node:fs/promises';
import { resolveDataset, hasObservedData } from '../../models/likelihood/datasets.js';
import { CatalogueIndexSchema } from '../../models/artifact/catalogue-index.js';
import { readArtifactFolder } from '../lib/artifact-writer.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const used = () => {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

const index = CatalogueIndexSchema.parse(JSON.parse(await readFile('likelihoods/index.json', 'utf8')));
const keep: unknown[] = [];
let total = 0;
console.log('artifact                               component bytes   decoded + datasets (MB)');
for (const { id, versions } of index.likelihoods) {
  for (const version of versions) {
    const before = used();
    const artifact = await readArtifactFolder(`likelihoods/${id}/${version}`);
    const datasets = [resolveDataset(artifact.likelihood, { kind: 'asimov' })];
    if (hasObservedData(artifact.likelihood)) datasets.push(resolveDataset(artifact.likelihood, { kind: 'observed' }));
    keep.push(artifact, datasets);
    const cost = used() - before;
    total += cost;
    console.log(`${`${id}@${version}`.padEnd(38)} ${String(artifact.componentBytes).padStart(15)}   ${(cost / 1e6).toFixed(1).padStart(8)}`);
  }
}
console.log(`all artifacts: ${(total / 1e6).toFixed(1)} MB of the 128 MB a Worker isolate has`);
