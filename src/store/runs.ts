/** The scheduler's runs: one instance takes each slot's run, and a run cut short is known as such at the next start. */
import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';

export interface RunStore {
  /** Takes scheduled run `run` (a job and its slot) for `owner`; false when another instance has it. Never released. */
  claimRun(run: string, owner: string, seconds: number): Promise<boolean>;
  /** Marks a run as having queued all its posts; a run not marked is run again at the next start. */
  markRunDone(run: string, seconds: number): Promise<void>;
  runDone(run: string): Promise<boolean>;
}

export function createRunStore(redis: Redis, keys: Keys): RunStore {
  return {
    async claimRun(run, owner, seconds) {
      return (await redis.set(keys.runMarker(run), owner, 'EX', seconds, 'NX')) === 'OK';
    },

    async markRunDone(run, seconds) {
      await redis.set(keys.runDone(run), '1', 'EX', seconds);
    },

    async runDone(run) {
      return (await redis.exists(keys.runDone(run))) === 1;
    },
  };
}
