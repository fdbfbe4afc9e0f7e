/**
 * The environment without libfaketime, for a redis-server a test spawns: redis-server hangs under
 * libfaketime (`npm run test:dates` moves the wall clock with it), as its allocator reads the
 * clock before the preload is ready. Its own clock does not matter to the tests.
 */
export const realClockEnv: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => name !== 'LD_PRELOAD' && !name.startsWith('FAKETIME')),
);
