/**
 * The README's examples work as written (issue 15): every ```sh block that calls the service is
 * run by bash from the repository root against the app served on a free port (the README's
 * localhost:8787 substituted), each curl failing on any non-2xx answer.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietNodeServer } from './helpers/node-server.js';

let server: Awaited<ReturnType<typeof quietNodeServer>>;
let origin = '';

beforeAll(async () => {
  server = await quietNodeServer();
  origin = `127.0.0.1:${server.port}`;
});

afterAll(() => server.close());

const blocks = [...readFileSync('README.md', 'utf8').matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]).filter((b) => /curl .*localhost:8787/.test(b));

describe('the README, run as written', () => {
  it('has examples that query the service', () => {
    expect(blocks.length).toBeGreaterThan(0);
    expect(blocks.join('\n').match(/curl /g)!.length).toBeGreaterThanOrEqual(5);
  });

  it.each(blocks.map((b, k) => [k, b] as const))('block %i: every curl answers 2xx with JSON', async (_, block) => {
    const script = `set -euo pipefail\n${block.replaceAll('localhost:8787', origin).replaceAll('curl -s ', 'curl -sS --fail-with-body ')}`;
    // bash runs in a child process; the server answers from this one's event loop, so wait asynchronously
    const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    expect(code, `${err}\n${out.slice(0, 2000)}`).toBe(0);
    // each answer is a JSON document (concatenated: split at the boundaries curl leaves)
    const answers = out.trim().split(/(?<=})\s*(?={)/);
    expect(answers.length).toBe(block.match(/curl /g)!.length);
    for (const a of answers) expect(() => JSON.parse(a)).not.toThrow();
  }, 120_000);
});
