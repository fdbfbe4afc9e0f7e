/**
 * The Lua scripts of `scripts/*.lua`, registered on a client with `defineCommand` (ioredis sends
 * EVALSHA and falls back to EVAL once per connection), behind typed wrappers. Replies come back
 * as `unknown`: the stores parse them with `codec.ts`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis, RedisKey, Result } from 'ioredis';
import { packageRoot } from '../paths.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    dubanRecordReport(progress: RedisKey, ledger: RedisKey, seen: RedisKey, standings: RedisKey, deadlines: RedisKey, reviews: RedisKey, ...args: string[]): Result<unknown, Context>;
    dubanReverseReport(progress: RedisKey, ledger: RedisKey, seen: RedisKey, standings: RedisKey, reviews: RedisKey, ...args: string[]): Result<unknown, Context>;
    dubanSubmitReview(progress: RedisKey, reviews: RedisKey, ledger: RedisKey, ...args: string[]): Result<unknown, Context>;
    dubanApproveReview(reviews: RedisKey, ledger: RedisKey, seen: RedisKey, ...args: string[]): Result<unknown, Context>;
    dubanSetStandings(standings: RedisKey, ledger: RedisKey, former: RedisKey, ledgerLength: string, value: Buffer): Result<unknown, Context>;
    dubanAssignSlots(slots: RedisKey, ...townships: string[]): Result<unknown, Context>;
    dubanRaiseSeq(counter: RedisKey, least: string): Result<unknown, Context>;
    dubanMarkUndone(last: RedisKey, entry: string, marker: string): Result<unknown, Context>;
    dubanSwapField(hash: RedisKey, version: RedisKey, field: string, read: string, value: string, newVersion: string): Result<unknown, Context>;
    dubanSetCover(people: RedisKey, setInChat: RedisKey, version: RedisKey, township: string, newVersion: string, ...triples: string[]): Result<unknown, Context>;
    dubanReserveSlot(pacing: RedisKey, now: string, parts: string, spacing: string, keepMs: string): Result<unknown, Context>;
    dubanPauseLane(pacing: RedisKey, now: string, pause: string, keepMs: string): Result<unknown, Context>;
    dubanOpenRequest(requests: RedisKey, ledger: RedisKey, seen: RedisKey, ...args: string[]): Result<unknown, Context>;
    dubanDecideRequest(requests: RedisKey, ledger: RedisKey, deadlines: RedisKey, seen: RedisKey, ...args: string[]): Result<unknown, Context>;
    dubanSignOff(signOffs: RedisKey, ledger: RedisKey, seen: RedisKey, ...args: string[]): Result<unknown, Context>;
    dubanHoldLease(lease: RedisKey, owner: string, ms: string): Result<unknown, Context>;
    dubanReleaseLease(lease: RedisKey, owner: string): Result<unknown, Context>;
    dubanSpendBudget(budget: RedisKey, now: string, member: string, force: string, ...windows: string[]): Result<unknown, Context>;
    /** The number of keys first: one per state. */
    dubanQueueDepth(numberOfKeys: number, ...keysThenArgs: string[]): Result<unknown, Context>;
  }
}

/**
 * The scripts are read from `src/store/scripts/` under the package root, found by walking up to
 * `package.json`. tsc does not copy `.lua` files, and the same module runs from `src/store/`
 * (vitest) and from `dist/src/store/` (the build); the repository always ships `src/`, so one copy
 * of each script serves both, with no build step to forget and no Lua hidden in TS strings.
 */
function scriptsDir(): string {
  return join(packageRoot(import.meta.url), 'src', 'store', 'scripts');
}

const NAMES = ['record-report', 'reverse-report', 'set-standings', 'assign-slots', 'raise-seq', 'mark-undone', 'swap-field', 'reserve-slot', 'pause-lane', 'open-request', 'decide-request', 'submit-review', 'approve-review', 'set-cover', 'sign-off', 'hold-lease', 'release-lease', 'spend-budget', 'queue-depth'] as const;

let sources: Record<(typeof NAMES)[number], string> | undefined;

function lua(): NonNullable<typeof sources> {
  if (!sources) {
    const dir = scriptsDir();
    const read = (name: string): string => readFileSync(join(dir, `${name}.lua`), 'utf8');
    sources = Object.fromEntries(NAMES.map((name) => [name, read(name)])) as Record<(typeof NAMES)[number], string>;
  }
  return sources;
}

/** Who wrote a ledger entry, when, from which message, and how long its source stays marked. */
interface EntryOrigin {
  township: string;
  platform: string;
  user: string;
  name: string;
  at: string;
  source: string;
  seenSeconds: number;
  /** The township's standings slot (assign-slots.lua). */
  slot: number;
}

export interface RecordReportArgs extends EntryOrigin {
  amount: string;
  value: string;
  note: string;
  /** Reports by the same person saying the same thing since this instant are one report. */
  repeatSince: string;
  /** `at` in epoch milliseconds: what the standings hold of it. */
  atMs: number;
}

export interface ReverseReportArgs extends EntryOrigin {
  entry: string;
  /** `reversal` (撤回) or `returned` (退回), and the latter's reason. */
  kind: 'reversal' | 'returned';
  note: string;
}

/** A version key and the new version a script stamps on it with its change. */
export interface Stamp {
  key: string;
  next: string;
}

/** The keys of one task that the report scripts touch; all share the task's hash tag. */
export interface TaskKeys {
  progress: string;
  ledger: string;
  seen: string;
  standings: string;
  deadlines: string;
  reviews: string;
}

export interface Scripts {
  recordReport(keys: TaskKeys, args: RecordReportArgs): Promise<unknown>;
  reverseReport(keys: TaskKeys, args: ReverseReportArgs): Promise<unknown>;
  /** Stores a task's standings made from its progress hash, if its ledger still has the length read with the hash. */
  setStandings(keys: Pick<TaskKeys, 'standings' | 'ledger'> & { former: string }, ledgerLength: number, standings: Buffer): Promise<unknown>;
  assignSlots(slots: string, townships: readonly string[]): Promise<unknown>;
  raiseSeq(counter: string, least: number): Promise<unknown>;
  markUndone(last: string, entry: string, marker: string): Promise<unknown>;
  swapField(hash: string, version: Stamp, field: string, read: string, value: string): Promise<unknown>;
  /** `swaps`: each person's field, the value read and the new one. */
  setCover(people: string, setInChat: string, version: Stamp, township: string, swaps: readonly (readonly [string, string, string])[]): Promise<unknown>;
  reserveSlot(pacing: string, now: number, parts: number, spacingMs: number, keepMs: number): Promise<unknown>;
  pauseLane(pacing: string, now: number, pauseMs: number, keepMs: number): Promise<unknown>;
  openRequest(keys: RequestKeys, args: OpenRequestArgs): Promise<unknown>;
  submitReview(keys: Pick<TaskKeys, 'progress' | 'reviews' | 'ledger'>, township: string, report: string, review: string, fields: readonly string[]): Promise<unknown>;
  approveReview(keys: Pick<TaskKeys, 'reviews' | 'ledger' | 'seen'>, township: string, read: string, approved: string, seenSeconds: number, fields: readonly string[]): Promise<unknown>;
  decideRequest(keys: RequestKeys & { deadlines: string }, args: DecideRequestArgs): Promise<unknown>;
  signOff(keys: SignOffKeys, args: SignOffArgs): Promise<unknown>;
  holdLease(lease: string, owner: string, ms: number): Promise<unknown>;
  releaseLease(lease: string, owner: string): Promise<unknown>;
  /** `windows`: each window's length (ms) and how many it allows. */
  spendBudget(budget: string, now: number, member: string, force: boolean, windows: readonly { ms: number; max: number }[]): Promise<unknown>;
  /** `states`: each state's name and the key of its job ids; `jobKey`: what a job id is prefixed with to make its hash's key. */
  queueDepth(states: readonly { state: string; key: string }[], jobKey: string): Promise<unknown>;
}

/** The keys of one task that a 签收 touches; all share the task's hash tag. */
export interface SignOffKeys {
  signOffs: string;
  ledger: string;
  seen: string;
}

export interface SignOffArgs {
  township: string;
  signature: string;
  seenSeconds: number;
  /** The ledger entry, as stream fields. */
  fields: readonly string[];
}

/** The keys of one task that the request scripts touch; all share the task's hash tag. */
export interface RequestKeys {
  requests: string;
  ledger: string;
  seen: string;
}

export interface OpenRequestArgs {
  number: number;
  township: string;
  request: string;
  seenSeconds: number;
  /** The ledger entry, as stream fields. */
  fields: readonly string[];
}

export interface DecideRequestArgs {
  number: number;
  read: string;
  decided: string;
  township: string;
  /** The grant JSON for 同意; empty for 不同意. */
  grant: string;
  seenSeconds: number;
  fields: readonly string[];
}

/** Each store registers the scripts it runs; a client gets them once, whichever store comes first. */
const defined = new WeakMap<Redis, Scripts>();

export function defineScripts(redis: Redis): Scripts {
  let scripts = defined.get(redis);
  if (!scripts) {
    scripts = register(redis);
    defined.set(redis, scripts);
  }
  return scripts;
}

function register(redis: Redis): Scripts {
  const source = lua();
  redis.defineCommand('dubanRecordReport', { numberOfKeys: 6, lua: source['record-report'] });
  redis.defineCommand('dubanReverseReport', { numberOfKeys: 5, lua: source['reverse-report'] });
  redis.defineCommand('dubanSubmitReview', { numberOfKeys: 3, lua: source['submit-review'] });
  redis.defineCommand('dubanApproveReview', { numberOfKeys: 3, lua: source['approve-review'] });
  redis.defineCommand('dubanSetStandings', { numberOfKeys: 3, lua: source['set-standings'] });
  redis.defineCommand('dubanAssignSlots', { numberOfKeys: 1, lua: source['assign-slots'] });
  redis.defineCommand('dubanRaiseSeq', { numberOfKeys: 1, lua: source['raise-seq'] });
  redis.defineCommand('dubanMarkUndone', { numberOfKeys: 1, lua: source['mark-undone'] });
  redis.defineCommand('dubanSwapField', { numberOfKeys: 2, lua: source['swap-field'] });
  redis.defineCommand('dubanSetCover', { numberOfKeys: 3, lua: source['set-cover'] });
  redis.defineCommand('dubanReserveSlot', { numberOfKeys: 1, lua: source['reserve-slot'] });
  redis.defineCommand('dubanPauseLane', { numberOfKeys: 1, lua: source['pause-lane'] });
  redis.defineCommand('dubanOpenRequest', { numberOfKeys: 3, lua: source['open-request'] });
  redis.defineCommand('dubanDecideRequest', { numberOfKeys: 4, lua: source['decide-request'] });
  redis.defineCommand('dubanSignOff', { numberOfKeys: 3, lua: source['sign-off'] });
  redis.defineCommand('dubanHoldLease', { numberOfKeys: 1, lua: source['hold-lease'] });
  redis.defineCommand('dubanReleaseLease', { numberOfKeys: 1, lua: source['release-lease'] });
  redis.defineCommand('dubanSpendBudget', { numberOfKeys: 1, lua: source['spend-budget'] });
  redis.defineCommand('dubanQueueDepth', { lua: source['queue-depth'] });
  return {
    recordReport: (keys, a) =>
      redis.dubanRecordReport(
        keys.progress,
        keys.ledger,
        keys.seen,
        keys.standings,
        keys.deadlines,
        keys.reviews,
        a.township,
        a.amount,
        a.value,
        a.note,
        a.platform,
        a.user,
        a.name,
        a.at,
        a.source,
        String(a.seenSeconds),
        String(a.slot),
        a.repeatSince,
        String(a.atMs),
      ),
    reverseReport: (keys, a) =>
      redis.dubanReverseReport(
        keys.progress,
        keys.ledger,
        keys.seen,
        keys.standings,
        keys.reviews,
        a.township,
        a.entry,
        a.platform,
        a.user,
        a.name,
        a.at,
        a.source,
        String(a.seenSeconds),
        String(a.slot),
        a.kind,
        a.note,
      ),
    submitReview: (keys, township, report, review, fields) => redis.dubanSubmitReview(keys.progress, keys.reviews, keys.ledger, township, report, review, ...fields),
    approveReview: (keys, township, read, approved, seenSeconds, fields) => redis.dubanApproveReview(keys.reviews, keys.ledger, keys.seen, township, read, approved, String(seenSeconds), ...fields),
    setStandings: (keys, ledgerLength, standings) => redis.dubanSetStandings(keys.standings, keys.ledger, keys.former, String(ledgerLength), standings),
    assignSlots: (slots, townships) => redis.dubanAssignSlots(slots, ...townships),
    raiseSeq: (counter, least) => redis.dubanRaiseSeq(counter, String(least)),
    markUndone: (last, entry, marker) => redis.dubanMarkUndone(last, entry, marker),
    swapField: (hash, version, field, read, value) => redis.dubanSwapField(hash, version.key, field, read, value, version.next),
    setCover: (people, setInChat, version, township, swaps) => redis.dubanSetCover(people, setInChat, version.key, township, version.next, ...swaps.flat()),
    reserveSlot: (pacing, now, parts, spacingMs, keepMs) => redis.dubanReserveSlot(pacing, String(now), String(parts), String(spacingMs), String(keepMs)),
    pauseLane: (pacing, now, pauseMs, keepMs) => redis.dubanPauseLane(pacing, String(now), String(pauseMs), String(keepMs)),
    openRequest: (keys, a) => redis.dubanOpenRequest(keys.requests, keys.ledger, keys.seen, String(a.number), a.township, a.request, String(a.seenSeconds), ...a.fields),
    decideRequest: (keys, a) =>
      redis.dubanDecideRequest(keys.requests, keys.ledger, keys.deadlines, keys.seen, String(a.number), a.read, a.decided, a.township, a.grant, String(a.seenSeconds), ...a.fields),
    signOff: (keys, a) => redis.dubanSignOff(keys.signOffs, keys.ledger, keys.seen, a.township, a.signature, String(a.seenSeconds), ...a.fields),
    holdLease: (lease, owner, ms) => redis.dubanHoldLease(lease, owner, String(ms)),
    releaseLease: (lease, owner) => redis.dubanReleaseLease(lease, owner),
    spendBudget: (budget, now, member, force, windows) =>
      redis.dubanSpendBudget(budget, String(now), member, force ? '1' : '0', ...windows.flatMap((w) => [String(w.ms), String(w.max)])),
    queueDepth: (states, jobKey) => redis.dubanQueueDepth(states.length, ...states.map((s) => s.key), jobKey, ...states.map((s) => s.state)),
  };
}
