/**
 * The Lua scripts of `scripts/*.lua`, run by EVALSHA behind typed wrappers; a Redis that does not
 * hold a script yet (new, restarted, a promoted replica, SCRIPT FLUSH) answers NOSCRIPT, and the
 * call is repeated as EVAL, which caches it there (https://redis.io/docs/latest/commands/evalsha/).
 * Not ioredis's `defineCommand`: ioredis copies every defined command onto each pipeline it makes,
 * and with auto-pipelining (on then) that was one per batch of commands — per message, under load —
 * so the copies of 19 scripts were the largest single source of what a report left in the old
 * generation.
 * Replies come back as `unknown`: the stores parse them with `codec.ts`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { packageRoot } from '../paths.js';

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

type ScriptName = (typeof NAMES)[number];

/** Runs one script: the number of its keys, its keys, then its arguments. */
type Run = (numberOfKeys: number, ...keysThenArgs: (string | Buffer)[]) => Promise<unknown>;

function runner(redis: Redis, name: ScriptName): Run {
  const source = lua()[name];
  const sha = createHash('sha1').update(source).digest('hex');
  return (numberOfKeys, ...keysThenArgs) =>
    redis.evalsha(sha, numberOfKeys, ...keysThenArgs).catch((error: unknown) => {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) return redis.eval(source, numberOfKeys, ...keysThenArgs);
      throw error;
    });
}

function register(redis: Redis): Scripts {
  /** A script that always takes `numberOfKeys` keys. */
  const script = (name: ScriptName, numberOfKeys: number): ((...keysThenArgs: (string | Buffer)[]) => Promise<unknown>) => {
    const run = runner(redis, name);
    return (...keysThenArgs) => run(numberOfKeys, ...keysThenArgs);
  };
  const recordReport = script('record-report', 6);
  const reverseReport = script('reverse-report', 5);
  const submitReview = script('submit-review', 3);
  const approveReview = script('approve-review', 3);
  const setStandings = script('set-standings', 3);
  const assignSlots = script('assign-slots', 1);
  const raiseSeq = script('raise-seq', 1);
  const markUndone = script('mark-undone', 1);
  const swapField = script('swap-field', 2);
  const setCover = script('set-cover', 3);
  const reserveSlot = script('reserve-slot', 1);
  const pauseLane = script('pause-lane', 1);
  const openRequest = script('open-request', 3);
  const decideRequest = script('decide-request', 4);
  const signOff = script('sign-off', 3);
  const holdLease = script('hold-lease', 1);
  const releaseLease = script('release-lease', 1);
  const spendBudget = script('spend-budget', 1);
  const queueDepth = runner(redis, 'queue-depth');
  return {
    recordReport: (keys, a) =>
      recordReport(
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
      reverseReport(
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
    submitReview: (keys, township, report, review, fields) => submitReview(keys.progress, keys.reviews, keys.ledger, township, report, review, ...fields),
    approveReview: (keys, township, read, approved, seenSeconds, fields) => approveReview(keys.reviews, keys.ledger, keys.seen, township, read, approved, String(seenSeconds), ...fields),
    setStandings: (keys, ledgerLength, standings) => setStandings(keys.standings, keys.ledger, keys.former, String(ledgerLength), standings),
    assignSlots: (slots, townships) => assignSlots(slots, ...townships),
    raiseSeq: (counter, least) => raiseSeq(counter, String(least)),
    markUndone: (last, entry, marker) => markUndone(last, entry, marker),
    swapField: (hash, version, field, read, value) => swapField(hash, version.key, field, read, value, version.next),
    setCover: (people, setInChat, version, township, swaps) => setCover(people, setInChat, version.key, township, version.next, ...swaps.flat()),
    reserveSlot: (pacing, now, parts, spacingMs, keepMs) => reserveSlot(pacing, String(now), String(parts), String(spacingMs), String(keepMs)),
    pauseLane: (pacing, now, pauseMs, keepMs) => pauseLane(pacing, String(now), String(pauseMs), String(keepMs)),
    openRequest: (keys, a) => openRequest(keys.requests, keys.ledger, keys.seen, String(a.number), a.township, a.request, String(a.seenSeconds), ...a.fields),
    decideRequest: (keys, a) => decideRequest(keys.requests, keys.ledger, keys.deadlines, keys.seen, String(a.number), a.read, a.decided, a.township, a.grant, String(a.seenSeconds), ...a.fields),
    signOff: (keys, a) => signOff(keys.signOffs, keys.ledger, keys.seen, a.township, a.signature, String(a.seenSeconds), ...a.fields),
    holdLease: (lease, owner, ms) => holdLease(lease, owner, String(ms)),
    releaseLease: (lease, owner) => releaseLease(lease, owner),
    spendBudget: (budget, now, member, force, windows) => spendBudget(budget, String(now), member, force ? '1' : '0', ...windows.flatMap((w) => [String(w.ms), String(w.max)])),
    queueDepth: (states, jobKey) => queueDepth(states.length, ...states.map((s) => s.key), jobKey, ...states.map((s) => s.state)),
  };
}
