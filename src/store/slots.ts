/**
 * A task's standings (record-report.lua): one string per task, a 16-byte record per township slot
 * — the amount, then the report's epoch milliseconds, little-endian doubles — read whole for
 * ranking as the domain's ProgressTable, without decoding a record. A township's slot is the same
 * in every task's standings and never changes once given (assign-slots.lua).
 */
import { endianness } from 'node:os';
import type { Redis } from 'ioredis';
import { instantMs } from '../domain/dates.js';
import { StoreDataError, decodeJsonHash, ProgressSchema } from './codec.js';
import type { Keys } from './keys.js';
import { run } from './redis-io.js';
import { defineScripts } from './scripts.js';

/** One standings record: amount and epoch ms, two doubles. */
export const STANDING_BYTES = 16;

/** Writes one standings record into `into` at `slot`, as record-report.lua does. */
export function writeStanding(into: Buffer, slot: number, amount: number, atMs: number): void {
  into.writeDoubleLE(amount, slot * STANDING_BYTES);
  into.writeDoubleLE(atMs, slot * STANDING_BYTES + 8);
}

/**
 * A task's standings as the cells of a ProgressTable: record r's amount at 2r, its time at 2r + 1.
 * The reply's own memory when it is aligned for doubles (a large reply is a buffer of its own),
 * else one copy; on a big-endian machine each double is read.
 */
export function cellsOf(bytes: Buffer): Float64Array {
  const length = Math.floor(bytes.length / STANDING_BYTES) * 2;
  if (LITTLE_ENDIAN && bytes.byteOffset % Float64Array.BYTES_PER_ELEMENT === 0) return new Float64Array(bytes.buffer, bytes.byteOffset, length);
  const cells = new Float64Array(length);
  if (LITTLE_ENDIAN) new Uint8Array(cells.buffer).set(bytes.subarray(0, length * Float64Array.BYTES_PER_ELEMENT));
  else for (let i = 0; i < length; i += 1) cells[i] = bytes.readDoubleLE(i * Float64Array.BYTES_PER_ELEMENT);
  return cells;
}

const LITTLE_ENDIAN = endianness() === 'LE';

/** Standings read in one pipeline (redis-io.ts readInBatches): a few megabytes. */
const STANDINGS_PER_READ_BYTES = 4 * 1024 * 1024;

/** How many tasks' standings make one batch of a read, in a county of `townships`. */
export function standingsPerRead(townships: number): number {
  return Math.max(1, Math.floor(STANDINGS_PER_READ_BYTES / (STANDING_BYTES * Math.max(1, townships))));
}

/** Whether the record at `slot` differs between two versions of a task's cells; past the end reads as no progress. */
export function standingChanged(before: Float64Array, after: Float64Array, slot: number): boolean {
  const at = (cells: Float64Array): number => cells[2 * slot + 1] ?? 0;
  const amount = (cells: Float64Array): number => cells[2 * slot] ?? 0;
  const empty = at(before) === 0;
  if (empty !== (at(after) === 0)) return true;
  return !empty && (at(before) !== at(after) || !Object.is(amount(before), amount(after)));
}

/**
 * A task's cells made from its progress hash and stored (set-standings.lua), for a task whose
 * string is missing. The hash is read with the ledger's length in one MULTI; a report landing
 * before the store makes the script refuse, and the hash is read again.
 */
export async function rebuiltCells(redis: Redis, keys: Keys, taskId: string, slotOf: ReadonlyMap<string, number>): Promise<Float64Array> {
  const scripts = defineScripts(redis);
  for (;;) {
    const [hash, length] = await run(redis.multi().hgetall(keys.progress(taskId)).xlen(keys.ledger(taskId)));
    if (typeof length !== 'number') throw new StoreDataError(keys.ledger(taskId), `XLEN replied ${String(length)}`);
    const progress = decodeJsonHash(ProgressSchema, hash, keys.progress(taskId));
    const width = Math.max(-1, ...[...progress.keys()].map((township) => slotOf.get(township) ?? -1)) + 1;
    const bytes = Buffer.alloc(width * STANDING_BYTES);
    for (const [township, one] of progress) {
      const slot = slotOf.get(township);
      if (slot !== undefined) writeStanding(bytes, slot, one.amount, instantMs(one.at));
    }
    const stored = await scripts.setStandings({ standings: keys.standings(taskId), ledger: keys.ledger(taskId), former: keys.formerStandings(taskId) }, length, bytes);
    if (stored === 1) return cellsOf(bytes);
    if (stored === 0) return cellsOf((await redis.getBuffer(keys.standings(taskId))) ?? Buffer.alloc(0));
  }
}

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
