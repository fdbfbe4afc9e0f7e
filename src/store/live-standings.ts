/**
 * This month's ranking as a book (src/domain/ranking.ts) kept in the process: every report's answer
 * names the township's rank, and in a county of 2,000 townships a ranking computed afresh costs
 * hundreds of milliseconds, a recount of one township a few microseconds.
 *
 * What the book counts is copied task by task — the standings string and the granted deadlines —
 * and each copy is known by the length of the task's ledger when it was read. Every write of a
 * task's progress or deadlines (a report, a correction, a 撤回, a granted 延期) appends to its ledger
 * in the same script, and a ledger is never trimmed, so an unchanged length means an unchanged
 * task: before each answer one pipeline of XLEN says which tasks changed, from any instance, and
 * only those are read again — while the county stays the same version; a new one is read whole. A length read before the data it goes with can only make the copy
 * newer than its length says, which costs one more read later, never a stale rank. A ledger
 * entry that changes nothing the ranking reads (a review, a sign-off) costs a read and recounts
 * nobody: the copies are compared record by record.
 *
 * Cluster-safe (docs/design.md §4): the XLENs and the reads are single-key commands in a pipeline.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import { rankingBook, type ProgressTable, type RankingBasis, type RankingBook } from '../domain/ranking.js';
import type { Ymd } from '../domain/model.js';
import { CounterSchema, decode, decodeJson, GrantSchema } from './codec.js';
import type { Keys } from './keys.js';
import { run, StringHash } from './redis-io.js';
import { cellsOf, rebuiltCells, standingChanged, type Slots } from './slots.js';
import type { WrittenReport } from './types.js';

export interface LiveStandings {
  /**
   * The book of `basis`, counting every change written before the call. `written`: reports the
   * caller has just recorded; each is patched into its task's copy when nothing else changed the
   * task since the copy was read, and otherwise the task is read at once with the ledgers' lengths.
   */
  book(basis: RankingBasis, written?: readonly WrittenReport[]): Promise<RankingBook>;
}

/** One task as last read. */
interface TaskCopy {
  ledgerLength: number;
  cells: Float64Array;
  grants: ReadonlyMap<string, Ymd>;
}

export function createLiveStandings(redis: Redis, keys: Keys, slots: Slots): LiveStandings {
  const copies = new Map<string, TaskCopy>();
  let slotOf: ReadonlyMap<string, number> = new Map();
  let bySlot: (string | undefined)[] = [];
  let slotsFor: RankingBasis['townships'] | undefined;
  let copiesFor: RankingBasis['tasks'] | undefined;
  let kept: RankingBook | undefined;

  /** The copies as the book reads them: a copy is replaced, the table stays. */
  const progress: ProgressTable = {
    recordOf: (township) => slotOf.get(township),
    cells: (task) => copies.get(task)?.cells,
  };
  const deadlines = (): Map<string, ReadonlyMap<string, Ymd>> => new Map([...copies].filter(([, copy]) => copy.grants.size > 0).map(([id, copy]) => [id, copy.grants]));

  /** Queues the reads of a task's copy: its standings, then its grants. */
  const queueCopy = (pipeline: ChainableCommander, id: string): ChainableCommander => pipeline.getBuffer(keys.standings(id)).hgetall(keys.deadlines(id));

  /** A task's copy from the two replies queueCopy asked for. */
  async function copyOf(id: string, ledgerLength: number, bytes: unknown, hash: unknown): Promise<TaskCopy> {
    const granted = decode(StringHash, hash, keys.deadlines(id));
    const grants = new Map(Object.entries(granted).map(([township, json]) => [township, decodeJson(GrantSchema, json, `${keys.deadlines(id)} ${township}`).deadline]));
    // Missing: written before this layout existed, or reported on while the string was missing.
    return { ledgerLength, cells: Buffer.isBuffer(bytes) ? cellsOf(bytes) : await rebuiltCells(redis, keys, id, slotOf), grants };
  }

  /**
   * Applies the reports this process recorded to their tasks' copies, in ledger order, as far as
   * they follow on from the copy without a gap: the townships they moved. A gap (another
   * instance's write, a 延期, a 撤回) leaves the rest for a read.
   */
  function patch(written: readonly WrittenReport[], moved: Set<string>): void {
    for (const report of [...written].sort((a, b) => a.ledgerLength - b.ledgerLength)) {
      const copy = copies.get(report.task);
      const slot = slotOf.get(report.township);
      if (!copy || copy.ledgerLength !== report.ledgerLength - 1 || !report.standing || slot === undefined) continue;
      // SETRANGE past the end makes the string longer, padded with zero bytes (no progress).
      let cells = copy.cells;
      if (2 * slot + 1 >= cells.length) {
        cells = new Float64Array(2 * (slot + 1));
        cells.set(copy.cells);
      }
      cells[2 * slot] = report.standing.amount;
      cells[2 * slot + 1] = report.standing.atMs;
      copies.set(report.task, { ...copy, ledgerLength: report.ledgerLength, cells });
      moved.add(report.township);
    }
  }

  async function bring(basis: RankingBasis, written: readonly WrittenReport[]): Promise<RankingBook> {
    const ids = basis.tasks.map((t) => t.id);
    if (slotsFor !== basis.townships) {
      // Slots never change once given; a new township list may bring new ones.
      slotOf = await slots.read();
      bySlot = [];
      for (const [id, slot] of slotOf) bySlot[slot] = id;
      slotsFor = basis.townships;
    }
    if (copiesFor !== basis.tasks) {
      // A new county version (or none): the county may have been wiped and loaded again, and a
      // new ledger can reach the length of the one copied. Counties change a few times a month.
      copies.clear();
      copiesFor = basis.tasks;
    }
    const moved = new Set<string>();
    patch(written, moved);
    // The tasks the caller has just written and that cannot be patched are read with the lengths,
    // after them: most answers then take one round trip.
    const early = ids.filter((id) => {
      const latest = Math.max(-1, ...written.filter((report) => report.task === id).map((report) => report.ledgerLength));
      return (copies.get(id)?.ledgerLength ?? -1) < latest;
    });
    const pipeline = redis.pipeline();
    for (const id of ids) pipeline.xlen(keys.ledger(id));
    for (const id of early) queueCopy(pipeline, id);
    const replies = await run(pipeline);
    const lengths = new Map(ids.map((id, i) => [id, decode(CounterSchema, replies[i], keys.ledger(id))]));
    const lengthOf = (id: string): number => lengths.get(id) ?? 0;
    const changed = ids.filter((id) => copies.get(id)?.ledgerLength !== lengthOf(id));

    const fresh = new Map<string, TaskCopy>();
    for (const [i, id] of early.entries()) {
      if (changed.includes(id)) fresh.set(id, await copyOf(id, lengthOf(id), replies[ids.length + 2 * i], replies[ids.length + 2 * i + 1]));
    }
    const late = changed.filter((id) => !fresh.has(id));
    if (late.length > 0) {
      const more = await run(late.reduce(queueCopy, redis.pipeline()));
      for (const [i, id] of late.entries()) fresh.set(id, await copyOf(id, lengthOf(id), more[2 * i], more[2 * i + 1]));
    }

    const book = kept && sameBasis(kept.basis, basis) ? kept : undefined;
    for (const [id, copy] of fresh) {
      const before = copies.get(id);
      copies.set(id, copy);
      if (!book || !before) continue;
      const slotsSeen = Math.max(before.cells.length, copy.cells.length) / 2;
      for (let slot = 0; slot < slotsSeen; slot += 1) {
        const township = bySlot[slot];
        if (township !== undefined && standingChanged(before.cells, copy.cells, slot)) moved.add(township);
      }
      book.regrant(id, copy.grants);
    }
    if (book) {
      book.recount(moved);
      return book;
    }
    kept = rankingBook(basis, progress, deadlines());
    return kept;
  }

  // One bring at a time: a book is changed in place. A call that finds one waiting to start joins
  // it — it starts after the call, so it counts every write made before it.
  let tail: Promise<unknown> = Promise.resolve();
  let waiting: Waiting | undefined;

  return {
    book(basis, written = []) {
      if (waiting && sameBasis(waiting.basis, basis)) {
        waiting.written.push(...written);
        return waiting.book;
      }
      const next: Waiting = { basis, written: [...written], book: tail.then(() => started(next), () => started(next)) };
      waiting = next;
      tail = next.book;
      return next.book;
    },
  };

  async function started(which: Waiting): Promise<RankingBook> {
    if (waiting === which) waiting = undefined;
    try {
      return await bring(which.basis, which.written);
    } catch (error) {
      // A bring cut short may have changed some copies and not the book: start again from nothing.
      copies.clear();
      kept = undefined;
      slotsFor = undefined;
      copiesFor = undefined;
      throw error;
    }
  }
}

/** A bring asked for and not yet started. */
interface Waiting {
  basis: RankingBasis;
  /** Reports its callers recorded just before: patched in, or their tasks read with the ledgers' lengths. */
  written: WrittenReport[];
  book: Promise<RankingBook>;
}

/** The same county, day and calendar: the townships and tasks are the county store's kept lists. */
function sameBasis(a: RankingBasis, b: RankingBasis): boolean {
  return a.month === b.month && a.asOf === b.asOf && a.townships === b.townships && a.tasks === b.tasks && a.calendar === b.calendar;
}
