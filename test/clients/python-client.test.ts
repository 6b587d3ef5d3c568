/**
 * The Python client (clients/python, issue 25 item 3) against the Node server: its own unittest
 * suite, run with Debian's python3 (numpy and scipy from python3-scipy, installed by .ci/run),
 * where scipy over `nll` reproduces `fit` and `interval` on a binned and a learned likelihood.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietNodeServer } from '../helpers/node-server.js';

// Debian's interpreter, where python3-scipy lives (a pyenv shim earlier on PATH may lack it)
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
let server: Awaited<ReturnType<typeof quietNodeServer>>;

beforeAll(async () => {
  server = await quietNodeServer();
});
afterAll(async () => server.close());

describe('the Python client', () => {
  it('passes its own tests against the running service', async () => {
    // asynchronously: the server answering it runs in this process
    const run = await promisify(execFile)(PYTHON, ['-m', 'unittest', 'discover', '-s', 'clients/python/tests'], {
      env: { ...process.env, PYTHONPATH: 'clients/python', LIKELIHOOD_SERVICE_URL: `http://127.0.0.1:${server.port}`, PYTHONWARNINGS: 'ignore::ResourceWarning' },
      encoding: 'utf8',
      timeout: 240_000,
    }).catch((error: { stdout: string; stderr: string; code: number }) => ({ ...error, failed: error.code }));
    const output = `${run.stdout}\n${run.stderr}`;
    // every test ran: none skipped for want of numpy or scipy
    expect(output, output).toMatch(/Ran 8 tests/);
    expect(output).not.toMatch(/skipped/);
    expect('failed' in run ? run.failed : 0, output).toBe(0);
  }, 260_000);

  it('runs the README’s example as written', async () => {
    const [block] = [...readFileSync('README.md', 'utf8').matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(block).toContain('from likelihood_client import');
    const run = await promisify(execFile)(PYTHON, ['-c', block.replaceAll('http://localhost:8787', `http://127.0.0.1:${server.port}`)], {
      env: { ...process.env, PYTHONPATH: 'clients/python' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stdout).toMatch(/\[\d/);
  });
});
