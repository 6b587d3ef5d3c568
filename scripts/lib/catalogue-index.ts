/**
 * `likelihoods/index.json`: the list of published artifacts and versions. Static-asset
 * hosts (Workers assets, R2, a CDN) cannot list folders, so the service reads this index;
 * it is regenerated from the folders after every publish, never edited by hand.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compareVersions, type CatalogueIndex } from '../../models/artifact/catalogue-index.js';

export async function writeCatalogueIndex(root: string): Promise<CatalogueIndex> {
  const likelihoods: CatalogueIndex['likelihoods'] = [];
  for (const id of (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name).sort()) {
    const versions: string[] = [];
    for (const v of await readdir(join(root, id), { withFileTypes: true })) {
      if (!v.isDirectory()) continue;
      try {
        JSON.parse(await readFile(join(root, id, v.name, 'manifest.json'), 'utf8'));
        versions.push(v.name);
      } catch {
        // not a published version
      }
    }
    if (versions.length) likelihoods.push({ id, versions: versions.sort(compareVersions) });
  }
  const index: CatalogueIndex = { schemaVersion: '1', likelihoods };
  await writeFile(join(root, 'index.json'), JSON.stringify(index, null, 2) + '\n');
  return index;
}
