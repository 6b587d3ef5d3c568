/**
 * Writes a published likelihood artifact: encodes the components, records their size and
 * sha256 in the manifest, validates the manifest against the schema, refuses to overwrite
 * an existing version (a published version never changes), and reads the result back
 * through the same loader the service uses before declaring success.
 */
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assembleArtifact, type ComponentInput, type ManifestDraft } from '../../models/artifact/assemble.js';
import { loadArtifact, type LoadedArtifact } from '../../models/artifact/load.js';

export type { ComponentInput, ManifestDraft };

export async function writeArtifact(root: string, draft: ManifestDraft, components: ComponentInput[]): Promise<{ folder: string; artifact: LoadedArtifact }> {
  const folder = join(root, draft.id, draft.version);
  if (await exists(folder)) throw new Error(`${folder} exists: a published version never changes; publish a new version instead`);
  const { manifest, files } = await assembleArtifact(draft, components);

  await mkdir(folder, { recursive: true });
  try {
    for (const [file, bytes] of files) await writeFile(join(folder, file), bytes);
    await writeFile(join(folder, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    const artifact = await readArtifactFolder(folder);
    return { folder, artifact };
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
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

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
