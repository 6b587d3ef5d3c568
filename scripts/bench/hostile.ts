/**
 * The hostile bench (issue 24.7): `npm run bench:hostile` starts `wrangler dev` on a free
 * port and attacks it as a client on the internet could —
 *
 * 1. at least 10 000 structure-aware fuzzed requests (scripts/bench/hostile-requests.ts, the
 *    fuzz test's generators, each property sampled `--scale` times its test size, seeded),
 *    8, 16 and 32 at a time;
 * 2. every costly case (scripts/bench/costly-requests.ts) alone, each followed by a normal
 *    request whose answer must equal the one it got at the start, within 5 s;
 *
 * with a 40 s client timeout on every request (no answer by then is a hang), workerd's
 * resident memory (VmRSS, /proc) read around each costly request and sampled during the fuzz.
 * It prints the requests sent, the statuses, every 5xx with the request that caused it, the
 * hangs, the slowest accepted request, the largest memory growth, and a row per costly case;
 * it exits non-zero when a condition of the issue's "Done when" fails. The app's 5xx and the
 * hangs are also written whole, for replay, to hostile-failures.json beside wrangler's log.
 *
 * Answers workerd gives before the worker runs (431 over ~128 KiB of headers, 501 for a
 * method its parser does not know, 500 for CONNECT) carry none of the app's headers: they are
 * listed as the runtime's and not counted among the app's 5xx. So is the app's own 501
 * `not-implemented` for a method no HTTP standard defines, which RFC 9110 §9.1 asks for.
 *
 * Options: --seed=N (default 20261124, the fuzz test's), --scale=N (default 2: 11 400 fuzzed
 * requests), --no-fuzz, --no-costly, --only=<text> (costly cases whose name contains it),
 * --log=<file> (wrangler's output; default test-output/hostile-wrangler.log).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Agent } from 'node:http';
import fc from 'fast-check';
import { decodeMessagePack } from '../../models/artifact/codec.js';
import { DEFAULT_BUDGET } from '../../models/service/cost.js';
import { COSTLY_REQUESTS, FUZZ_ID, fuzzSuites, type CostlyRequest, type HostileRequest } from './hostile-requests.js';
import { peakRss, resetPeak, rss, send, startWrangler, workerdPids, workerdRole, type Answer } from './workerd-process.js';

const args = new Map(process.argv.slice(2).map((a) => {
  const [key, ...rest] = a.replace(/^--/, '').split('=');
  return [key, rest.length ? rest.join('=') : 'true'] as [string, string];
}));
const SEED = Number(args.get('seed') ?? 20261124);
const SCALE = Number(args.get('scale') ?? 2);
const LOG = args.get('log') ?? 'test-output/hostile-wrangler.log';
const TIMEOUT_MS = 40_000;
const NEXT_TIMEOUT_MS = 5_000;
const RSS_LIMIT = 512 * 2 ** 20;
const CONCURRENCY = [8, 16, 32];
/** the methods HTTP defines (RFC 9110, RFC 5789): any other gets 501 by design */
const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);
const NORMAL: HostileRequest = { method: 'POST', path: `/v1/likelihoods/${FUZZ_ID}/nll`, headers: { 'content-type': 'application/json' }, body: new TextEncoder().encode('{"points":[{"theta":0.3}]}') };

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** A request in one line: method, path, headers and body, each shortened. */
function describeRequest(r: HostileRequest, max = 300): string {
  const cut = (text: string, n: number) => (text.length > n ? `${text.slice(0, n)}…(${text.length})` : text);
  const headers = Object.entries(r.headers).map(([k, v]) => `${k}: ${cut(v, 40)}`).slice(0, 4).join('; ') + (Object.keys(r.headers).length > 4 ? `; …${Object.keys(r.headers).length} headers` : '');
  let body = '';
  if (r.body instanceof Uint8Array) {
    const text = new TextDecoder('utf-8', { fatal: false }).decode(r.body.subarray(0, 200));
    const printable = /^[\x20-\x7e\s]*$/.test(text);
    body = printable ? cut(JSON.stringify(text), 160) : `<${r.body.length} bytes: ${Array.from(r.body.subarray(0, 24), (b) => b.toString(16).padStart(2, '0')).join(' ')}…>`;
  } else if (r.body) body = '<stream>';
  return cut(`${r.method} ${cut(r.path, 100)} [${headers}] ${body}`, max);
}

interface Decoded {
  by: 'app' | 'runtime' | 'none';
  body: unknown;
  code?: string;
}

/** Who answered (the app's answers all carry CORS headers, the runtime's none) and the decoded body. */
function decode(a: Answer): Decoded {
  if (a.status === 0) return { by: 'none', body: null };
  const by = a.headers['access-control-allow-origin'] === '*' ? 'app' : 'runtime';
  const type = String(a.headers['content-type'] ?? '').split(';')[0].trim();
  let body: unknown = null;
  try {
    if (type.includes('msgpack') && a.body.length) body = decodeMessagePack(a.body);
    else if (type.includes('json') && a.body.length) body = JSON.parse(new TextDecoder().decode(a.body));
    else body = new TextDecoder().decode(a.body.subarray(0, 300));
  } catch {
    body = '<undecodable>';
  }
  const code = typeof body === 'object' && body !== null && typeof (body as { code?: unknown }).code === 'string' ? (body as { code: string }).code : undefined;
  return { by, body, code };
}

/** The app's own invariants beyond the status: errors are problem documents, evaluations finite. */
function violations(r: HostileRequest, a: Answer, d: Decoded): string[] {
  if (d.by !== 'app' || r.method === 'HEAD') return [];
  const type = String(a.headers['content-type'] ?? '').split(';')[0].trim();
  if (a.status >= 400) {
    const page = !r.path.startsWith('/v1') && type === 'text/html';
    if (!page && type !== 'application/problem+json' && type !== 'application/problem+msgpack') return [`error ${a.status} as '${type}', not a problem document`];
    if (!page && (d.body as { status?: unknown } | null)?.status !== a.status) return [`problem status differs from HTTP ${a.status}`];
  }
  if (a.status >= 200 && a.status < 300 && typeof d.body === 'object' && d.body !== null) {
    for (const key of ['nll', 'logRatio']) {
      const values = (d.body as Record<string, unknown>)[key];
      if (Array.isArray(values) && values.flat(2).some((v) => typeof v !== 'number' || !Number.isFinite(v))) return [`2xx with a non-finite ${key}`];
    }
  }
  return [];
}

interface Finding {
  request: string;
  status: number;
  ms: number;
  note: string;
  /** the whole request, kept for the app's 5xx and the hangs: written out for replay */
  sent?: HostileRequest;
}

/** The app's 501 `not-implemented` for a method no HTTP standard defines: RFC 9110 §9.1 asks for it, so it is no failure. */
function designed501(r: HostileRequest, a: Answer, d: Decoded): boolean {
  return a.status === 501 && d.by === 'app' && d.code === 'not-implemented' && !HTTP_METHODS.has(r.method);
}

class Tally {
  sent = 0;
  statuses = new Map<string, number>();
  appServerErrors: Finding[] = [];
  runtimeAnswers: Finding[] = [];
  extension501 = 0;
  hangs: Finding[] = [];
  connectionErrors: Finding[] = [];
  violations: Finding[] = [];
  overBudget: Finding[] = [];
  slowest: Finding | null = null;

  record(r: HostileRequest, a: Answer): Decoded {
    this.sent++;
    const d = decode(a);
    const key = a.hang ? 'hang' : a.status === 0 ? 'connection error' : `${a.status}${d.by === 'runtime' ? ' (runtime)' : ''}`;
    this.statuses.set(key, (this.statuses.get(key) ?? 0) + 1);
    const finding = (note: string): Finding => ({ request: describeRequest(r), status: a.status, ms: a.ms, note });
    if (a.hang) this.hangs.push({ ...finding(`no answer within ${TIMEOUT_MS / 1000} s`), sent: r });
    else if (a.status === 0) this.connectionErrors.push(finding(a.error ?? 'no answer'));
    else if (d.by === 'runtime') this.runtimeAnswers.push(finding(preview(d.body)));
    else if (a.status >= 500) {
      if (designed501(r, a, d)) this.extension501++;
      else this.appServerErrors.push({ ...finding(`${d.code ?? ''} ${preview(d.body)}`), sent: r });
    }
    for (const v of violations(r, a, d)) this.violations.push(finding(v));
    if (a.status >= 200 && a.status < 300) {
      if (!this.slowest || a.ms > this.slowest.ms) this.slowest = finding('');
      if (a.ms > DEFAULT_BUDGET.cpuMs) this.overBudget.push(finding(`accepted, ${sec(a.ms)} > the budget of ${sec(DEFAULT_BUDGET.cpuMs)}`));
    }
    return d;
  }
}

function preview(value: unknown, max = 200): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

interface Worker {
  base: URL;
  root: number;
  pids: number[];
  agent: Agent;
}

/** Each workerd process's RSS with its role (wrangler's proxy, the worker). */
function rssByProcess(worker: Worker): string {
  return worker.pids.map((pid) => `${workerdRole(pid, Number(worker.base.port))} ${pid}: ${mb(rss([pid]))}`).join(', ');
}

/** The workerd processes now; a changed set means workerd restarted. */
function refreshPids(worker: Worker, restarts: string[]): number[] {
  const now = workerdPids(worker.root);
  if (now.join() !== worker.pids.join()) {
    restarts.push(`workerd ${worker.pids.join(',')} → ${now.join(',') || 'none'}`);
    worker.pids = now;
  }
  return now;
}

/** Phase 1: the fuzz, suite by suite, `concurrency` requests at a time; RSS sampled every 100 ms with what was in flight. */
async function fuzz(worker: Worker, tally: Tally, restarts: string[]): Promise<{ growth: number; during: string[]; start: number; peak: number; before: string; after: string }> {
  const manifest = await send(worker.base, { method: 'GET', path: `/v1/likelihoods/${FUZZ_ID}`, headers: {} }, worker.agent, TIMEOUT_MS);
  const etag = String(manifest.headers.etag ?? '');
  const inFlight = new Set<HostileRequest>();
  const start = rss(worker.pids);
  const before = rssByProcess(worker);
  let last = start;
  let peak = start;
  let largest = { growth: 0, during: [] as string[] };
  const sampler = setInterval(() => {
    const now = rss(refreshPids(worker, restarts));
    peak = Math.max(peak, now);
    if (now - last > largest.growth) largest = { growth: now - last, during: [...inFlight].map((r) => describeRequest(r, 160)).slice(0, 4) };
    last = now;
  }, 100);
  try {
    for (const [k, suite] of fuzzSuites(etag).entries()) {
      const concurrency = CONCURRENCY[k % CONCURRENCY.length];
      const requests = fc.sample(suite.request, { numRuns: suite.runs * SCALE, seed: SEED });
      const t0 = performance.now();
      let next = 0;
      const lane = async () => {
        while (next < requests.length) {
          const r = requests[next++];
          inFlight.add(r);
          tally.record(r, await send(worker.base, r, worker.agent, TIMEOUT_MS));
          inFlight.delete(r);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, lane));
      console.log(`fuzz: ${suite.name.padEnd(18)} ${String(requests.length).padStart(5)} requests, ${concurrency} at a time, ${sec(performance.now() - t0)}; RSS ${rssByProcess(worker)}`);
    }
  } finally {
    clearInterval(sampler);
  }
  return { ...largest, start, peak, before, after: rssByProcess(worker) };
}

interface CostlyRow {
  name: string;
  expect: string;
  runtime: boolean;
  status: number;
  code: string;
  ms: number;
  hang: boolean;
  growth: number;
  nextOk: boolean;
  nextMs: number;
  nextNote: string;
  ok: boolean;
  asExpected: boolean;
}

function matches(c: CostlyRequest, status: number): boolean {
  if (c.expect === 'ok') return status === 200;
  if (c.expect === '4xx') return status >= 400 && status < 500;
  if (c.expect === 'answered') return status === 200 || (status >= 400 && status < 500);
  return status === c.expect;
}

/**
 * Every published likelihood loaded once (a single-point NLL each) before the costly cases, so
 * that a case's RSS growth is its own, not the first load of an artifact (dy-smeft-run3: ~140 MB).
 */
async function warmUp(worker: Worker, tally: Tally): Promise<void> {
  const catalogue = await send(worker.base, { method: 'GET', path: '/v1/likelihoods', headers: {} }, worker.agent, TIMEOUT_MS);
  const ids = (JSON.parse(new TextDecoder().decode(catalogue.body)) as { likelihoods: { id: string }[] }).likelihoods.map((l) => l.id);
  for (const id of ids) {
    const r: HostileRequest = { method: 'POST', path: `/v1/likelihoods/${id}/nll`, headers: { 'content-type': 'application/json' }, body: new TextEncoder().encode('{"points":[{}]}') };
    const before = rss(worker.pids);
    const a = await send(worker.base, r, worker.agent, TIMEOUT_MS);
    tally.record(r, a);
    console.log(`warm-up: ${id} → ${a.status} in ${sec(a.ms)}, RSS +${mb(rss(worker.pids) - before)} (its first load)`);
  }
}

/** Phase 2: each costly case alone, its RSS growth (peak over before) and the normal request after it. */
async function costly(worker: Worker, tally: Tally, restarts: string[], baseline: string, only: string | undefined): Promise<CostlyRow[]> {
  const rows: CostlyRow[] = [];
  for (const c of COSTLY_REQUESTS.filter((x) => !only || x.name.includes(only))) {
    const r = await c.build();
    const pids = refreshPids(worker, restarts);
    const peakReset = resetPeak(pids);
    const before = rss(pids);
    let polled = before;
    const poll = setInterval(() => (polled = Math.max(polled, rss(pids))), 25);
    const answer = await send(worker.base, r, worker.agent, TIMEOUT_MS);
    clearInterval(poll);
    const peak = Math.max(polled, rss(pids), peakReset ? peakRss(pids) : 0);
    const d = tally.record(r, answer);
    const next = await send(worker.base, NORMAL, worker.agent, NEXT_TIMEOUT_MS);
    tally.record(NORMAL, next);
    const nextText = new TextDecoder().decode(next.body);
    const nextOk = next.status === 200 && nextText === baseline && !next.hang;
    const answered = !answer.hang && answer.status !== 0 && ((answer.status >= 200 && answer.status < 300) || (answer.status >= 400 && answer.status < 500) || d.by === 'runtime' || designed501(r, answer, d));
    const row: CostlyRow = {
      name: c.name, expect: String(c.expect), runtime: d.by === 'runtime', status: answer.status, code: d.code ?? (d.by === 'runtime' ? 'runtime' : ''), ms: answer.ms, hang: answer.hang,
      growth: peak - before, nextOk, nextMs: next.ms, nextNote: next.hang ? 'no answer in 5 s' : nextOk ? '' : `HTTP ${next.status} ${preview(nextText, 120)}`,
      ok: answered && answer.ms <= TIMEOUT_MS && nextOk && next.ms <= NEXT_TIMEOUT_MS && peak - before <= RSS_LIMIT, asExpected: matches(c, answer.status),
    };
    rows.push(row);
    console.log(`costly: ${c.name} → ${answer.hang ? 'hang' : answer.status} ${row.code} in ${sec(answer.ms)}, RSS +${mb(row.growth)}; next ${nextOk ? 'ok' : 'WRONG'} in ${sec(next.ms)}`);
  }
  return rows;
}

/** The app's 5xx and the hangs, whole, for replay: method, path, headers, body (UTF-8 text where it is, else base64). */
function writeReplay(tally: Tally): void {
  const findings = [...tally.appServerErrors, ...tally.hangs];
  if (!findings.length) return;
  const path = `${dirname(LOG)}/hostile-failures.json`;
  const requests = findings.map(({ sent, status, note }) => {
    const body = sent?.body instanceof Uint8Array ? sent.body : undefined;
    let text: string | undefined;
    try {
      text = body && new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      text = undefined;
    }
    return { status, note, method: sent?.method, path: sent?.path, headers: sent?.headers, ...(text !== undefined ? { body: text } : body ? { bodyBase64: Buffer.from(body).toString('base64') } : {}) };
  });
  writeFileSync(path, JSON.stringify(requests, null, 1));
  console.log(`the app's 5xx and the hangs, whole: ${path}`);
}

function printFindings(title: string, findings: Finding[], max = 20): void {
  console.log(`${title}: ${findings.length}`);
  for (const f of findings.slice(0, max)) console.log(`  HTTP ${f.status} in ${sec(f.ms)}: ${f.request}\n    → ${f.note}`);
  if (findings.length > max) console.log(`  … and ${findings.length - max} more`);
}

function report(tally: Tally, fuzzed: Awaited<ReturnType<typeof fuzz>> | null, rows: CostlyRow[], restarts: string[]): string[] {
  console.log('\n=== hostile bench: summary ===');
  console.log(`requests sent: ${tally.sent} (seed ${SEED}, scale ${SCALE}, fuzz concurrency ${CONCURRENCY.join('/')}, client timeout ${TIMEOUT_MS / 1000} s)`);
  console.log(`statuses: ${[...tally.statuses].sort().map(([k, n]) => `${k}: ${n}`).join(', ')}`);
  printFindings('5xx from the app', tally.appServerErrors);
  console.log(`not counted as the app's 5xx: ${tally.extension501} × 501 not-implemented from the app for methods no HTTP standard defines (RFC 9110 §9.1 asks for 501), and the runtime's answers below`);
  printFindings("answered by the runtime before the worker ran (workerd: 431 over ~128 KiB of headers, 501 text/plain for methods its parser does not know, 500 for CONNECT; no CORS headers, not the app's)", tally.runtimeAnswers, 10);
  printFindings('hangs (no answer within 40 s)', tally.hangs);
  writeReplay(tally);
  printFindings('connection errors (no HTTP answer)', tally.connectionErrors, 10);
  const slowest = tally.slowest;
  console.log(`slowest accepted (2xx) request: ${slowest ? `${sec(slowest.ms)}: ${slowest.request}` : 'none'} (budget ${sec(DEFAULT_BUDGET.cpuMs)} of CPU)`);
  printFindings('accepted requests over the budget', tally.overBudget);
  printFindings('other invariant violations (not in "Done when")', tally.violations, 10);
  if (fuzzed) console.log(`fuzz: workerd RSS (both processes) ${mb(fuzzed.start)} at the start (${fuzzed.before}), peak ${mb(fuzzed.peak)}, at the end ${fuzzed.after}; largest growth between two samples 100 ms apart: +${mb(fuzzed.growth)}, with in flight:\n${fuzzed.during.map((d) => `  ${d}`).join('\n')}`);
  const worst = rows.reduce<CostlyRow | null>((w, r) => (!w || r.growth > w.growth ? r : w), null);
  if (worst) console.log(`largest RSS growth of one costly request: +${mb(worst.growth)} (${worst.name}); growth = workerd's peak during the request (VmHWM reset before it, and VmRSS polled every 25 ms) − its VmRSS before`);
  console.log(`workerd restarts: ${restarts.length ? restarts.join('; ') : 'none'}`);
  if (rows.length) {
    console.log('\ncostly case                                                   expected  status code                 time     RSS growth  next request');
    for (const r of rows) {
      console.log(`${r.ok ? ' ' : '✗'} ${r.name.slice(0, 60).padEnd(60)} ${r.expect.padEnd(9)} ${(r.hang ? 'hang' : String(r.status)).padEnd(6)} ${r.code.slice(0, 19).padEnd(19)} ${sec(r.ms).padStart(8)} ${`+${mb(r.growth)}`.padStart(11)}  ${r.nextOk ? 'ok' : 'WRONG'} in ${sec(r.nextMs)}${r.nextNote ? ` (${r.nextNote})` : ''}${r.asExpected ? '' : ` [expected ${r.expect}]`}`);
    }
  }
  const failures: string[] = [];
  if (tally.appServerErrors.length) failures.push(`${tally.appServerErrors.length} 5xx from the app`);
  if (tally.hangs.length) failures.push(`${tally.hangs.length} hangs`);
  if (tally.overBudget.length) failures.push(`${tally.overBudget.length} accepted requests over the budget`);
  if (worst && worst.growth > RSS_LIMIT) failures.push(`RSS growth +${mb(worst.growth)} > ${mb(RSS_LIMIT)} (${worst.name})`);
  if (fuzzed && fuzzed.growth > RSS_LIMIT) failures.push(`RSS growth +${mb(fuzzed.growth)} during the fuzz`);
  for (const r of rows.filter((x) => !x.ok)) failures.push(`costly case '${r.name}': ${r.hang ? 'no answer in 40 s' : `HTTP ${r.status} in ${sec(r.ms)}`}, RSS +${mb(r.growth)}, next request ${r.nextOk ? 'ok' : 'wrong'} in ${sec(r.nextMs)}`);
  const unexpected = rows.filter((x) => !x.asExpected);
  console.log(`\ncostly cases not answered as listed (not in "Done when"): ${unexpected.length ? unexpected.map((x) => `${x.name}: ${x.status}, listed ${x.expect}`).join('; ') : 'none'}`);
  console.log(failures.length ? `\nDONE WHEN: FAILS\n${failures.map((f) => `  - ${f}`).join('\n')}` : '\nDONE WHEN: met (0 app 5xx, 0 hangs, no accepted request over the budget, no RSS growth over 512 MB, every costly request answered within 40 s and the next one correct within 5 s)');
  return failures;
}

async function main(): Promise<number> {
  mkdirSync(dirname(LOG), { recursive: true });
  const t0 = performance.now();
  const running = await startWrangler(LOG);
  // an interrupted bench still stops wrangler and workerd (their own process group)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void running.stop().then(() => process.exit(130)));
  const worker: Worker = { base: new URL(running.url), root: running.child.pid!, pids: [], agent: new Agent({ keepAlive: true, maxSockets: 64 }) };
  const restarts: string[] = [];
  try {
    worker.pids = workerdPids(worker.root);
    console.log(`wrangler dev on ${running.url} (workerd RSS ${rssByProcess(worker)}; RSS below is their sum); its log: ${LOG}`);
    const first = await send(worker.base, NORMAL, worker.agent, TIMEOUT_MS);
    if (first.status !== 200) throw new Error(`the normal request got HTTP ${first.status}: ${new TextDecoder().decode(first.body).slice(0, 300)}`);
    const baseline = new TextDecoder().decode(first.body);
    console.log(`normal request: ${describeRequest(NORMAL)} → ${baseline.slice(0, 120)}`);
    const tally = new Tally();
    const fuzzed = args.has('no-fuzz') ? null : await fuzz(worker, tally, restarts);
    if (!args.has('no-costly')) await warmUp(worker, tally);
    const rows = args.has('no-costly') ? [] : await costly(worker, tally, restarts, baseline, args.get('only'));
    const failures = report(tally, fuzzed, rows, restarts);
    console.log(`\n${sec(performance.now() - t0)} in all`);
    return failures.length ? 1 : 0;
  } finally {
    worker.agent.destroy();
    await running.stop();
  }
}

process.exitCode = await main();
