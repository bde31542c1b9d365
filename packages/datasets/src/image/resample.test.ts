import { readFileSync } from 'node:fs';

import { describe, expect, expectTypeOf, it } from 'vitest';

import { resizeBilinear } from './resample.js';

// Pillow 9.4 outputs written by __fixtures__/make_fixtures.py from the same formula patterns.
const pillow = JSON.parse(readFileSync(new URL('./__fixtures__/pillow.json', import.meta.url), 'utf8')) as {
  input: { width: number; height: number };
  resize8: { width: number; height: number; pixels: number[] }[];
  resize16: { width: number; height: number; pixels: number[] }[];
  upscale28to32: number[];
};

function pattern8(width: number, height: number): Uint8Array {
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) pixels[y * width + x] = (x * 37 + y * 91 + ((x * y) % 7) * 20) % 256;
  }
  return pixels;
}

function pattern16(width: number, height: number): Uint16Array {
  const pixels = new Uint16Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) pixels[y * width + x] = (x * 2711 + y * 9137 + ((x * y) % 13) * 1000) % 65536;
  }
  return pixels;
}

describe('resizeBilinear', () => {
  const { width, height } = pillow.input;

  it('matches Pillow on 8-bit images', () => {
    for (const reference of pillow.resize8) {
      const resized = resizeBilinear(pattern8(width, height), width, height, reference.width, reference.height, 8);
      expect([...resized], `${reference.width}x${reference.height}`).toEqual(reference.pixels);
    }
  });

  it('matches Pillow on 16-bit images', () => {
    for (const reference of pillow.resize16) {
      const resized = resizeBilinear(pattern16(width, height), width, height, reference.width, reference.height, 16);
      expect([...resized], `${reference.width}x${reference.height}`).toEqual(reference.pixels);
    }
  });

  it('matches Pillow upscaling 28 to 32', () => {
    const resized = resizeBilinear(pattern8(28, 28), 28, 28, 32, 32, 8);
    expect([...resized]).toEqual(pillow.upscale28to32);
  });

  it('upscales without a shift', () => {
    const resized = resizeBilinear(Uint8Array.from([0, 100, 0, 100]), 2, 2, 4, 4, 8);
    expect([...resized.subarray(0, 4)]).toEqual([0, 25, 75, 100]);
  });

  it('keeps the array type', () => {
    expectTypeOf(resizeBilinear(new Uint16Array(4), 2, 2, 3, 3, 16)).toEqualTypeOf<Uint16Array>();
    expect(resizeBilinear(new Uint16Array(4), 2, 2, 3, 3, 16)).toBeInstanceOf(Uint16Array);
    expect(resizeBilinear(new Uint8Array(4), 2, 2, 1, 1, 8)).toBeInstanceOf(Uint8Array);
  });
});
