import { readFileSync } from 'node:fs';

import { D2ueError, describeValue } from '../errors.js';
import { writeFileAtomic } from './atomic.js';

/**
 * The safetensors format (huggingface/safetensors, "Format" section): an unsigned 64-bit little-endian header
 * length N, N bytes of JSON `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}`
 * padded with spaces to a multiple of 8, then the tensors' bytes, little-endian, row-major, contiguous.
 * d2ue stores float32 only (`F32`); `I64` entries such as BatchNorm's `num_batches_tracked` are read and skipped.
 */

/** One float32 tensor: shape and row-major values. */
export interface NamedArray {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** A safetensors file's tensors and string metadata. */
export interface SafetensorsContent {
  readonly tensors: Map<string, NamedArray>;
  readonly metadata: Record<string, string>;
}

/** Serialises tensors (sorted by name, as the reference writer does) and metadata to safetensors bytes. */
export function encodeSafetensors(tensors: ReadonlyMap<string, NamedArray>, metadata: Record<string, string> = {}): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const name of names) {
    const tensor = tensors.get(name)!;
    const bytes = tensor.data.length * 4;
    header[name] = { dtype: 'F32', shape: tensor.shape, data_offsets: [offset, offset + bytes] };
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
    const { data } = tensors.get(name)!;
    writeFloats(out, position, data);
    position += data.length * 4;
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
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  const spans: Array<[number, number, string]> = [];

  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets: offsets } = entry as { dtype: string; shape: number[]; data_offsets: [number, number] };
    const [begin, end] = offsets ?? [];
    if (begin === undefined || end === undefined || begin > end || end > dataLength) {
      fail(`tensor "${name}" has data_offsets ${describeValue(offsets)} outside the ${dataLength}-byte data section`);
    }
    spans.push([begin!, end!, name]);

    const count = shape.reduce((product, size) => product * size, 1);
    if (dtype === 'I64') continue;
    if (dtype !== 'F32') fail(`tensor "${name}" has dtype ${describeValue(dtype)}; d2ue reads F32 (and skips I64)`);
    if (end! - begin! !== count * 4) fail(`tensor "${name}" of shape ${describeValue(shape)} needs ${count * 4} bytes, has ${end! - begin!}`);

    tensors.set(name, { shape, data: readFloats(buffer, dataStart + begin!, count) });
  }

  // The format requires the tensors to tile the data section without holes or overlaps.
  spans.sort((a, b) => a[0] - b[0]);
  let expected = 0;
  for (const [begin, end, name] of spans) {
    if (begin !== expected) fail(`tensor "${name}" starts at byte ${begin}, expected ${expected} (holes or overlaps)`);
    expected = end;
  }
  if (expected !== dataLength) fail(`the tensors cover ${expected} of ${dataLength} data bytes`);

  return { tensors, metadata };
}

/** Writes a safetensors file atomically. */
export function writeSafetensors(file: string, tensors: ReadonlyMap<string, NamedArray>, metadata: Record<string, string> = {}): void {
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
