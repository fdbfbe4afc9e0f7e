/**
 * The outbox's pacing, per lane (a group's way of posting): when its next posts may go, how far
 * pauses have pushed them, and its line of posts, of which only the front one may be sent.
 */
import type { Redis } from 'ioredis';
import { CounterSchema, decode, SlotReplySchema } from './codec.js';
import type { Keys } from './keys.js';
import { defineScripts } from './scripts.js';

/** A lane's pacing outlives everything it has scheduled: posts wait hours at most, pauses minutes. */
const PACING_KEEP_MS = 7 * 24 * 60 * 60 * 1000;

export interface PacingStore {
  /**
   * A send time for the next `parts` messages of one lane, `spacingMs` apart and after all it
   * has scheduled; `shift` is the lane's pause total at that moment (see `pauseLane`).
   */
  reserveSlot(lane: string, now: number, parts: number, spacingMs: number): Promise<{ at: number; shift: number }>;
  /** How far the lane's pauses have pushed its schedule (ms). */
  laneShift(lane: string): Promise<number>;
  /** Pushes everything the lane has scheduled later by `pauseMs`; returns the new shift. */
  pauseLane(lane: string, now: number, pauseMs: number): Promise<number>;
  /** When the lane may send again (ms): its last send plus the spacing its parts took. */
  laneFreeAt(lane: string): Promise<number>;
  setLaneFreeAt(lane: string, at: number): Promise<void>;
  /** Puts a post in its lane's line, by its reserved time (again is harmless). */
  lineUp(lane: string, post: string, base: number): Promise<void>;
  /** The post at the front of the lane's line: the only one that may be sent now. */
  lineHead(lane: string): Promise<string | undefined>;
  /** Takes a post out of its lane's line: sent, given up, or gone. */
  leaveLine(lane: string, post: string): Promise<void>;
}

export function createPacingStore(redis: Redis, keys: Keys): PacingStore {
  const scripts = defineScripts(redis);
  return {
    async reserveSlot(lane, now, parts, spacingMs) {
      const [at, shift] = decode(SlotReplySchema, await scripts.reserveSlot(keys.lanePacing(lane), now, parts, spacingMs, PACING_KEEP_MS), `slot of ${lane}`);
      return { at, shift };
    },

    async laneShift(lane) {
      return decode(CounterSchema, (await redis.hget(keys.lanePacing(lane), 'shift')) ?? '0', `shift of ${lane}`);
    },

    async pauseLane(lane, now, pauseMs) {
      return decode(CounterSchema, await scripts.pauseLane(keys.lanePacing(lane), now, pauseMs, PACING_KEEP_MS), `pause of ${lane}`);
    },

    async laneFreeAt(lane) {
      return decode(CounterSchema, (await redis.hget(keys.lanePacing(lane), 'free')) ?? '0', `free of ${lane}`);
    },

    async setLaneFreeAt(lane, at) {
      await redis.multi().hset(keys.lanePacing(lane), 'free', String(at)).pexpire(keys.lanePacing(lane), PACING_KEEP_MS).exec();
    },

    async lineUp(lane, post, base) {
      await redis.multi().zadd(keys.laneQueue(lane), 'NX', base, post).pexpire(keys.laneQueue(lane), PACING_KEEP_MS).exec();
    },

    async lineHead(lane) {
      return (await redis.zrange(keys.laneQueue(lane), '0', '0'))[0];
    },

    async leaveLine(lane, post) {
      await redis.zrem(keys.laneQueue(lane), post);
    },
  };
}
