/** The catalogue index the service reads (written by scripts/lib/catalogue-index.ts). */
import { z } from 'zod';
import { ArtifactId, ArtifactVersion } from '../models/artifact/manifest-schema.js';

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
