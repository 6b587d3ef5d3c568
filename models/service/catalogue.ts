/**
 * The catalogue of published artifacts as the service sees it: an index, manifests and
 * lazily loaded, memoised likelihoods, over any way of reading files (Workers static assets,
 * the Node file system, R2). A tampered or broken artifact is refused on its own (an
 * `integrity` failure); the rest of the catalogue keeps working.
 */
import { CatalogueIndexSchema, resolveVersion, type CatalogueIndex } from '../artifact/catalogue-index.js';
import { sha256Hex } from '../artifact/codec.js';
import type { ComponentPayload } from '../artifact/components.js';
import { ArtifactError, loadArtifact, parseManifest, readPayload, readVerifiedComponent, type LoadedArtifact } from '../artifact/load.js';
import type { Manifest } from '../artifact/manifest-schema.js';
import { loadPublishedCombination } from './combination.js';
import { integrity, notFound, ServiceError } from './errors.js';
import type { CatalogueEntry } from './schemas.js';

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
  /** one component's payload, sha256 checked, decoded and validated as `kind` */
  payload<K extends ComponentPayload['kind']>(id: string, version: string, name: string, kind: K): Promise<Extract<ComponentPayload, { kind: K }>>;
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
        throw integrity(`the catalogue index could not be read: ${(error as Error).message}`);
      }
      if (!bytes) return { schemaVersion: '1' as const, likelihoods: [] };
      let json: unknown;
      try {
        json = JSON.parse(new TextDecoder().decode(bytes));
      } catch {
        throw integrity('the catalogue index (index.json) is not valid JSON');
      }
      const parsed = CatalogueIndexSchema.safeParse(json);
      if (!parsed.success) throw integrity('the catalogue index (index.json) does not match its schema');
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
          if (!bytes) throw integrity(`${key}: manifest.json is missing`);
          const manifest = parseManifest(JSON.parse(new TextDecoder().decode(bytes)));
          if (manifest.id !== id || manifest.version !== version) throw new ArtifactError('manifest-invalid', `the manifest in ${key} says ${manifest.id}@${manifest.version}`);
          return { manifest, etag: `"${await sha256Hex(bytes)}"` };
        } catch (error) {
          throw refused(key, error);
        }
      })();
      manifests.set(key, entry);
    }
    return entry;
  };

  const store: ArtifactStore = {
    index,
    async resolve(spec) {
      const found = resolveVersion(await index(), spec);
      if ('unknown' in found) {
        if (found.unknown === 'likelihood') throw notFound('unknown-likelihood', `no likelihood '${found.id}' is published here`);
        throw notFound('unknown-version', `'${found.id}' has versions ${found.versions.join(', ')}; not ${spec.slice(spec.indexOf('@') + 1)}`);
      }
      return found;
    },
    manifest,
    load(id, version) {
      const key = `${id}@${version}`;
      let artifact = artifacts.get(key);
      if (!artifact) {
        artifact = (async () => {
          const { manifest: m } = await manifest(id, version);
          try {
            // a combination's members come from this store (models/service/combination.ts)
            return m.combination ? await loadPublishedCombination(m, store) : await loadArtifact(m, (file) => read(`${id}/${version}/${file}`));
          } catch (error) {
            throw refused(key, error);
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
        throw refused(`${id}@${version}`, error);
      }
    },
    async payload(id, version, name, kind) {
      const { manifest: m } = await manifest(id, version);
      try {
        return await readPayload(m, name, kind, (file) => read(`${id}/${version}/${file}`));
      } catch (error) {
        throw refused(`${id}@${version}`, error);
      }
    },
  };
  return store;
}

function refused(key: string, error: unknown): ServiceError {
  if (error instanceof ServiceError) return error;
  if (error instanceof ArtifactError) return integrity(`${key} is refused: ${error.message}`, error.issues.map((i) => ({ path: i.path, message: i.message, code: error.code })));
  return integrity(`${key} could not be read: ${(error as Error).message}`);
}

/** A published likelihood as the catalogue lists it. */
export function catalogueEntry(manifest: Manifest, versions: string[]): CatalogueEntry {
  return {
    id: manifest.id,
    latest: manifest.version,
    versions,
    title: manifest.title,
    parameters: manifest.parameters.map((p) => ({ name: p.name, reference: p.reference, range: p.range, ...(p.unit ? { unit: p.unit } : {}) })),
    observables: manifest.observables.map((o) => o.name),
    terms: manifest.terms.map((t) => ({ kind: t.kind, name: t.name })),
    luminosity: manifest.luminosity,
    links: { manifest: `/v1/likelihoods/${manifest.id}`, page: `/likelihoods/${manifest.id}` },
  };
}

export type CatalogueItem = { entry: CatalogueEntry; manifest: Manifest } | { unavailable: { id: string; latest: string; versions: string[]; message: string } };

/** Every published likelihood at its latest version; a broken one is listed as unavailable, with why. */
export async function listCatalogue(store: ArtifactStore): Promise<CatalogueItem[]> {
  const index = await store.index();
  return Promise.all(
    index.likelihoods.map(async (l): Promise<CatalogueItem> => {
      const { version } = await store.resolve(l.id);
      try {
        const { manifest } = await store.manifest(l.id, version);
        return { entry: catalogueEntry(manifest, l.versions), manifest };
      } catch (error) {
        return { unavailable: { id: l.id, latest: version, versions: l.versions, message: (error as Error).message } };
      }
    }),
  );
}
