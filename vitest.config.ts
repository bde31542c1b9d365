import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (name: string): string =>
  fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

// Tests import every @d2ue package from its TypeScript source, so one copy of each module (and of the DI tokens)
// is loaded and no build step is needed before `npm test`.
export default defineConfig({
  resolve: {
    alias: {
      '@d2ue/core': source('core'),
      '@d2ue/backbones': source('backbones'),
      '@d2ue/repulsion': source('repulsion'),
      '@d2ue/uncertainty': source('uncertainty'),
      '@d2ue/datasets': source('datasets'),
    },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
