/**
 * A task's standings (record-report.lua): one string per task, a 40-byte record per township
 * slot, read whole for ranking. A township's slot is the same in every task's standings and
 * never changes once given (assign-slots.lua).
 */
import type { Redis } from 'ioredis';
import type { Instant, Reported } from '../domain/model.js';
import { StoreDataError } from './codec.js';
import type { Keys } from './keys.js';
import { defineScripts } from './scripts.js';

/** One standings record (record-report.lua): the amount as a big-endian double, then `at` padded to 32 bytes. */
export const STANDING_BYTES = 40;
export const STANDING_AT_BYTES = 32;

/** Writes one standings record into `into` at `slot`, as record-report.lua does (the benchmark fills counties this way). */
export function writeStanding(into: Buffer, slot: number, amount: number, at: Instant): void {
  into.writeDoubleBE(amount, slot * STANDING_BYTES);
  into.write(at.padEnd(STANDING_AT_BYTES, ' '), slot * STANDING_BYTES + 8, 'latin1');
}

/** A task's standings by township id; a slot of zero bytes (no progress) or without a township is left out. */
export function decodeStandings(bytes: Buffer, bySlot: readonly (string | undefined)[]): Map<string, Reported> {
  const out = new Map<string, Reported>();
  for (let slot = 0; (slot + 1) * STANDING_BYTES <= bytes.length; slot += 1) {
    const township = bySlot[slot];
    if (township === undefined) continue;
    const reported = readStanding(bytes, slot);
    if (reported) out.set(township, reported);
  }
  return out;
}

/** The standing at `slot`; undefined past the end or where no progress stands (zero bytes). */
export function readStanding(bytes: Buffer, slot: number): Reported | undefined {
  const offset = slot * STANDING_BYTES;
  if (offset + STANDING_BYTES > bytes.length || bytes[offset + 8] === 0) return undefined;
  // The padding starts at the first space: one string per cell, not a padded one and its trim.
  const start = offset + 8;
  const space = bytes.indexOf(0x20, start);
  const end = space === -1 || space > offset + STANDING_BYTES ? offset + STANDING_BYTES : space;
  return { amount: bytes.readDoubleBE(offset), at: bytes.toString('latin1', start, end) };
}

/** Whether the standing at `slot` differs between two versions of a task's standings. */
export function standingChanged(before: Buffer, after: Buffer, slot: number): boolean {
  const from = slot * STANDING_BYTES;
  const to = from + STANDING_BYTES;
  const a = from < before.length ? before.subarray(from, Math.min(to, before.length)) : EMPTY;
  const b = from < after.length ? after.subarray(from, Math.min(to, after.length)) : EMPTY;
  // A record cut short or absent reads as no progress, as readStanding reads it.
  return readsAsEmpty(a) !== readsAsEmpty(b) || (!readsAsEmpty(a) && !a.equals(b));
}

const EMPTY = Buffer.alloc(0);
const readsAsEmpty = (record: Buffer): boolean => record.length < STANDING_BYTES || record[8] === 0;

export interface Slots {
  /** Township id → standings slot, as Redis has them now. */
  read(): Promise<ReadonlyMap<string, number>>;
  /** The township's slot, given one if it has none. */
  of(township: string): Promise<number>;
}

export function createSlots(redis: Redis, keys: Keys): Slots {
  const scripts = defineScripts(redis);
  /** Township id → standings slot. Slots never change once given, so what was read stays true. */
  const slots = new Map<string, number>();

  async function read(): Promise<ReadonlyMap<string, number>> {
    for (const [id, slot] of Object.entries(await redis.hgetall(keys.townshipSlots()))) slots.set(id, Number(slot));
    return slots;
  }

  return {
    read,
    async of(township) {
      const known = slots.get(township) ?? (await read()).get(township);
      if (known !== undefined) return known;
      // A township the setup file has not named (a report for it is refused upstream; this keeps the store whole).
      await scripts.assignSlots(keys.townshipSlots(), [township]);
      const given = (await read()).get(township);
      if (given === undefined) throw new StoreDataError(keys.townshipSlots(), `no slot for ${township}`);
      return given;
    },
  };
}
