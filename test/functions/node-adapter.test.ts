/**
 * The Node adapter (functions/node.ts) over a real socket: requests Node's HTTP parser refuses
 * before the app sees them (headers over its limit, an unknown method, broken framing) are
 * answered with problem documents readable from any origin, like every error of the app.
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietNodeServer } from '../helpers/node-server.js';
import { checkResponse } from '../helpers/http-checks.js';

let server: Awaited<ReturnType<typeof quietNodeServer>>;
let port = 0;

beforeAll(async () => {
  server = await quietNodeServer();
  port = server.port;
});

afterAll(() => server.close());

/** Sends raw bytes and reads the whole answer until the server closes the connection. */
function raw(request: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = text.split('\r\n\r\n');
      const [statusLine, ...fields] = head.split('\r\n');
      const headers = new Headers(fields.map((f) => [f.slice(0, f.indexOf(':')), f.slice(f.indexOf(':') + 1).trim()] as [string, string]));
      resolve(new Response(rest.join('\r\n\r\n'), { status: Number(statusLine.split(' ')[1]), headers }));
    });
  });
}

describe('the Node adapter answers what its HTTP parser refuses with problem documents', () => {
  it('431 headers-too-large, 501 not-implemented, 400 malformed-request', async () => {
    const cases: [string, string, number, string][] = [
      ['headers over 16 KiB', `GET /v1/likelihoods HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'headers-too-large'],
      ['a method Node does not parse', 'FOO /v1/likelihoods HTTP/1.1\r\nHost: x\r\n\r\n', 501, 'not-implemented'],
      ['an invalid Content-Length', 'POST /v1/likelihoods/gaussian-toy-truth/nll HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n', 400, 'malformed-request'],
      // Node parses PROPFIND: the app itself answers it, with the same problem
      ['a method Node parses but no HTTP standard defines', 'PROPFIND /v1/likelihoods HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 501, 'not-implemented'],
    ];
    for (const [what, request, status, code] of cases) {
      const res = await raw(request);
      const checked = await checkResponse(res, { expectMsgpack: false, serverStatuses: [501] });
      expect(checked.status, what).toBe(status);
      expect(checked.contentType, what).toBe('application/problem+json');
      expect(checked.body, what).toMatchObject({ status, code });
    }
  });

  it('still answers ordinary requests', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/v1/likelihoods`);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(((await res.json()) as { likelihoods: unknown[] }).likelihoods.length).toBeGreaterThan(0);
  });
});

describe('the port and host come from the environment', () => {
  it('PORT and HOST set where serve:node listens, without flags', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'functions/node.ts'], { env: { ...process.env, PORT: '0', HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (match) resolve(match[1]);
        });
        child.once('exit', (code) => reject(new Error(`exited with ${code} before listening`)));
      });
      expect(Number(new URL(url).port)).toBeGreaterThan(0); // PORT=0: a free port, not the default 8790
      expect((await fetch(`${url}/v1/likelihoods`)).status).toBe(200);
    } finally {
      child.kill();
    }
  });
});
