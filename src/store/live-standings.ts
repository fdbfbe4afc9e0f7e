/**
 * This month's ranking as a book (src/domain/ranking.ts) kept in the process: every report's answer
 * names the township's rank, and in a county of 2,000 townships a ranking computed afresh costs
 * hundreds of milliseconds, a recount of one township a few microseconds.
 *
 * What the book counts is copied task by task — the standings string and the granted deadlines —
 * and each copy is known by the length of the task's ledger when it was read. Every write of a
 * task's progress or deadlines (a report, a correction, a 撤回, a granted 延期) appends to its ledger
 * in the same script, and a ledger is never trimmed, so an unchanged length means an unchanged
 * task. Before each answer the ranking clock (ranking-clock.ts) says whether anything changed
 * since the last: when only this process's own reports did, they are patched in; otherwise one
 * pipeline of XLEN says which tasks changed, from any instance, and only those are read again —
 * while the county stays the same version; a new one is read whole. A ledger entry that changes
 * nothing the ranking reads (a review, a sign-off) costs a read and recounts nobody: the copies
 * are compared record by record.
 *
 * Cluster-safe (docs/design.md §4): the clock, the XLENs and the reads are single-key commands in a pipeline.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import { beginRankingBook, rankingBook, type Lookup, type ProgressTable, type RankingBasis, type RankingBook } from '../domain/ranking.js';
import type { Ymd } from '../domain/model.js';
import { CounterSchema, decode, decodeJson, GrantSchema } from './codec.js';
import type { Keys } from './keys.js';
import type { RankingClock } from './ranking-clock.js';
import { readInBatches, run, StringHash } from './redis-io.js';
import { cellsOf, rebuiltCells, standingChanged, standingsPerRead, type Slots } from './slots.js';
import type { WrittenReport } from './types.js';

export interface LiveStandings {
  /**
   * The book of `basis`, counting every change written before the call; given `written`, reports
   * the caller has just recorded, every change up to the latest of them (its clock tick) instead,
   * which a report's answer needs, and no read of the clock. Each is patched into its task's copy
   * when nothing else changed the task since the copy was read, and otherwise the task is read at
   * once with the ledgers' lengths.
   */
  book(basis: RankingBasis, written?: readonly WrittenReport[]): Promise<RankingBook>;
}

/** One task as last read. */
interface TaskCopy {
  ledgerLength: number;
  cells: Float64Array;
  grants: ReadonlyMap<string, Ymd>;
}

/** Every task's ledger length is read at least this often: a bump lost with its connection is made good within it. */
const SWEEP_EVERY_MS = 60_000;

export function createLiveStandings(redis: Redis, keys: Keys, slots: Slots, clock: RankingClock): LiveStandings {
  const copies = new Map<string, TaskCopy>();
  let slotOf: ReadonlyMap<string, number> = new Map();
  let bySlot: (string | undefined)[] = [];
  let slotsFor: RankingBasis['townships'] | undefined;
  let copiesFor: RankingBasis['tasks'] | undefined;
  let kept: RankingBook | undefined;
  /** The ranking clock's value every copy has caught up with (ranking-clock.ts); none: read every task. */
  let seen: number | undefined;
  /** When every task's ledger length was last read. */
  let sweptAt = 0;
  /** Tasks read again since the book last took their grants. */
  const regranted = new Set<string>();

  /** The copies as the book reads them: a copy is replaced, the table stays. */
  const progress: ProgressTable = {
    recordOf: (township) => slotOf.get(township),
    cells: (task) => copies.get(task)?.cells,
  };
  /** The copies' grants as the book reads them; none granted reads as no grants. */
  const deadlines: Lookup<ReadonlyMap<string, Ymd>> = {
    get: (task) => {
      const grants = copies.get(task)?.grants;
      return grants && grants.size > 0 ? grants : undefined;
    },
  };

  /**
   * Queues the reads of a task's copy: its ledger's length, its standings, its grants. A length read
   * before the data it goes with can only make the copy newer than its length says, which costs
   * one more read later, never a stale rank.
   */
  const queueRead = (pipeline: ChainableCommander, id: string): ChainableCommander => pipeline.xlen(keys.ledger(id)).getBuffer(keys.standings(id)).hgetall(keys.deadlines(id));
  /** The three replies queueRead asked for, from `at`. */
  const readAt = (replies: readonly unknown[], at: number, id: string): [number, unknown, unknown] => [decode(CounterSchema, replies[at], keys.ledger(id)), replies[at + 1], replies[at + 2]];

  /** A task's copy from what queueRead asked for. */
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

  /** `upTo`: the clock's value the caller's own writes set, when it needs no later one (no read of the clock). */
  async function bring(basis: RankingBasis, written: readonly WrittenReport[], upTo: number | undefined): Promise<RankingBook> {
    const ids = basis.tasks.map((t) => t.id);
    if (copiesFor !== basis.tasks) {
      // A new county version (or none): the county may have been wiped and loaded again, and a
      // new ledger can reach the length of the one copied. Counties change a few times a month.
      copies.clear();
      copiesFor = basis.tasks;
      seen = undefined;
    }
    if (copies.size === 0 && ids.length > 0) return readWhole(basis);
    const moved = new Set<string>();
    patch(written, moved);
    // The clock, and the tasks the caller has just written that could not be patched, read with
    // their ledgers' lengths: most answers take this one round trip. A report's answer whose own
    // reports were all patched in knows the clock from its bump: no round trip.
    const early = behind(ids, written);
    // Slots never change once given; a new township list may bring new ones.
    const newSlots = slotsFor !== basis.townships;
    const told = upTo !== undefined && early.length === 0 && !newSlots && seen !== undefined ? upTo : undefined;
    const read = (): Promise<unknown[]> => run(early.reduce(queueRead, redis.pipeline().get(clock.key)));
    const [replies, slotsRead] = await Promise.all([told === undefined ? read() : [], newSlots ? slots.read() : undefined]);
    if (slotsRead) takeSlots(slotsRead, basis);
    const tick = told ?? clock.decode(replies[0]);
    const fresh = new Map<string, TaskCopy>();
    for (const [i, id] of early.entries()) fresh.set(id, await copyOf(id, ...readAt(replies, 1 + 3 * i, id)));

    // Ticks since the last answer that were all this process's own reports: patch them in. Any
    // other (another instance, a 撤回, a 延期, a clock gone back with a restore), or a minute
    // since every task was looked at: every task's ledger length says which changed. A tick told
    // by the caller at or before the last answer's is counted already: answers run one at a time,
    // and a report's bump can come back after a later one's.
    const sweepDue = Date.now() - sweptAt >= SWEEP_EVERY_MS;
    const counted = told !== undefined && seen !== undefined && told <= seen && !sweepDue;
    const mine = counted ? [] : seen !== undefined && tick >= seen && !sweepDue ? clock.ownBetween(seen, tick) : undefined;
    for (const [id, copy] of fresh) adopt(id, copy, moved);
    let late: string[];
    if (mine) {
      const reports = mine.flatMap((change) => (change.report ? [change.report] : []));
      patch(reports, moved);
      // A change with no report to patch (a 撤回, a 延期, a report not yet handed over): its task is read.
      const unpatched = new Set(mine.filter((change) => !change.report).map((change) => change.task));
      late = [...new Set([...behind(ids, reports), ...ids.filter((id) => unpatched.has(id) && !fresh.has(id))])];
    } else {
      // A task just read came with its length.
      const unread = ids.filter((id) => !fresh.has(id));
      const pipeline = redis.pipeline();
      for (const id of unread) pipeline.xlen(keys.ledger(id));
      const lengths = unread.length === 0 ? [] : await run(pipeline);
      sweptAt = Date.now();
      late = unread.filter((id, i) => copies.get(id)?.ledgerLength !== decode(CounterSchema, lengths[i], keys.ledger(id)));
    }
    if (late.length > 0) {
      await readTasks(late, (id, copy) => {
        adopt(id, copy, moved);
      });
    }
    seen = told !== undefined && seen !== undefined ? Math.max(seen, told) : tick;

    const book = kept && sameBasis(kept.basis, basis) ? kept : undefined;
    if (book) {
      for (const id of regranted) book.regrant(id, copies.get(id)?.grants ?? new Map());
      regranted.clear();
      book.recount(moved);
      return book;
    }
    regranted.clear();
    kept = rankingBook(basis, progress, deadlines);
    return kept;
  }

  /**
   * A first answer, or a new county: the clock and any new township slots, then every task, each
   * counted as its batch arrives, in the tasks' order — in a county of 20,000 townships the tally
   * runs while the later standings are still on the wire.
   */
  async function readWhole(basis: RankingBasis): Promise<RankingBook> {
    // The clock before the tasks: a change after it is in the copies, or counted again next time.
    const [tick, slotsRead] = await Promise.all([redis.get(clock.key), slotsFor !== basis.townships ? slots.read() : undefined]);
    if (slotsRead) takeSlots(slotsRead, basis);
    const underway = beginRankingBook(basis, progress, deadlines);
    await readTasks(basis.tasks.map((task) => task.id), (id, copy) => {
      copies.set(id, copy);
      underway.taken(id);
    });
    seen = clock.decode(tick);
    sweptAt = Date.now();
    regranted.clear();
    kept = underway.book();
    return kept;
  }

  /** Tasks' copies read in batches (redis-io.ts readInBatches), each handed over in order as it arrives. */
  async function readTasks(ids: readonly string[], took: (id: string, copy: TaskCopy) => void): Promise<void> {
    await readInBatches(redis, ids, standingsPerRead(slotOf.size), queueRead, async (replies, batch) => {
      for (const [i, id] of batch.entries()) took(id, await copyOf(id, ...readAt(replies, 3 * i, id)));
    });
  }

  function takeSlots(read: ReadonlyMap<string, number>, basis: RankingBasis): void {
    slotOf = read;
    bySlot = [];
    for (const [id, slot] of slotOf) bySlot[slot] = id;
    slotsFor = basis.townships;
  }

  /** The tasks of `reports` whose copy is older than a report: they are read again. */
  function behind(ids: readonly string[], reports: readonly WrittenReport[]): string[] {
    const latest = new Map<string, number>();
    for (const report of reports) latest.set(report.task, Math.max(latest.get(report.task) ?? -1, report.ledgerLength));
    return ids.filter((id) => (copies.get(id)?.ledgerLength ?? -1) < (latest.get(id) ?? -1));
  }

  /** A task's copy read again: the townships whose standing differs from the copy before have moved. */
  function adopt(id: string, copy: TaskCopy, moved: Set<string>): void {
    const before = copies.get(id);
    copies.set(id, copy);
    regranted.add(id);
    if (!before) return;
    const slotsSeen = Math.max(before.cells.length, copy.cells.length) / 2;
    for (let slot = 0; slot < slotsSeen; slot += 1) {
      const township = bySlot[slot];
      if (township !== undefined && standingChanged(before.cells, copy.cells, slot)) moved.add(township);
    }
  }

  // One bring at a time: a book is changed in place. A call that finds one waiting to start joins
  // it — it starts after the call, so it counts every write made before it.
  let tail: Promise<unknown> = Promise.resolve();
  let waiting: Waiting | undefined;

  return {
    book(basis, written = []) {
      // A caller with no report of its own needs the clock read: every joined caller gets it.
      const upTo = written.length === 0 ? undefined : Math.max(...written.map((report) => report.tick));
      if (waiting && sameBasis(waiting.basis, basis)) {
        waiting.written.push(...written);
        waiting.upTo = waiting.upTo === undefined || upTo === undefined ? undefined : Math.max(waiting.upTo, upTo);
        return waiting.book;
      }
      const next: Waiting = { basis, written: [...written], upTo, book: tail.then(() => started(next), () => started(next)) };
      waiting = next;
      tail = next.book;
      return next.book;
    },
  };

  async function started(which: Waiting): Promise<RankingBook> {
    if (waiting === which) waiting = undefined;
    try {
      return await bring(which.basis, which.written, which.upTo);
    } catch (error) {
      // A bring cut short may have changed some copies and not the book: start again from nothing.
      copies.clear();
      kept = undefined;
      slotsFor = undefined;
      copiesFor = undefined;
      seen = undefined;
      throw error;
    }
  }
}

/** A bring asked for and not yet started. */
interface Waiting {
  basis: RankingBasis;
  /** Reports its callers recorded just before: patched in, or their tasks read with the ledgers' lengths. */
  written: WrittenReport[];
  /** The clock's value up to which the callers need changes counted; undefined: as it stands now (read it). */
  upTo: number | undefined;
  book: Promise<RankingBook>;
}

/** The same county, day and calendar: the townships and tasks are the county store's kept lists. */
function sameBasis(a: RankingBasis, b: RankingBasis): boolean {
  return a.month === b.month && a.asOf === b.asOf && a.townships === b.townships && a.tasks === b.tasks && a.calendar === b.calendar;
}
