/**
 * The fault suite (`npm run test:faults`): Redis restarted under load, a process killed mid
 * fan-out, a platform refusing for a while, hostile messages, forged callbacks. Slower than
 * `npm test` and run after it. Its files end in `.fault.ts`, so `npm test` (`*.test.ts`) never
 * picks them up.
 */
import { availableParallelism } from 'node:os';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * The files that spend minutes waiting — Redis away for 20 s and then 90 s, a fan-out killed and
 * its locks left to run out, three instances taking turns — longest first. Vitest starts the
 * largest files first when it has no timings of its own (a fresh clone, as in CI), which put
 * these last and left the run waiting on them alone: 280 s. Started first, beside the rest: 165 s.
 */
const WAITING = ['redis-outage', 'crash-fanout', 'three-instances'];

const waitingRank = (file: TestSpecification): number => {
  const at = WAITING.findIndex((name) => file.moduleId.endsWith(`/${name}.fault.ts`));
  return at === -1 ? WAITING.length : at;
};

class WaitingFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return (await super.sort(files)).sort((a, b) => waitingRank(a) - waitingRank(b));
  }
}

export default defineConfig({
  test: {
    include: ['test/faults/**/*.fault.ts'],
    // The shared Redis (REDIS_URL, else 127.0.0.1:6379, else a throwaway one), as `npm test` finds it.
    globalSetup: ['test/helpers/global-setup.ts'],
    // Each test sets its own, longer limit where it needs one; hooks build and start servers.
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // One file more than the cores: the three waiting files hold a worker each for one to two
    // minutes with the CPU mostly idle, and the rest run beside them (two workers: 238 s).
    // Each file starts its own Redis where it stops one.
    maxWorkers: availableParallelism() + 1,
    sequence: { sequencer: WaitingFirst },
  },
});
