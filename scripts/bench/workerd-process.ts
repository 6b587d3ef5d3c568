/**
 * The worker as a process a bench can attack and watch: `wrangler dev` started on a free
 * loopback port (with `npm start`'s environment: no telemetry, no Request.cf download,
 * wrangler's files under .wrangler/config), its workerd process found and its resident memory
 * read from /proc, and one HTTP request sent with a hard client timeout.
 *
 * Requests go through node:http, not fetch: fetch refuses CONNECT and TRACE, and a hostile
 * client sends them; node:http also sends any header size and any method token.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { createServer } from 'node:net';
import { Readable } from 'node:stream';
import type { HostileRequest } from './hostile-requests.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningWorker {
  url: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts `wrangler dev` (its own process group, so that stopping it stops workerd too) with extra
 * arguments (`--var NAME:value`), in `cwd` (default this checkout: another is an earlier
 * version's worktree); its output goes to `logPath`.
 */
export async function startWrangler(logPath: string, args: readonly string[] = [], cwd?: string): Promise<RunningWorker> {
  const port = await freePort();
  const log = createWriteStream(logPath);
  const child = spawn(process.execPath, ['node_modules/wrangler/bin/wrangler.js', 'dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(await freePort()), ...args], {
    cwd,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_SEND_ERROR_REPORTS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', XDG_CONFIG_HOME: '.wrangler/config' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`wrangler dev did not become ready in 90 s (see ${logPath})`)), 90_000);
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen = (seen + chunk.toString()).slice(-4096);
      if (seen.includes('Ready on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`wrangler dev exited with ${code} (see ${logPath})`)));
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(-child.pid!, 'SIGTERM');
    const timer = setTimeout(() => child.exitCode === null && process.kill(-child.pid!, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    log.end();
  };
  return { url: `http://127.0.0.1:${port}`, port, child, stop };
}

function parentOf(pid: number): { ppid: number; comm: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name is in parentheses and may hold spaces: fields after its last ')'
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    return { ppid, comm };
  } catch {
    return null;
  }
}

/** The workerd processes under `root` (wrangler runs one; more are summed). */
export function workerdPids(root: number): number[] {
  const children = new Map<number, number[]>();
  const names = new Map<number, string>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return []; // no /proc: not Linux
  }
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const info = parentOf(pid);
    if (!info) continue;
    names.set(pid, info.comm);
    children.set(info.ppid, [...(children.get(info.ppid) ?? []), pid]);
  }
  const found: number[] = [];
  const visit = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      if (names.get(child) === 'workerd') found.push(child);
      visit(child);
    }
  };
  visit(root);
  return found.sort((a, b) => a - b);
}

/**
 * What a workerd process is: wrangler dev runs two, its proxy (listening on the public port,
 * `--socket-addr=entry=127.0.0.1:<port>`) and the worker itself.
 */
export function workerdRole(pid: number, port: number): 'proxy' | 'worker' {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`entry=127.0.0.1:${port}\0`) ? 'proxy' : 'worker';
  } catch {
    return 'worker';
  }
}

function statusField(pid: number, field: string): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Resident memory of the processes, bytes (VmRSS); 0 for one that is gone. */
export function rss(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + statusField(pid, 'VmRSS'), 0);
}

/** Peak resident memory since the last `resetPeak` (VmHWM), bytes; 0 where /proc does not say. */
export function peakRss(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + statusField(pid, 'VmHWM'), 0);
}

/** Resets VmHWM (writing 5 to clear_refs, Linux ≥ 4.0); false where that is not allowed. */
export function resetPeak(pids: readonly number[]): boolean {
  try {
    for (const pid of pids) writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

export interface Answer {
  /** 0 when no answer came (hang or connection error) */
  status: number;
  headers: IncomingHttpHeaders;
  body: Uint8Array;
  ms: number;
  /** no complete answer within the timeout */
  hang: boolean;
  /** the connection failed (reset, refused) before an answer */
  error?: string;
}

/** the methods HTTP defines (RFC 9110, RFC 5789) */
const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

/**
 * A request the runtime refuses before the worker runs goes on a connection of its own:
 * workerd answers a method its parser does not know (501), CONNECT (500) and oversized headers
 * (431) with `Connection: close`, and a kept-alive socket that is closing may fail the next
 * request sent on it.
 */
function ownConnection(r: HostileRequest): boolean {
  const headerBytes = Object.entries(r.headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
  return !HTTP_METHODS.has(r.method) || r.method === 'CONNECT' || headerBytes > 64 * 1024;
}

/**
 * The request's headers with its body framed. node:http frames a body written with end() by
 * Content-Length only for the methods that usually carry one (POST, PUT, PATCH): a DELETE or
 * OPTIONS body went out with neither Content-Length nor chunked encoding, so the server read
 * it as the start of the next request on the connection (a 501 "Unrecognized request method"
 * for a GET that came next, in the first bench runs). A stream is sent chunked.
 */
function framed(r: HostileRequest): Record<string, string> {
  if (r.body === undefined) return r.headers;
  const names = Object.keys(r.headers).map((k) => k.toLowerCase());
  if (names.includes('content-length') || names.includes('transfer-encoding')) return r.headers;
  return { ...r.headers, ...(r.body instanceof Uint8Array ? { 'content-length': String(r.body.length) } : { 'transfer-encoding': 'chunked' }) };
}

/** Sends one request with keep-alive through `agent` and reads the whole answer, or gives up after `timeoutMs`. */
export function send(base: URL, r: HostileRequest, agent: Agent, timeoutMs: number): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve) => {
    let done = false;
    const finish = (answer: Omit<Answer, 'ms'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ ...answer, ms: performance.now() - started });
    };
    const read = (res: IncomingMessage, socket?: NodeJS.ReadableStream, head?: Buffer) => {
      const parts: Buffer[] = head?.length ? [head] : [];
      const from = socket ?? res;
      from.on('data', (chunk: Buffer) => parts.push(chunk));
      from.on('end', () => finish({ status: res.statusCode ?? 0, headers: res.headers, body: new Uint8Array(Buffer.concat(parts)), hang: false }));
      from.on('error', (error: Error) => finish({ status: res.statusCode ?? 0, headers: res.headers, body: new Uint8Array(Buffer.concat(parts)), hang: false, error: error.message }));
      // a CONNECT answer leaves the socket open: what came within a moment is the body
      if (socket) setTimeout(() => (finish({ status: res.statusCode ?? 0, headers: res.headers, body: new Uint8Array(Buffer.concat(parts)), hang: false }), (socket as unknown as { destroy(): void }).destroy()), 500);
    };
    const req = httpRequest({ host: base.hostname, port: base.port, method: r.method, path: r.path, headers: framed(r), agent: ownConnection(r) ? false : agent });
    const timer = setTimeout(() => {
      finish({ status: 0, headers: {}, body: new Uint8Array(0), hang: true });
      req.destroy();
    }, timeoutMs);
    req.on('response', (res) => read(res));
    req.on('connect', (res, socket, head) => read(res, socket, head));
    req.on('error', (error) => finish({ status: 0, headers: {}, body: new Uint8Array(0), hang: false, error: error.message }));
    if (r.body instanceof ReadableStream) Readable.fromWeb(r.body as import('node:stream/web').ReadableStream<Uint8Array>).pipe(req);
    else req.end(r.body ? Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength) : undefined);
  });
}
