/**
 * The Lua scripts of `scripts/*.lua`, registered on a client with `defineCommand` (ioredis sends
 * EVALSHA and falls back to EVAL once per connection), behind typed wrappers. Replies come back
 * as `unknown`: the store parses them with `codec.ts`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis, RedisKey, Result } from 'ioredis';
import { packageRoot } from '../paths.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    dubanRecordReport(progress: RedisKey, ledger: RedisKey, seen: RedisKey, ...args: string[]): Result<unknown, Context>;
    dubanReverseReport(progress: RedisKey, ledger: RedisKey, seen: RedisKey, ...args: string[]): Result<unknown, Context>;
    dubanRaiseSeq(counter: RedisKey, least: string): Result<unknown, Context>;
    dubanForgetLast(last: RedisKey, entry: string): Result<unknown, Context>;
    dubanReserveSlot(pacing: RedisKey, now: string, parts: string, spacing: string, keepMs: string): Result<unknown, Context>;
    dubanPauseRobot(pacing: RedisKey, now: string, pause: string, keepMs: string): Result<unknown, Context>;
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

let sources: { recordReport: string; reverseReport: string; raiseSeq: string; forgetLast: string; reserveSlot: string; pauseRobot: string } | undefined;

function lua(): NonNullable<typeof sources> {
  if (!sources) {
    const dir = scriptsDir();
    const read = (name: string): string => readFileSync(join(dir, `${name}.lua`), 'utf8');
    sources = {
      recordReport: read('record-report'),
      reverseReport: read('reverse-report'),
      raiseSeq: read('raise-seq'),
      forgetLast: read('forget-last'),
      reserveSlot: read('reserve-slot'),
      pauseRobot: read('pause-robot'),
    };
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
}

export interface RecordReportArgs extends EntryOrigin {
  amount: string;
  value: string;
  note: string;
}

export interface ReverseReportArgs extends EntryOrigin {
  entry: string;
}

/** The keys of one task that the report scripts touch; all share the task's hash tag. */
export interface TaskKeys {
  progress: string;
  ledger: string;
  seen: string;
}

export interface Scripts {
  recordReport(keys: TaskKeys, args: RecordReportArgs): Promise<unknown>;
  reverseReport(keys: TaskKeys, args: ReverseReportArgs): Promise<unknown>;
  raiseSeq(counter: string, least: number): Promise<unknown>;
  forgetLast(last: string, entry: string): Promise<unknown>;
  reserveSlot(pacing: string, now: number, parts: number, spacingMs: number, keepMs: number): Promise<unknown>;
  pauseRobot(pacing: string, now: number, pauseMs: number, keepMs: number): Promise<unknown>;
}

export function defineScripts(redis: Redis): Scripts {
  const source = lua();
  redis.defineCommand('dubanRecordReport', { numberOfKeys: 3, lua: source.recordReport });
  redis.defineCommand('dubanReverseReport', { numberOfKeys: 3, lua: source.reverseReport });
  redis.defineCommand('dubanRaiseSeq', { numberOfKeys: 1, lua: source.raiseSeq });
  redis.defineCommand('dubanForgetLast', { numberOfKeys: 1, lua: source.forgetLast });
  redis.defineCommand('dubanReserveSlot', { numberOfKeys: 1, lua: source.reserveSlot });
  redis.defineCommand('dubanPauseRobot', { numberOfKeys: 1, lua: source.pauseRobot });
  return {
    recordReport: (keys, a) =>
      redis.dubanRecordReport(
        keys.progress,
        keys.ledger,
        keys.seen,
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
      ),
    reverseReport: (keys, a) =>
      redis.dubanReverseReport(
        keys.progress,
        keys.ledger,
        keys.seen,
        a.township,
        a.entry,
        a.platform,
        a.user,
        a.name,
        a.at,
        a.source,
        String(a.seenSeconds),
      ),
    raiseSeq: (counter, least) => redis.dubanRaiseSeq(counter, String(least)),
    forgetLast: (last, entry) => redis.dubanForgetLast(last, entry),
    reserveSlot: (pacing, now, parts, spacingMs, keepMs) => redis.dubanReserveSlot(pacing, String(now), String(parts), String(spacingMs), String(keepMs)),
    pauseRobot: (pacing, now, pauseMs, keepMs) => redis.dubanPauseRobot(pacing, String(now), String(pauseMs), String(keepMs)),
  };
}
