/** Provenance recorded in every artifact: who wrote it, with which versions, from which seeds. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function packageVersion(name: string): string | undefined {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return undefined;
  }
}

export function projectVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function provenance(command: string, seeds: Record<string, number>, configuration: Record<string, unknown>, extraVersions: Record<string, string> = {}) {
  const versions: Record<string, string> = { node: process.versions.node, ...extraVersions };
  for (const name of ['zod', 'msgpackr']) {
    const v = packageVersion(name);
    if (v) versions[name] = v;
  }
  return {
    createdAt: new Date().toISOString(),
    producer: { name: 'likelihood-service', version: projectVersion(), command },
    versions,
    seeds,
    configuration,
  };
}
