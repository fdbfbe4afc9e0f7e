/**
 * The fault suite (`npm run test:faults`): Redis restarted under load, a process killed mid
 * fan-out, a platform refusing for a while, hostile messages, forged callbacks. Slower than
 * `npm test` and run after it. Its files end in `.fault.ts`, so `npm test` (`*.test.ts`) never
 * picks them up.
 */
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/faults/**/*.fault.ts'],
    // The shared Redis (REDIS_URL, else 127.0.0.1:6379, else a throwaway one), as `npm test` finds it.
    globalSetup: ['test/helpers/global-setup.ts'],
    // Each test sets its own, longer limit where it needs one; hooks build and start servers.
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // One file a core, as in vitest.config.ts: the faults mostly wait (restarts, failovers,
    // throttles), 506 → 279 s on 2 cores. Each file starts its own Redis where it stops one.
    maxWorkers: availableParallelism(),
  },
});
