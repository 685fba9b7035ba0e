import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // generated skeletons import the runtime as users do; in this repo that is the source
  resolve: {
    alias: [
      { find: /^@lcc-ebpf\/lbc\/bcc$/, replacement: fileURLToPath(new URL('./lbc/src/bcc/index.ts', import.meta.url)) },
      { find: /^@lcc-ebpf\/lbc\/py$/, replacement: fileURLToPath(new URL('./lbc/src/py/index.ts', import.meta.url)) },
      { find: /^@lcc-ebpf\/lbc$/, replacement: fileURLToPath(new URL('./lbc/src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // kernel tests count programs and attach to shared tracepoints: one file at a time
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
