/**
 * The catalogue of published artifacts as the service sees it: an index, manifests and
 * lazily loaded, memoised likelihoods, over any way of reading files (Workers static
 * assets, the Node file system, R2). A tampered or broken artifact is refused on its own;
 * the rest of the catalogue keeps working.
 */
import { ArtifactError, loadArtifact, parseManifest, readVerifiedComponent, type LoadedArtifact } from '../models/artifact/load.js';
import type { Manifest } from '../models/artifact/manifest-schema.js';
import { sha256Hex } from '../models/artifact/codec.js';
import { CatalogueIndexSchema, compareVersions, type CatalogueIndex } from './catalogue-index.js';
import { Problem } from './problem.js';

/** Reads a file of the likelihoods folder by its path relative to that folder; null if absent. */
export type ReadAsset = (path: string) => Promise<Uint8Array | null>;

export interface ManifestEntry {
  manifest: Manifest;
  /** strong ETag: the sha256 of the manifest file (which pins every component's sha256) */
  etag: string;
}

export interface ArtifactStore {
  index(): Promise<CatalogueIndex>;
  /** `id` or `id@version` → the concrete id and version (latest when none is given) */
  resolve(spec: string): Promise<{ id: string; version: string; latest: boolean }>;
  manifest(id: string, version: string): Promise<ManifestEntry>;
  load(id: string, version: string): Promise<LoadedArtifact>;
  /** the bytes of one component, sha256 checked (e.g. a validation figure) */
  component(id: string, version: string, name: string): Promise<Uint8Array>;
}

export function createArtifactStore(read: ReadAsset): ArtifactStore {
  let indexPromise: Promise<CatalogueIndex> | null = null;
  const manifests = new Map<string, Promise<ManifestEntry>>();
  const artifacts = new Map<string, Promise<LoadedArtifact>>();

  const index = () => {
    indexPromise ??= (async () => {
      let bytes: Uint8Array | null;
      try {
        bytes = await read('index.json');
      } catch (error) {
        throw new Problem(503, 'artifact-unavailable', `the catalogue index could not be read: ${(error as Error).message}`);
      }
      if (!bytes) return { schemaVersion: '1' as const, likelihoods: [] };
      let json: unknown;
      try {
        json = JSON.parse(new TextDecoder().decode(bytes));
      } catch {
        throw new Problem(503, 'artifact-unavailable', 'the catalogue index (index.json) is not valid JSON');
      }
      const parsed = CatalogueIndexSchema.safeParse(json);
      if (!parsed.success) throw new Problem(503, 'artifact-unavailable', 'the catalogue index (index.json) does not match its schema');
      return parsed.data;
    })();
    return indexPromise;
  };

  const manifest = (id: string, version: string) => {
    const key = `${id}@${version}`;
    let entry = manifests.get(key);
    if (!entry) {
      entry = (async () => {
        try {
          const bytes = await read(`${id}/${version}/manifest.json`);
          if (!bytes) throw new Problem(503, 'artifact-unavailable', `${key}: manifest.json is missing`);
          const manifest = parseManifest(JSON.parse(new TextDecoder().decode(bytes)));
          if (manifest.id !== id || manifest.version !== version) throw new ArtifactError('manifest-invalid', `the manifest in ${key} says ${manifest.id}@${manifest.version}`);
          return { manifest, etag: `"${await sha256Hex(bytes)}"` };
        } catch (error) {
          throw artifactProblem(key, error);
        }
      })();
      manifests.set(key, entry);
    }
    return entry;
  };

  return {
    index,
    async resolve(spec) {
      const at = spec.indexOf('@');
      const id = at < 0 ? spec : spec.slice(0, at);
      const version = at < 0 ? undefined : spec.slice(at + 1);
      const entry = (await index()).likelihoods.find((l) => l.id === id);
      if (!entry) throw new Problem(404, 'unknown-likelihood', `no likelihood '${id}' is published here`);
      const latest = [...entry.versions].sort(compareVersions).at(-1)!;
      if (version === undefined) return { id, version: latest, latest: true };
      if (!entry.versions.includes(version)) throw new Problem(404, 'unknown-version', `'${id}' has versions ${entry.versions.join(', ')}; not ${version}`);
      return { id, version, latest: version === latest };
    },
    manifest,
    load(id, version) {
      const key = `${id}@${version}`;
      let artifact = artifacts.get(key);
      if (!artifact) {
        artifact = (async () => {
          const { manifest: m } = await manifest(id, version);
          try {
            return await loadArtifact(m, (file) => read(`${id}/${version}/${file}`));
          } catch (error) {
            throw artifactProblem(key, error);
          }
        })();
        artifacts.set(key, artifact);
      }
      return artifact;
    },
    async component(id, version, name) {
      const { manifest: m } = await manifest(id, version);
      try {
        return await readVerifiedComponent(m, name, (file) => read(`${id}/${version}/${file}`));
      } catch (error) {
        throw artifactProblem(`${id}@${version}`, error);
      }
    },
  };
}

function artifactProblem(key: string, error: unknown): Problem {
  if (error instanceof Problem) return error;
  if (error instanceof ArtifactError) {
    return new Problem(503, 'artifact-unavailable', `${key} is refused: ${error.message}`, error.issues.map((i) => ({ path: i.path, message: i.message, code: error.code })));
  }
  return new Problem(503, 'artifact-unavailable', `${key} could not be read: ${(error as Error).message}`);
}
