/**
 * Copy-paste examples for querying one likelihood: curl, Python with the standard library
 * only, and TypeScript with fetch. The request bodies are built here as objects, so the
 * examples are valid API requests by construction (the tests post them).
 */
import type { Manifest } from '../../models/artifact/manifest-schema.js';

export type ExamplePoint = Record<string, number>;

/** A readable point inside the allowed ranges: `near` (e.g. the best fit) rounded to 2 significant digits, else a quarter of the way from θ0 to the upper end. */
export function examplePoint(manifest: Manifest, near?: Readonly<Record<string, number>>): ExamplePoint {
  const point: ExamplePoint = {};
  for (const p of manifest.parameters) {
    const [lo, hi] = p.range;
    const wanted = near && Number.isFinite(near[p.name]) ? near[p.name] : p.reference + (hi - p.reference) / 4;
    let value = Number(wanted.toPrecision(2));
    if (!(value >= lo && value <= hi)) value = wanted;
    point[p.name] = Object.is(value, -0) ? 0 : value;
  }
  return point;
}

export interface ExampleRequests {
  nll: { points: ExamplePoint[] };
  interval: { parameters: string[]; cl: number[] };
  expected: { parameters: string[]; cl: number[]; data: 'asimov'; luminosity: number };
}

export function exampleRequests(manifest: Manifest, point: ExamplePoint): ExampleRequests {
  const reference = Object.fromEntries(manifest.parameters.map((p) => [p.name, p.reference]));
  return {
    nll: { points: [point, reference] },
    interval: { parameters: [manifest.parameters[0].name], cl: [0.68, 0.95] },
    expected: { parameters: [manifest.parameters[0].name], cl: [0.68, 0.95], data: 'asimov', luminosity: 30 * manifest.luminosity.value },
  };
}

export interface Examples {
  curl: string;
  python: string;
  typescript: string;
  /** the same with the clients of clients/python and clients/typescript, five lines each */
  pythonClient: string;
  typescriptClient: string;
}

/** `base` is the origin the page was requested from; `spec` is `id@version`. */
export function examples(base: string, spec: string, requests: ExampleRequests): Examples {
  const url = `${base}/v1/likelihoods/${spec}`;
  const nll = JSON.stringify(requests.nll);
  const interval = JSON.stringify(requests.interval);
  const name = requests.interval.parameters[0];
  const python = (value: unknown) => JSON.stringify(value, null, 0).replace(/,/g, ', ').replace(/:/g, ': ');
  const curl = [
    `# −ln L at two points (the second is the reference point θ0); missing parameters take θ0`,
    `curl -s -X POST '${url}/nll' \\`,
    `  -H 'content-type: application/json' \\`,
    `  -d '${nll}'`,
    ``,
    `# 68% and 95% profile-likelihood intervals for ${name} (observed data where published)`,
    `curl -s -X POST '${url}/interval' \\`,
    `  -H 'content-type: application/json' \\`,
    `  -d '${interval}'`,
    ``,
    `# expected intervals (Asimov data at θ0) for 30 times the published luminosity`,
    `curl -s -X POST '${url}/interval' \\`,
    `  -H 'content-type: application/json' \\`,
    `  -d '${JSON.stringify(requests.expected)}'`,
  ].join('\n');
  const py = [
    `import json`,
    `import urllib.request`,
    ``,
    `BASE = "${url}"`,
    ``,
    ``,
    `def post(endpoint, body):`,
    `    request = urllib.request.Request(`,
    `        f"{BASE}/{endpoint}",`,
    `        data=json.dumps(body).encode(),`,
    `        headers={"content-type": "application/json"},`,
    `        method="POST",`,
    `    )`,
    `    with urllib.request.urlopen(request) as response:`,
    `        return json.load(response)`,
    ``,
    ``,
    `# −ln L at parameter points`,
    `points = ${python(requests.nll.points)}`,
    `print(post("nll", {"points": points})["nll"])`,
    ``,
    `# profile-likelihood intervals for ${name}; segments may be disjoint`,
    `result = post("interval", ${python(requests.interval)})`,
    `print("best fit:", result["best"])`,
    `for interval in result["intervals"]:`,
    `    print(interval["cl"], [(s["lower"], s["upper"]) for s in interval["segments"]])`,
  ].join('\n');
  const ts = [
    `const base = '${url}';`,
    ``,
    `async function post<T>(endpoint: string, body: unknown): Promise<T> {`,
    `  const response = await fetch(\`\${base}/\${endpoint}\`, {`,
    `    method: 'POST',`,
    `    headers: { 'content-type': 'application/json' },`,
    `    body: JSON.stringify(body),`,
    `  });`,
    `  if (!response.ok) throw new Error(\`\${response.status}: \${await response.text()}\`);`,
    `  return (await response.json()) as T;`,
    `}`,
    ``,
    `// −ln L at parameter points`,
    `const { nll } = await post<{ nll: number[] }>('nll', ${tsLiteral(requests.nll)});`,
    `console.log(nll);`,
    ``,
    `// profile-likelihood intervals for ${name}; segments may be disjoint`,
    `type Segment = { lower: number; upper: number; lowerOpen: boolean; upperOpen: boolean };`,
    `const result = await post<{ best: number; intervals: { cl: number; segments: Segment[] }[] }>(`,
    `  'interval',`,
    `  ${tsLiteral(requests.interval)},`,
    `);`,
    `for (const { cl, segments } of result.intervals) console.log(cl, segments.map((s) => [s.lower, s.upper]));`,
  ].join('\n');
  const pythonClient = [
    `from likelihood_client import Likelihood  # pip install clients/python (the service's repository)`,
    `lik = Likelihood("${spec}", base="${base}")`,
    `print(lik.nll(${python(requests.nll.points)}))`,
    `print(lik.interval("${name}", cl=[0.68, 0.95])["intervals"])`,
    `logl = lik.logl  # ln L(θ) for a global fit: logl(${python(requests.nll.points[0])})`,
  ].join('\n');
  const typescriptClient = [
    `import { likelihoodService } from './clients/typescript/index.js'; // the service's repository`,
    `const lik = likelihoodService({ base: '${base}' }).likelihood('${spec}');`,
    `console.log((await lik.nll(${tsLiteral(requests.nll)})).nll);`,
    `const interval = await lik.interval(${tsLiteral(requests.interval)});`,
    `if ('intervals' in interval) console.log(interval.intervals);`,
  ].join('\n');
  return { curl, python: py, typescript: ts, pythonClient, typescriptClient };
}

/** JSON as a TypeScript object literal: unquoted keys where they are identifiers. */
function tsLiteral(value: unknown): string {
  return JSON.stringify(value)
    .replace(/"([A-Za-z_][A-Za-z0-9_]*)":/g, '$1: ')
    .replace(/,/g, ', ')
    .replace(/\{/g, '{ ')
    .replace(/\}/g, ' }')
    .replace(/"/g, "'");
}
