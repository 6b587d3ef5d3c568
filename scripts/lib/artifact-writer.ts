/**
 * Writes a published likelihood artifact: encodes the components, records their size and
 * sha256 in the manifest, validates the manifest against the schema, refuses to overwrite
 * an existing version (a published version never changes), and reads the result back
 * through the same loader the service uses before declaring success.
 */
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assembleArtifact, type ComponentInput, type ManifestDraft } from '../../models/artifact/assemble.js';
import { encodeMessagePack, sha256Hex } from '../../models/artifact/codec.js';
import { loadArtifact, parseManifest, type LoadedArtifact } from '../../models/artifact/load.js';
import { analyse } from '../../models/service/page-analysis.js';
import { CatalogueIndexSchema, resolveVersion } from '../../models/artifact/catalogue-index.js';

export type { ComponentInput, ManifestDraft };

/**
 * With `pageAnalysis`, the result page's numbers are computed from the written artifact and
 * published with it (a page-analysis component): for likelihoods whose page would take a
 * Worker too long to compute on first request.
 */
/**
 * Refuses, before any work, to start a command that would publish a version already published
 * in `root`: a long run must not fail at its end (`four-top --quick` once did after 13 minutes).
 */
export async function assertUnpublished(root: string, ids: readonly string[], version: string): Promise<void> {
  const taken: string[] = [];
  for (const id of ids) if (await exists(join(root, id, version))) taken.push(`${id}@${version}`);
  if (taken.length) throw new Error(`${taken.join(', ')} ${taken.length > 1 ? 'are' : 'is'} already published in ${root}: a published version never changes; choose another --version or --out`);
}

export async function writeArtifact(root: string, draft: ManifestDraft, components: ComponentInput[], options: { pageAnalysis?: boolean } = {}): Promise<{ folder: string; artifact: LoadedArtifact }> {
  const folder = join(root, draft.id, draft.version);
  if (await exists(folder)) throw new Error(`${folder} exists: a published version never changes; publish a new version instead`);
  const { manifest, files } = await assembleArtifact(draft, components);

  await mkdir(folder, { recursive: true });
  try {
    for (const [file, bytes] of files) await writeFile(join(folder, file), bytes);
    await writeFile(join(folder, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    const artifact = await readArtifactFolder(folder);
    if (options.pageAnalysis) return { folder, artifact: await addPageAnalysis(folder, artifact) };
    return { folder, artifact };
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Adds the result page's numbers to an artifact being published (its folder, loaded): the
 * page-analysis component and the manifest's reference to it. Only while publishing: a
 * published version never changes.
 */
export async function addPageAnalysis(folder: string, artifact: LoadedArtifact): Promise<LoadedArtifact> {
  if (artifact.manifest.pageAnalysis) throw new Error(`${folder} already has a page analysis`);
  const analysis = analyse(artifact);
  const bytes = encodeMessagePack({ kind: 'page-analysis', analysis });
  const file = 'page-analysis.msgpack';
  await writeFile(join(folder, file), bytes);
  const manifest = parseManifest({
    ...artifact.manifest,
    components: { ...artifact.manifest.components, 'page-analysis': { kind: 'page-analysis', file, sha256: await sha256Hex(bytes), bytes: bytes.length, mediaType: 'application/msgpack', description: `the result page's scans and contours, computed at publication (${(analysis.elapsedMs / 1000).toFixed(0)} s)` } },
    pageAnalysis: 'page-analysis',
  });
  await writeFile(join(folder, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return readArtifactFolder(folder);
}

/** Loads an artifact folder from disk through the service's loader (sha256 checked). */
export async function readArtifactFolder(folder: string): Promise<LoadedArtifact> {
  const manifest = JSON.parse(await readFile(join(folder, 'manifest.json'), 'utf8'));
  return loadArtifact(manifest, async (file) => {
    try {
      return new Uint8Array(await readFile(join(folder, file)));
    } catch {
      return null;
    }
  });
}

/** A published likelihood, `id` or `id@version` (default the latest), from a likelihoods folder's index. */
export async function readPublished(root: string, spec: string): Promise<LoadedArtifact> {
  const index = CatalogueIndexSchema.parse(JSON.parse(await readFile(join(root, 'index.json'), 'utf8')));
  const found = resolveVersion(index, spec);
  if ('unknown' in found) throw new Error(found.unknown === 'likelihood' ? `no likelihood '${found.id}' is published in ${root}` : `'${found.id}' has versions ${found.versions.join(', ')} in ${root}`);
  return readArtifactFolder(join(root, found.id, found.version));
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
