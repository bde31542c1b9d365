import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { firstChannel, lumaFromInterleaved } from './luma.js';

// Pillow 9.4 `convert('L')` outputs written by __fixtures__/make_fixtures.py.
const pillow = JSON.parse(readFileSync(new URL('./__fixtures__/pillow.json', import.meta.url), 'utf8')) as {
  luma: { width: number; height: number; pixels: number[] };
  primaries: number[];
};

describe('lumaFromInterleaved', () => {
  it('matches PIL on primaries', () => {
    const rgb = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255]);
    expect([...lumaFromInterleaved(rgb, 3)]).toEqual(pillow.primaries);
    expect(pillow.primaries).toEqual([76, 150, 29]);
  });

  it('matches PIL on a pattern', () => {
    const { width, height } = pillow.luma;
    const rgb = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const at = (y * width + x) * 3;
        rgb[at] = (x * 53 + y * 17) % 256;
        rgb[at + 1] = (x * 29 + y * 71 + 5) % 256;
        rgb[at + 2] = (x * 11 + y * 43 + 200) % 256;
      }
    }
    expect([...lumaFromInterleaved(rgb, 3)]).toEqual(pillow.luma.pixels);
  });

  it('skips the alpha channel', () => {
    const rgba = Uint8Array.from([255, 0, 0, 7, 0, 0, 255, 200]);
    expect([...lumaFromInterleaved(rgba, 4)]).toEqual([76, 29]);
  });

  it('keeps 16-bit white white', () => {
    const white = Uint16Array.from([65535, 65535, 65535]);
    expect([...lumaFromInterleaved(white, 3)]).toEqual([65535]);
  });
});

describe('firstChannel', () => {
  it('drops the alpha channel', () => {
    expect([...firstChannel(Uint8Array.from([10, 255, 20, 0]), 2)]).toEqual([10, 20]);
  });
});
