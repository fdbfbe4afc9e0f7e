/** The scheduler's runs: one instance takes each slot's run, and a run cut short is known as such at the next start. */
import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';

export interface RunStore {
  /** Takes scheduled run `run` (a job and its slot) for `owner`, or finds it `owner`'s already; false when another instance has it. Never released. */
  claimRun(run: string, owner: string, seconds: number): Promise<boolean>;
  /** Marks a run as having queued all its posts; a run not marked is run again at the next start. */
  markRunDone(run: string, seconds: number): Promise<void>;
  runDone(run: string): Promise<boolean>;
}

export function createRunStore(redis: Redis, keys: Keys): RunStore {
  return {
    async claimRun(run, owner, seconds) {
      if ((await redis.set(keys.runMarker(run), owner, 'EX', seconds, 'NX')) === 'OK') return true;
      // A claim tried again after its reply was lost (a failover): the marker it set is still its own.
      return (await redis.get(keys.runMarker(run))) === owner;
    },

    async markRunDone(run, seconds) {
      await redis.set(keys.runDone(run), '1', 'EX', seconds);
    },

    async runDone(run) {
      return (await redis.exists(keys.runDone(run))) === 1;
    },
  };
}
