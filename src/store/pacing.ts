/**
 * The outbox's pacing, per robot (a group's way of posting): when its next posts may go, how far
 * pauses have pushed them, and its line of posts, of which only the front one may be sent.
 */
import type { Redis } from 'ioredis';
import { CounterSchema, decode, SlotReplySchema } from './codec.js';
import type { Keys } from './keys.js';
import { defineScripts } from './scripts.js';

/** A robot's pacing outlives everything it has scheduled: posts wait hours at most, pauses minutes. */
const PACING_KEEP_MS = 7 * 24 * 60 * 60 * 1000;

export interface PacingStore {
  /**
   * A send time for the next `parts` messages of one robot, `spacingMs` apart and after all it
   * has scheduled; `shift` is the robot's pause total at that moment (see `pauseRobot`).
   */
  reserveSlot(robot: string, now: number, parts: number, spacingMs: number): Promise<{ at: number; shift: number }>;
  /** How far the robot's pauses have pushed its schedule (ms). */
  robotShift(robot: string): Promise<number>;
  /** Pushes everything the robot has scheduled later by `pauseMs`; returns the new shift. */
  pauseRobot(robot: string, now: number, pauseMs: number): Promise<number>;
  /** When the robot may send again (ms): its last send plus the spacing its parts took. */
  robotFreeAt(robot: string): Promise<number>;
  setRobotFreeAt(robot: string, at: number): Promise<void>;
  /** Puts a post in its robot's line, by its reserved time (again is harmless). */
  lineUp(robot: string, post: string, base: number): Promise<void>;
  /** The post at the front of the robot's line: the only one that may be sent now. */
  lineHead(robot: string): Promise<string | undefined>;
  /** Takes a post out of its robot's line: sent, given up, or gone. */
  leaveLine(robot: string, post: string): Promise<void>;
}

export function createPacingStore(redis: Redis, keys: Keys): PacingStore {
  const scripts = defineScripts(redis);
  return {
    async reserveSlot(robot, now, parts, spacingMs) {
      const [at, shift] = decode(SlotReplySchema, await scripts.reserveSlot(keys.robotPacing(robot), now, parts, spacingMs, PACING_KEEP_MS), `slot of ${robot}`);
      return { at, shift };
    },

    async robotShift(robot) {
      return decode(CounterSchema, (await redis.hget(keys.robotPacing(robot), 'shift')) ?? '0', `shift of ${robot}`);
    },

    async pauseRobot(robot, now, pauseMs) {
      return decode(CounterSchema, await scripts.pauseRobot(keys.robotPacing(robot), now, pauseMs, PACING_KEEP_MS), `pause of ${robot}`);
    },

    async robotFreeAt(robot) {
      return decode(CounterSchema, (await redis.hget(keys.robotPacing(robot), 'free')) ?? '0', `free of ${robot}`);
    },

    async setRobotFreeAt(robot, at) {
      await redis.multi().hset(keys.robotPacing(robot), 'free', String(at)).pexpire(keys.robotPacing(robot), PACING_KEEP_MS).exec();
    },

    async lineUp(robot, post, base) {
      await redis.multi().zadd(keys.robotQueue(robot), 'NX', base, post).pexpire(keys.robotQueue(robot), PACING_KEEP_MS).exec();
    },

    async lineHead(robot) {
      return (await redis.zrange(keys.robotQueue(robot), '0', '0'))[0];
    },

    async leaveLine(robot, post) {
      await redis.zrem(keys.robotQueue(robot), post);
    },
  };
}
