import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Starts a throwaway redis-server when REDIS_URL is unset and none answers on 127.0.0.1:6379.
    globalSetup: ['test/helpers/global-setup.ts'],
    // Fast-check properties and real-Redis files take longer than the 5 s default on 2 cores.
    testTimeout: 20_000,
  },
});
