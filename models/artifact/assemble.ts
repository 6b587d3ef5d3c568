/**
 * From a manifest draft and component payloads to the artifact's files: each component
 * encoded (MessagePack, or SVG text for figures), its size and sha256 recorded in the
 * manifest, the manifest validated. The offline writer puts the files on disk; the service
 * loads an artifact assembled in memory (an inline pyhf workspace) through the same loader as
 * a published one, so both are checked and evaluated by one path.
 */
import { encodeMessagePack, sha256Hex } from './codec.js';
import type { ComponentPayload } from './components.js';
import { parseManifest, type ReadFile } from './load.js';
import type { ComponentKind, Manifest } from './manifest-schema.js';

export interface ComponentInput {
  name: string;
  kind: ComponentKind;
  file: string;
  description?: string;
  /** MessagePack payload, or raw bytes for figures */
  payload: ComponentPayload | { svg: string };
}

export type ManifestDraft = Omit<Manifest, 'components'>;

export interface AssembledArtifact {
  manifest: Manifest;
  /** file name → bytes, the manifest's components */
  files: Map<string, Uint8Array>;
}

export async function assembleArtifact(draft: ManifestDraft, components: readonly ComponentInput[]): Promise<AssembledArtifact> {
  const encoded = await Promise.all(
    components.map(async (c) => {
      const bytes = 'svg' in c.payload ? new TextEncoder().encode(c.payload.svg) : encodeMessagePack(c.payload);
      return { c, bytes, sha256: await sha256Hex(bytes) };
    }),
  );
  const manifest = parseManifest({
    ...draft,
    components: Object.fromEntries(
      encoded.map(({ c, bytes, sha256 }) => [
        c.name,
        { kind: c.kind, file: c.file, sha256, bytes: bytes.length, mediaType: 'svg' in c.payload ? 'image/svg+xml' : 'application/msgpack', ...(c.description ? { description: c.description } : {}) },
      ]),
    ),
  });
  return { manifest, files: new Map(encoded.map(({ c, bytes }) => [c.file, bytes])) };
}

/** Reads an assembled artifact's files (for `loadArtifact`). */
export function readAssembled(files: ReadonlyMap<string, Uint8Array>): ReadFile {
  return async (file) => files.get(file) ?? null;
}
