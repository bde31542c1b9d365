import { readFileSync } from 'node:fs';

import { D2ueError, describeValue } from '../errors.js';
import { writeFileAtomic } from './atomic.js';

/**
 * The safetensors format (huggingface/safetensors, "Format" section): an unsigned 64-bit little-endian header
 * length N, N bytes of JSON `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}`
 * padded with spaces to a multiple of 8, then the tensors' bytes, little-endian, row-major, contiguous.
 * d2ue stores weights as float32 (`F32`) and integer counters such as BatchNorm's `num_batches_tracked` as `I64`
 * (PyTorch's `torch.long`). Reading returns the two dtypes in separate maps; every other dtype is an error.
 */

/** One float32 tensor: shape and row-major values. `dtype` may be omitted; it is always `F32`. */
export interface NamedArray {
  readonly dtype?: 'F32';
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** One signed 64-bit integer tensor (`I64`, PyTorch's `torch.long`): shape and row-major values. */
export interface NamedInt64Array {
  readonly dtype: 'I64';
  readonly shape: readonly number[];
  readonly data: BigInt64Array;
}

/** A tensor as the writer accepts it: float32 unless `dtype` is `I64`. */
export type SafetensorsEntry = NamedArray | NamedInt64Array;

/** A safetensors file's tensors and string metadata. */
export interface SafetensorsContent {
  /** The `F32` tensors. */
  readonly tensors: Map<string, NamedArray>;

  /** The `I64` tensors, e.g. BatchNorm's `num_batches_tracked`; callers that need only weights can ignore them. */
  readonly int64: Map<string, NamedInt64Array>;

  readonly metadata: Record<string, string>;
}

/**
 * Serialises tensors (sorted by name, as the reference writer does) and metadata to safetensors bytes.
 *
 * @example
 * encodeSafetensors(new Map([['w', { shape: [2], data: new Float32Array([1, 2]) }]]), { format: 'pt' });
 */
export function encodeSafetensors(tensors: ReadonlyMap<string, SafetensorsEntry>, metadata: Record<string, string> = {}): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const name of names) {
    const tensor = tensors.get(name)!;
    const count = tensor.shape.reduce((product, size) => product * size, 1);
    if (count !== tensor.data.length) {
      throw new D2ueError('io', `Tensor "${name}" of shape ${describeValue(tensor.shape)} needs ${count} values, got ${tensor.data.length}.`, {
        subject: name,
      });
    }
    const bytes = tensor.data.length * (tensor.dtype === 'I64' ? 8 : 4);
    header[name] = { dtype: tensor.dtype ?? 'F32', shape: tensor.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }

  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');

  const out = Buffer.alloc(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  let position = 8 + headerBytes.length;
  for (const name of names) {
    const tensor = tensors.get(name)!;
    if (tensor.dtype === 'I64') {
      writeInt64s(out, position, tensor.data);
      position += tensor.data.length * 8;
    } else {
      writeFloats(out, position, tensor.data);
      position += tensor.data.length * 4;
    }
  }
  return out;
}

/** Parses safetensors bytes; `file` only names the source in errors. */
export function decodeSafetensors(bytes: Uint8Array, file = 'safetensors data'): SafetensorsContent {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (what: string): never => {
    throw new D2ueError('io', `${file}: not a valid safetensors file: ${what}.`, { subject: file });
  };

  if (buffer.length < 8) fail(`${buffer.length} bytes is shorter than the 8-byte header length`);
  const headerLength = Number(buffer.readBigUInt64LE(0));
  if (8 + headerLength > buffer.length) fail(`header length ${headerLength} runs past the end of the file`);

  let header: Record<string, unknown>;
  try {
    header = JSON.parse(buffer.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, unknown>;
  } catch (error) {
    return fail(`header is not JSON (${(error as Error).message})`);
  }

  const dataStart = 8 + headerLength;
  const dataLength = buffer.length - dataStart;
  const tensors = new Map<string, NamedArray>();
  const int64 = new Map<string, NamedInt64Array>();
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  const spans: Array<[number, number, string]> = [];

  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets: offsets } = (entry ?? {}) as { dtype: string; shape: number[]; data_offsets: [number, number] };
    if (!Array.isArray(shape) || !shape.every((size) => Number.isInteger(size) && size >= 0)) {
      fail(`tensor "${name}" has shape ${describeValue(shape)}; expected a list of non-negative integers`);
    }
    const [begin, end] = offsets ?? [];
    if (begin === undefined || end === undefined || begin > end || end > dataLength) {
      fail(
        `tensor "${name}" of shape ${describeValue(shape)} has data_offsets ${describeValue(offsets)} outside the ` +
          `${dataLength}-byte data section (a truncated file?)`,
      );
    }
    spans.push([begin!, end!, name]);

    const count = shape.reduce((product, size) => product * size, 1);
    if (dtype !== 'F32' && dtype !== 'I64') {
      fail(`tensor "${name}" of shape ${describeValue(shape)} has dtype ${describeValue(dtype)}; d2ue reads F32 weights and I64 counters, so convert it with tensor.float()`);
    }
    const width = dtype === 'I64' ? 8 : 4;
    if (end! - begin! !== count * width) fail(`tensor "${name}" of shape ${describeValue(shape)} and dtype ${dtype} needs ${count * width} bytes, has ${end! - begin!}`);

    if (dtype === 'I64') int64.set(name, { dtype, shape, data: readInt64s(buffer, dataStart + begin!, count) });
    else tensors.set(name, { shape, data: readFloats(buffer, dataStart + begin!, count) });
  }

  // The format requires the tensors to tile the data section without holes or overlaps.
  spans.sort((a, b) => a[0] - b[0]);
  let expected = 0;
  for (const [begin, end, name] of spans) {
    if (begin !== expected) fail(`tensor "${name}" starts at byte ${begin}, expected ${expected} (holes or overlaps)`);
    expected = end;
  }
  if (expected !== dataLength) fail(`the tensors cover ${expected} of ${dataLength} data bytes`);

  return { tensors, int64, metadata };
}

/** Writes a safetensors file atomically. */
export function writeSafetensors(file: string, tensors: ReadonlyMap<string, SafetensorsEntry>, metadata: Record<string, string> = {}): void {
  writeFileAtomic(file, encodeSafetensors(tensors, metadata));
}

/** Reads a safetensors file. */
export function readSafetensors(file: string): SafetensorsContent {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new D2ueError('io', `Cannot read weights file ${file}: ${(error as Error).message}`, { subject: file, cause: error });
  }
  return decodeSafetensors(bytes, file);
}

// The format is little-endian; on a little-endian host (every platform Node ships for but s390x) the bytes are
// copied whole, elsewhere value by value.
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function writeFloats(out: Buffer, position: number, data: Float32Array): void {
  if (littleEndian) {
    Buffer.from(data.buffer, data.byteOffset, data.byteLength).copy(out, position);
    return;
  }
  for (let i = 0; i < data.length; i++) out.writeFloatLE(data[i]!, position + 4 * i);
}

function readFloats(buffer: Buffer, position: number, count: number): Float32Array {
  const data = new Float32Array(count);
  if (littleEndian) {
    new Uint8Array(data.buffer).set(buffer.subarray(position, position + count * 4));
    return data;
  }
  for (let i = 0; i < count; i++) data[i] = buffer.readFloatLE(position + 4 * i);
  return data;
}

function writeInt64s(out: Buffer, position: number, data: BigInt64Array): void {
  if (littleEndian) {
    Buffer.from(data.buffer, data.byteOffset, data.byteLength).copy(out, position);
    return;
  }
  for (let i = 0; i < data.length; i++) out.writeBigInt64LE(data[i]!, position + 8 * i);
}

function readInt64s(buffer: Buffer, position: number, count: number): BigInt64Array {
  const data = new BigInt64Array(count);
  if (littleEndian) {
    new Uint8Array(data.buffer).set(buffer.subarray(position, position + count * 8));
    return data;
  }
  for (let i = 0; i < count; i++) data[i] = buffer.readBigInt64LE(position + 8 * i);
  return data;
}
