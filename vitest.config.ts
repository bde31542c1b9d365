import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (name: string): string =>
  fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

// Tests import every @d2ue package from its TypeScript source, so one copy of each module (and of the DI tokens)
// is loaded and no build step is needed before `npm test`.
export default defineConfig({
  resolve: {
    alias: {
      // Listed before '@d2ue/core', which would otherwise also match the subpath: the first matching alias wins.
      '@d2ue/core/testing': fileURLToPath(new URL('./packages/core/src/testing/index.ts', import.meta.url)),
      '@d2ue/core': source('core'),
      '@d2ue/backbones': source('backbones'),
      '@d2ue/repulsion': source('repulsion'),
      '@d2ue/uncertainty': source('uncertainty'),
      '@d2ue/datasets': source('datasets'),
      // The example plug-in, so its import of '@d2ue/core' resolves through the alias above to the same core.
      'd2ue-example-repulsion': fileURLToPath(new URL('./examples/repulsion-orthogonality/src/index.ts', import.meta.url)),
      'd2ue-example-backbone': fileURLToPath(new URL('./examples/backbone-tiny-ae/src/index.ts', import.meta.url)),
      'd2ue-example-scorer': fileURLToPath(new URL('./examples/scorer-max-error/src/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'examples/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
