/**
 * Issue 15, item 8: MessagePack from any library. A Python client with Debian's python3-msgpack
 * (installed by .ci/run) sends events as {shape, dtype, data: <bin>} little-endian bytes and
 * reads the MessagePack answer; the numbers equal those of the same request in JSON.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { fileStore } from '../../functions/node.js';

const app = createApp(fileStore('likelihoods'));
// Debian's interpreter, where python3-msgpack lives (a pyenv shim earlier on PATH may lack it)
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

function python(script: string, input?: Uint8Array): Uint8Array<ArrayBuffer> {
  const run = spawnSync(PYTHON, ['-c', script], { input, maxBuffer: 1 << 24 });
  if (run.status !== 0) throw new Error(`${PYTHON} failed (python3-msgpack is installed by .ci/run): ${run.stderr.toString()}`);
  return new Uint8Array(run.stdout);
}

const EVENTS = [0.1, 1.2, -0.7, 2.5];

describe('MessagePack written by python3-msgpack', () => {
  it.each(['float64', 'float32'])('events as %s little-endian bytes give the JSON request\'s numbers, and the answer reads back in Python', async (dtype) => {
    const body = python(`
import msgpack, struct, sys
events = ${JSON.stringify(EVENTS)}
code = "<%d${dtype === 'float64' ? 'd' : 'f'}" % len(events)
request = {"points": [{"theta": 0.5}, {"theta": 1.0}], "data": {"events": {"shape": [len(events), 1], "dtype": "${dtype}", "data": struct.pack(code, *events)}, "weights": {"dtype": "float64", "data": struct.pack("<%dd" % len(events), *([1.0] * len(events)))}}}
sys.stdout.buffer.write(msgpack.packb(request, use_bin_type=True))
`);
    const res = await app.request('/v1/likelihoods/gaussian-toy-truth/nll', { method: 'POST', headers: { 'content-type': 'application/msgpack', accept: 'application/msgpack' }, body });
    expect(res.status).toBe(200);
    const answer = JSON.parse(new TextDecoder().decode(python('import msgpack, sys, json; print(json.dumps(msgpack.unpackb(sys.stdin.buffer.read(), raw=False)))', new Uint8Array(await res.arrayBuffer()))));
    const values = dtype === 'float64' ? EVENTS : Array.from(Float32Array.from(EVENTS));
    const json = await (
      await app.request('/v1/likelihoods/gaussian-toy-truth/nll', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ points: [{ theta: 0.5 }, { theta: 1.0 }], data: { events: values.map((v) => [v]), weights: EVENTS.map(() => 1) } }),
      })
    ).json();
    expect(answer.nll).toEqual(json.nll);
  });

  it('a byte count that is not a whole number of values is a 422 naming data', async () => {
    const body = python(`
import msgpack, sys
sys.stdout.buffer.write(msgpack.packb({"points": [{}], "data": {"events": {"shape": [1, 1], "dtype": "float64", "data": b"1234567"}}}, use_bin_type=True))
`);
    const res = await app.request('/v1/likelihoods/gaussian-toy-truth/nll', { method: 'POST', headers: { 'content-type': 'application/msgpack', accept: 'application/json' }, body });
    expect(res.status).toBe(422);
    expect((await res.json()).errors[0].path).toEqual(['data', 'events', 'data']);
  });
});
