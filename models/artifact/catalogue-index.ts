/** The catalogue index: which likelihoods and versions are published (written by scripts/lib/catalogue-index.ts, read by the service). */
import { z } from 'zod';
import { ArtifactId, ArtifactVersion } from './manifest-schema.js';

export const CatalogueIndexSchema = z.object({
  schemaVersion: z.literal('1'),
  likelihoods: z.array(z.object({ id: ArtifactId, versions: z.array(ArtifactVersion).min(1) })),
});
export type CatalogueIndex = z.infer<typeof CatalogueIndexSchema>;

/** Semantic-version order (major, minor, patch). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/**
 * `id` or `id@version` in an index → the concrete id and version (the latest when none is
 * given); null for an unknown id, and the versions there are for an unknown version.
 */
export function resolveVersion(index: CatalogueIndex, spec: string): { id: string; version: string; latest: boolean } | { id: string; unknown: 'likelihood' } | { id: string; unknown: 'version'; versions: string[] } {
  const at = spec.indexOf('@');
  const id = at < 0 ? spec : spec.slice(0, at);
  const entry = index.likelihoods.find((l) => l.id === id);
  if (!entry) return { id, unknown: 'likelihood' };
  const latest = [...entry.versions].sort(compareVersions).at(-1)!;
  if (at < 0) return { id, version: latest, latest: true };
  const version = spec.slice(at + 1);
  if (!entry.versions.includes(version)) return { id, unknown: 'version', versions: entry.versions };
  return { id, version, latest: version === latest };
}
