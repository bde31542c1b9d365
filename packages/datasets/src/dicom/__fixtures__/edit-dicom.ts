/**
 * Test helpers that derive DICOM inputs from `implicit_little.dcm` (Implicit VR Little Endian, 16-bit signed,
 * no sequences): they rewrite elements of the data set and recompute each group length (gggg,0000).
 */
import { readFileSync } from 'node:fs';

interface Element {
  readonly group: number;
  readonly element: number;
  value: Buffer;
}

const fixture = (name: string): Buffer => readFileSync(new URL(`./${name}`, import.meta.url));

/** The fixture bytes of `name` in this folder. */
export const readFixture = fixture;

function parse(bytes: Buffer): { head: Buffer; elements: Element[] } {
  // 128-byte preamble, "DICM", then the File Meta group (explicit VR) whose length (0002,0000) comes first.
  const metaLength = bytes.readUInt32LE(132 + 8);
  let offset = 132 + 12 + metaLength;
  const head = bytes.subarray(0, offset);
  const elements: Element[] = [];
  while (offset < bytes.length) {
    const group = bytes.readUInt16LE(offset);
    const element = bytes.readUInt16LE(offset + 2);
    const length = bytes.readUInt32LE(offset + 4);
    if (length === 0xffffffff) throw new Error('edit-dicom handles defined lengths only');
    elements.push({ group, element, value: Buffer.from(bytes.subarray(offset + 8, offset + 8 + length)) });
    offset += 8 + length;
  }
  return { head, elements };
}

function serialise(head: Buffer, elements: Element[]): Buffer {
  elements.sort((a, b) => a.group - b.group || a.element - b.element);
  for (const lengthElement of elements.filter((e) => e.element === 0)) {
    const size = elements
      .filter((e) => e.group === lengthElement.group && e.element !== 0)
      .reduce((total, e) => total + 8 + e.value.length, 0);
    lengthElement.value = Buffer.alloc(4);
    lengthElement.value.writeUInt32LE(size);
  }
  const parts = elements.map((e) => {
    const tag = Buffer.alloc(8);
    tag.writeUInt16LE(e.group);
    tag.writeUInt16LE(e.element, 2);
    tag.writeUInt32LE(e.value.length, 4);
    return Buffer.concat([tag, e.value]);
  });
  return Buffer.concat([head, ...parts]);
}

/** A text value padded with a space to even length, as DICOM requires. */
function text(value: string): Buffer {
  return Buffer.from(value.length % 2 === 0 ? value : `${value} `, 'latin1');
}

function edit(bytes: Buffer, change: (elements: Element[]) => void): Buffer {
  const { head, elements } = parse(bytes);
  change(elements);
  return serialise(head, elements);
}

function set(elements: Element[], group: number, element: number, value: Buffer): void {
  const existing = elements.find((e) => e.group === group && e.element === element);
  if (existing) existing.value = value;
  else elements.push({ group, element, value });
}

function pixels(elements: Element[]): Buffer {
  return elements.find((e) => e.group === 0x7fe0 && e.element === 0x0010)!.value;
}

/** The MONOCHROME1 twin: photometric MONOCHROME1 and each stored value v replaced by (min + max) - v. */
export function monochrome1Twin(bytes: Buffer): Buffer {
  return edit(bytes, (elements) => {
    set(elements, 0x0028, 0x0004, text('MONOCHROME1'));
    const data = pixels(elements);
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < data.length; i += 2) {
      min = Math.min(min, data.readInt16LE(i));
      max = Math.max(max, data.readInt16LE(i));
    }
    for (let i = 0; i < data.length; i += 2) data.writeInt16LE(min + max - data.readInt16LE(i), i);
  });
}

/** The same pixels with Rescale Slope (0028,1053) and Rescale Intercept (0028,1052) added. */
export function rescaledTwin(bytes: Buffer, slope: number, intercept: number): Buffer {
  return edit(bytes, (elements) => {
    set(elements, 0x0028, 0x1052, text(String(intercept)));
    set(elements, 0x0028, 0x1053, text(String(slope)));
  });
}

/** The same image with PatientID (0010,0020) set, and its pixels shifted by `offset` so the files differ. */
export function withPatient(bytes: Buffer, patientId: string, offset: number): Buffer {
  return edit(bytes, (elements) => {
    set(elements, 0x0010, 0x0020, text(patientId));
    const data = pixels(elements);
    for (let i = 0; i < data.length; i += 2) data.writeInt16LE(Math.min(data.readInt16LE(i) + offset, 32767), i);
  });
}

/** The bytes with the first occurrence of one transfer syntax UID replaced by another of the same length. */
export function withTransferSyntax(bytes: Buffer, from: string, to: string): Buffer {
  if (from.length !== to.length) throw new Error('the UIDs must have the same length');
  const copy = Buffer.from(bytes);
  const at = copy.indexOf(from, 0, 'latin1');
  if (at < 0) throw new Error(`UID ${from} not found`);
  copy.write(to, at, 'latin1');
  return copy;
}
