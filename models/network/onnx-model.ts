/**
 * A small writer of ONNX models (onnx/onnx.proto, IR version 8, the default opset 17): a graph
 * builder that names values, holds initializers and nodes, and encodes the ModelProto as
 * protobuf wire format. Only what the frozen-network export (onnx-export.ts) needs: float32,
 * float64 and int64 tensors, int/float/ints attributes, tensor inputs and outputs with symbolic
 * dimensions, and string metadata. Written here rather than taken from a protobuf library so
 * that the Worker bundle gains nothing but these lines (the encoding is five wire rules).
 */

/** TensorProto.DataType */
export const enum OnnxType {
  Float = 1,
  Int64 = 7,
  Double = 11,
}

/** A tensor dimension: a fixed size, or a symbolic name ("events"). */
export type OnnxDim = number | string;

export interface OnnxValueInfo {
  name: string;
  type: OnnxType;
  dims: OnnxDim[];
  doc?: string;
}

type Attribute = { kind: 'int'; value: number } | { kind: 'float'; value: number } | { kind: 'ints'; value: number[] };

interface Node {
  op: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attributes: Record<string, Attribute>;
}

interface Initializer {
  name: string;
  dims: number[];
  data: Float32Array | Float64Array | BigInt64Array;
}

export const int = (value: number): Attribute => ({ kind: 'int', value });
export const float = (value: number): Attribute => ({ kind: 'float', value });
export const ints = (value: number[]): Attribute => ({ kind: 'ints', value });

/**
 * An ONNX graph under construction. `node` adds an operator and returns the name of its
 * (first) output; `constant` adds an initializer. Value names are made unique with a counter,
 * prefixed by the caller's hint, so that a reader of the graph sees where each value comes from.
 */
export class OnnxGraph {
  private readonly nodes: Node[] = [];
  private readonly initializers: Initializer[] = [];
  private readonly used = new Set<string>();

  constructor(
    readonly inputs: OnnxValueInfo[],
    readonly name: string,
    /** the element type of `constant`s: Float or Double */
    readonly real: OnnxType.Float | OnnxType.Double,
  ) {
    for (const input of inputs) this.used.add(input.name);
  }

  private unique(hint: string): string {
    let name = hint;
    for (let k = 1; this.used.has(name); k++) name = `${hint}_${k}`;
    this.used.add(name);
    return name;
  }

  /** A real constant of shape `dims` (row-major data), in the graph's element type. */
  constant(hint: string, dims: number[], data: ArrayLike<number>): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (data.length !== size) throw new RangeError(`constant ${hint}: shape [${dims}] needs ${size} values, got ${data.length}`);
    const name = this.unique(hint);
    this.initializers.push({ name, dims, data: this.real === OnnxType.Double ? Float64Array.from(data) : Float32Array.from(data) });
    return name;
  }

  /** An int64 constant (shapes, axes). */
  int64(hint: string, values: number[]): string {
    const name = this.unique(hint);
    this.initializers.push({ name, dims: [values.length], data: BigInt64Array.from(values, (v) => BigInt(v)) });
    return name;
  }

  /** Adds operator `op` on `inputs`; its output is named from `hint` unless `output` fixes the name (a graph output). */
  node(op: string, inputs: string[], hint: string, attributes: Record<string, Attribute> = {}, output?: string): string {
    const out = output ?? this.unique(hint);
    if (output) this.used.add(output);
    this.nodes.push({ op, inputs, outputs: [out], name: this.unique(`${hint}/${op}`), attributes });
    return out;
  }

  /** The whole model as ONNX protobuf bytes. */
  encode(outputs: OnnxValueInfo[], model: { producer: string; producerVersion: string; doc: string; metadata: Record<string, string>; opset?: number }): Uint8Array {
    const graph = new Writer();
    for (const n of this.nodes) graph.message(1, encodeNode(n));
    graph.string(2, this.name);
    for (const t of this.initializers) graph.message(5, encodeTensor(t));
    for (const v of this.inputs) graph.message(11, encodeValueInfo(v));
    for (const v of outputs) graph.message(12, encodeValueInfo(v));
    const m = new Writer();
    m.varint(1, 8); // ir_version 8: opset 17–18 (onnx 1.13)
    m.string(2, model.producer);
    m.string(3, model.producerVersion);
    m.string(6, model.doc);
    m.message(7, graph.bytes());
    const opset = new Writer();
    opset.string(1, '');
    opset.varint(2, model.opset ?? 17);
    m.message(8, opset.bytes());
    for (const [key, value] of Object.entries(model.metadata)) {
      const entry = new Writer();
      entry.string(1, key);
      entry.string(2, value);
      m.message(14, entry.bytes());
    }
    return m.bytes();
  }
}

function encodeNode(n: Node): Uint8Array {
  const w = new Writer();
  for (const input of n.inputs) w.string(1, input);
  for (const output of n.outputs) w.string(2, output);
  w.string(3, n.name);
  w.string(4, n.op);
  for (const [name, a] of Object.entries(n.attributes)) {
    const aw = new Writer();
    aw.string(1, name);
    // AttributeProto: type (20) says which field holds the value: FLOAT 1 → f (2), INT 2 → i (3), INTS 7 → ints (8)
    if (a.kind === 'float') {
      aw.float32(2, a.value);
      aw.varint(20, 1);
    } else if (a.kind === 'int') {
      aw.varint(3, a.value);
      aw.varint(20, 2);
    } else {
      for (const v of a.value) aw.varint(8, v);
      aw.varint(20, 7);
    }
    w.message(5, aw.bytes());
  }
  return w.bytes();
}

function encodeTensor(t: Initializer): Uint8Array {
  const w = new Writer();
  for (const d of t.dims) w.varint(1, d);
  const data = t.data;
  w.varint(2, data instanceof Float32Array ? OnnxType.Float : data instanceof Float64Array ? OnnxType.Double : OnnxType.Int64);
  w.string(8, t.name);
  // raw_data (9): fixed-width little-endian, as the spec requires
  const raw = new Uint8Array(data.byteLength);
  const view = new DataView(raw.buffer);
  if (data instanceof Float32Array) for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i], true);
  else if (data instanceof Float64Array) for (let i = 0; i < data.length; i++) view.setFloat64(8 * i, data[i], true);
  else for (let i = 0; i < data.length; i++) view.setBigInt64(8 * i, data[i], true);
  w.bytesField(9, raw);
  return w.bytes();
}

function encodeValueInfo(v: OnnxValueInfo): Uint8Array {
  const shape = new Writer();
  for (const d of v.dims) {
    const dim = new Writer();
    if (typeof d === 'number') dim.varint(1, d);
    else dim.string(2, d);
    shape.message(1, dim.bytes());
  }
  const tensor = new Writer();
  tensor.varint(1, v.type);
  tensor.message(2, shape.bytes());
  const type = new Writer();
  type.message(1, tensor.bytes());
  const w = new Writer();
  w.string(1, v.name);
  w.message(2, type.bytes());
  if (v.doc) w.string(3, v.doc);
  return w.bytes();
}

const utf8 = new TextEncoder();

/** Protobuf wire format: varint (wire type 0), 32-bit (5) and length-delimited (2) fields. */
class Writer {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  private rawVarint(value: number | bigint): void {
    // int64 fields: negative values are written as their 64-bit two's complement (10 bytes)
    let v = BigInt.asUintN(64, BigInt(value));
    const out: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v) byte |= 0x80;
      out.push(byte);
    } while (v);
    this.push(Uint8Array.from(out));
  }

  private tag(field: number, wire: number): void {
    this.rawVarint((field << 3) | wire);
  }

  varint(field: number, value: number): void {
    if (!Number.isSafeInteger(value)) throw new RangeError(`protobuf field ${field}: ${value} is not an integer`);
    this.tag(field, 0);
    this.rawVarint(value);
  }

  float32(field: number, value: number): void {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.push(b);
  }

  bytesField(field: number, bytes: Uint8Array): void {
    this.tag(field, 2);
    this.rawVarint(bytes.length);
    this.push(bytes);
  }

  string(field: number, value: string): void {
    this.bytesField(field, utf8.encode(value));
  }

  message(field: number, bytes: Uint8Array): void {
    this.bytesField(field, bytes);
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}
