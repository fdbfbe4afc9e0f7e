import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Starts a throwaway redis-server when REDIS_URL is unset and none answers on 127.0.0.1:6379.
    globalSetup: ['test/helpers/global-setup.ts'],
    // Fast-check properties and real-Redis files take longer than the 5 s default on 2 cores.
    testTimeout: 20_000,
    // Vitest's default is one worker fewer than the cores: a single one on this project's 2-core
    // machine, where the files then ran one after another with the CPU 60 % idle (they wait on
    // Redis, child processes and timers). One a core halves the suite's time (287 → 146 s); a
    // third worker made it slower again (160 s). Each file has its own key prefix and ports.
    maxWorkers: availableParallelism(),
    // A worker keeps the modules it has loaded from one file to the next, instead of loading the
    // bot afresh for each (vitest's default): importing was 73 of the workers' 257 s, and the
    // suite takes 148 → 93 s, a date run 122 → 73 s. What the bot's modules keep at module level
    // is caches (fonts, drawn charts, date formats, script sources) and the log redactor's list of
    // secrets, which can only mask more; the suite passes with the files shuffled
    // (`--sequence.shuffle.files`).
    isolate: false,
  },
});
