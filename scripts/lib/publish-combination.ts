/**
 * `npm run cli -- combine`: publishes a combination of published likelihoods (issue 25) as an
 * artifact of its own: a manifest that pins each member by the sha256 of its manifest, with the
 * renames and correlations, and no components. The service loads the members from the same
 * catalogue and serves the combination like any likelihood (models/service/combination.ts).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CatalogueIndexSchema, resolveVersion } from '../../models/artifact/catalogue-index.js';
import { sha256Hex } from '../../models/artifact/codec.js';
import { readArtifactFolder } from './artifact-writer.js';
import { parseManifest } from '../../models/artifact/load.js';
import { MANIFEST_SCHEMA_VERSION } from '../../models/artifact/manifest-schema.js';
import { combineLikelihoods, type CombinationOptions } from '../../models/likelihood/combination.js';
import { createArtifactStore } from '../../models/service/catalogue.js';
import { writeCatalogueIndex } from './catalogue-index.js';
import { provenance } from './provenance.js';

export interface CombinationDraft extends CombinationOptions {
  id: string;
  version: string;
  title: string;
  description: string;
  /** id or id@version; the latest version where none is given */
  likelihoods: readonly string[];
}

export async function publishCombination(root: string, draft: CombinationDraft): Promise<{ folder: string; parameters: string[] }> {
  const index = CatalogueIndexSchema.parse(JSON.parse(await readFile(join(root, 'index.json'), 'utf8')));
  const members = await Promise.all(
    draft.likelihoods.map(async (spec) => {
      const found = resolveVersion(index, spec);
      if ('unknown' in found) throw new Error(`${spec}: not published in ${root}`);
      const folder = join(root, found.id, found.version);
      return { id: found.id, version: found.version, manifestSha256: await sha256Hex(new Uint8Array(await readFile(join(folder, 'manifest.json')))), artifact: await readArtifactFolder(folder) };
    }),
  );
  const combined = combineLikelihoods(members.map((m) => ({ key: m.id, likelihood: m.artifact.likelihood })), draft);
  const { likelihood } = combined;
  // each parameter of interest described as the first member that has it describes it
  const description = (k: number) => {
    for (const [i, m] of combined.members.entries()) {
      const j = m.index.indexOf(k);
      if (j >= 0 && j < m.likelihood.interest) return members[i].artifact.manifest.parameters[j].description;
    }
    return '';
  };
  const parameters = likelihood.parameters.slice(0, likelihood.interest).map((p, k) => ({ name: p.name, description: description(k), reference: p.init, range: [p.bounds[0], p.bounds[1]] as [number, number] }));
  const manifest = parseManifest({
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    id: draft.id,
    version: draft.version,
    title: draft.title,
    description: draft.description,
    citation: [...new Set(members.flatMap((m) => m.artifact.manifest.citation))],
    parameters,
    luminosity: { value: 1, unit: '× published' },
    combination: { members: members.map(({ id, version, manifestSha256 }) => ({ id, version, manifestSha256 })), ...(draft.rename ? { rename: draft.rename } : {}), ...(draft.correlate?.length ? { correlate: [...draft.correlate] } : {}) },
    components: {},
    provenance: provenance('combine', {}, { likelihoods: draft.likelihoods }),
    validation: { notes: [`A combination of ${members.map((m) => `${m.id}@${m.version}`).join(', ')}: the product of their likelihoods, each with its own data and luminosity; parameters of interest shared by name, nuisance parameters each member's own unless correlated (${draft.correlate?.length ? draft.correlate.join(', ') : 'none'}).`] },
  });
  const folder = join(root, draft.id, draft.version);
  if (existsSync(folder)) throw new Error(`${folder} exists: a published version never changes; publish a new version instead`);
  await mkdir(folder, { recursive: true });
  try {
    await writeFile(join(folder, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    await writeCatalogueIndex(root);
    // loaded back as the service loads it: the members' digests checked, the combination rebuilt
    const store = createArtifactStore(async (path) => new Uint8Array(await readFile(join(root, path))));
    await store.load(draft.id, draft.version);
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    await writeCatalogueIndex(root);
    throw error;
  }
  return { folder, parameters: parameters.map((p) => p.name) };
}
