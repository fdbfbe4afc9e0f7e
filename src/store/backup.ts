/**
 * A county's whole state out of Redis and back (docs/backup.md): every key under the store's
 * prefix, sorted into the families `keys.ts` builds. The families that are state go into the
 * file; the ones that are caches, coordination between running instances or BullMQ's own
 * bookkeeping stay out, each for the reason written beside it below.
 *
 * Read and written a hash-tag group at a time (docs/design.md §4): a task's keys (its progress,
 * ledger, standings, requests… under `{t:<id>}`) in one MULTI, so a report written while the
 * backup runs is in the file whole or not at all, and the setup-file keys (`{county}`) likewise.
 * Keys without a tag stand alone and are each read atomically. The same groups are written back
 * in one MULTI each, the county's last: a restore cut off half-way leaves a store with no county
 * in it, which the bot answers as "no county loaded", never as a county with half its tasks.
 */
import { randomUUID } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';
import { z } from 'zod';
import type { ChatPlatform, Ym } from '../domain/model.js';
import { BACKUP_FORMAT, BACKUP_VERSION, fromBytes, toBytes, type BackupEntry, type BackupFile, type Bytes } from './backup-format.js';
import type { Keys } from './keys.js';
import { run } from './redis-io.js';

/** Stands for any text in a key built to find its family. */
const ANY = '\u0000';

export interface KeyFamily {
  /** The `Keys` method that builds it. */
  name: keyof Keys;
  kept: boolean;
  /** A key of the family with `ANY` for each argument. */
  build: (keys: Keys) => string;
}

const any = ANY;
const anyPlatform = ANY as ChatPlatform;
const anyMonth = ANY as Ym;

/**
 * Every key family of keys.ts, kept or not. A unit test holds this list to `createKeys`: a family
 * added there must be decided here. What is left out is listed, with why, in docs/backup.md.
 */
export const KEY_FAMILIES: readonly KeyFamily[] = [
  // The setup file's county, and what chat and the ledgers have added to it.
  { name: 'county', kept: true, build: (k) => k.county() },
  { name: 'townships', kept: true, build: (k) => k.townships() },
  { name: 'groups', kept: true, build: (k) => k.groups() },
  { name: 'people', kept: true, build: (k) => k.people() },
  { name: 'tasks', kept: true, build: (k) => k.tasks() },
  // Not kept: restore stamps a new version, so every running process reads the restored county afresh.
  { name: 'countyVersion', kept: false, build: (k) => k.countyVersion() },
  // Not kept: a process that finds it gone back (or gone) reads every task again.
  { name: 'rankingClock', kept: false, build: (k) => k.rankingClock() },
  { name: 'taskSeq', kept: true, build: (k) => k.taskSeq() },
  { name: 'requestSeq', kept: true, build: (k) => k.requestSeq() },
  { name: 'requestIndex', kept: true, build: (k) => k.requestIndex() },
  { name: 'townshipSlots', kept: true, build: (k) => k.townshipSlots() },
  { name: 'closedInFile', kept: true, build: (k) => k.closedInFile() },
  { name: 'coverSetInChat', kept: true, build: (k) => k.coverSetInChat() },
  { name: 'leaves', kept: true, build: (k) => k.leaves() },
  { name: 'peopleLedger', kept: true, build: (k) => k.peopleLedger() },
  // 撤回 of the last report keeps working across a move, until the marker's own day is out.
  { name: 'lastReport', kept: true, build: (k) => k.lastReport(anyPlatform, any) },
  { name: 'ranking', kept: true, build: (k) => k.ranking(anyMonth) },
  // Answers kept for a platform's redelivery of one message (minutes); the pictures are large.
  { name: 'reply', kept: false, build: (k) => k.reply(any) },
  { name: 'replyPicture', kept: false, build: (k) => k.replyPicture(any) },
  { name: 'callbackReply', kept: false, build: (k) => k.callbackReply(anyPlatform, any) },
  { name: 'callbackClaim', kept: false, build: (k) => k.callbackClaim(anyPlatform, any) },
  // Pacing of the last minute, lines of queued posts, and BullMQ's queue: see docs/backup.md.
  { name: 'lanePacing', kept: false, build: (k) => k.lanePacing(any) },
  { name: 'deadLetters', kept: true, build: (k) => k.deadLetters() },
  { name: 'queuePrefix', kept: false, build: (k) => `${k.queuePrefix()}:${any}` },
  { name: 'laneQueue', kept: false, build: (k) => k.laneQueue(any) },
  // Kept: without them a restored store would catch up the slots still in their grace and post them again.
  { name: 'runMarker', kept: true, build: (k) => k.runMarker(any) },
  { name: 'runDone', kept: true, build: (k) => k.runDone(any) },
  // Points into BullMQ's queue, which is not kept.
  { name: 'coveredBy', kept: false, build: (k) => k.coveredBy(any) },
  // A cache of drawn charts; drawn again when asked.
  { name: 'image', kept: false, build: (k) => k.image(any) },
  // The dashboard's signing key: its sessions and links outlive a move.
  { name: 'secret', kept: true, build: (k) => k.secret(any) },
  // Platform tokens, cached: fetched again, and a secret less in the file.
  { name: 'credential', kept: false, build: (k) => k.credential(any) },
  // Between running instances, for seconds: the instances of the old store are gone.
  { name: 'lease', kept: false, build: (k) => k.lease(any) },
  { name: 'handedOver', kept: false, build: (k) => k.handedOver(any) },
  { name: 'handedOverAnswer', kept: false, build: (k) => k.handedOverAnswer(any) },
  { name: 'budget', kept: false, build: (k) => k.budget(any) },
  { name: 'socketRefused', kept: false, build: (k) => k.socketRefused(any) },
  { name: 'mediaId', kept: false, build: (k) => k.mediaId(anyPlatform, any) },
  // A task's state.
  { name: 'progress', kept: true, build: (k) => k.progress(any) },
  { name: 'ledger', kept: true, build: (k) => k.ledger(any) },
  { name: 'standings', kept: true, build: (k) => k.standings(any) },
  // Earlier versions' 40-byte standings: nothing reads them; a missing `standings` is made from progress.
  { name: 'formerStandings', kept: false, build: (k) => k.formerStandings(any) },
  { name: 'requests', kept: true, build: (k) => k.requests(any) },
  { name: 'reviews', kept: true, build: (k) => k.reviews(any) },
  { name: 'deadlines', kept: true, build: (k) => k.deadlines(any) },
  // The ledger's own dedupe: a message redelivered after a move is still recorded once.
  { name: 'seen', kept: true, build: (k) => k.seen(any, any) },
  { name: 'signOffs', kept: true, build: (k) => k.signOffs(any) },
];

/** The family a key belongs to; undefined for a key keys.ts does not build (kept, as found). */
export function familyMatcher(keys: Keys): (key: string) => KeyFamily | undefined {
  const patterns = KEY_FAMILIES.map((family) => {
    const source = family
      .build(keys)
      .split(ANY)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.+');
    return { family, pattern: new RegExp(`^${source}$`, 's') };
  });
  return (key) => patterns.find(({ pattern }) => pattern.test(key))?.family;
}

/** Redis Cluster's hash tag: the text between the first `{` and the next `}`, when not empty. */
export function hashTag(key: string): string | undefined {
  const open = key.indexOf('{');
  if (open < 0) return undefined;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : undefined;
}

export interface BackupRead {
  file: BackupFile;
  /** Keys left out by their family. */
  skipped: number;
  /** Keys of no family keys.ts builds, kept as they are. */
  unknown: number;
}

export interface Occupant {
  keys: number;
  /** A few of them, without the prefix. */
  examples: string[];
  /** The county loaded there, if one is. */
  county: string | undefined;
}

export interface RestoreOutcome {
  written: number;
  /** Keys whose expiry passed between backup and restore: not written. */
  expired: number;
}

/** Why a write failed: a MULTI refused as a whole (EXECABORT) carries the errors that refused it (ioredis's `previousErrors`). */
function reasonOf(error: unknown): string {
  const aborted = z.object({ previousErrors: z.array(z.instanceof(Error)).min(1) }).safeParse(error);
  if (aborted.success) return aborted.data.previousErrors.map((e) => e.message).join('; ');
  return error instanceof Error ? error.message : String(error);
}

/** A restore stopped by an error part-way: what was written so far stays. */
export class RestoreInterruptedError extends Error {
  readonly written: number;
  readonly total: number;
  /** The first key (without the prefix) of the group whose write failed. */
  readonly at: string;
  readonly reason: string;

  constructor(written: number, total: number, at: string, cause: unknown) {
    const reason = reasonOf(cause);
    super(`restore interrupted at ${at} after ${String(written)} of ${String(total)} keys: ${reason}`, { cause });
    this.name = 'RestoreInterruptedError';
    this.written = written;
    this.total = total;
    this.at = at;
    this.reason = reason;
  }
}

export interface BackupStore {
  /** Every key kept, read group by group. `now`: Redis's clock in ms (unset: asked of Redis). */
  read(now?: () => number): Promise<BackupRead>;
  /** What is under the prefix already; undefined when nothing is. */
  occupant(): Promise<Occupant | undefined>;
  /** Deletes every key under the prefix; the number deleted. */
  clear(): Promise<number>;
  /** Writes the file's keys, into a store the caller has made sure is empty; what expired by `now` (Redis's clock; unset: asked of Redis) is left out. */
  write(file: BackupFile, now?: number): Promise<RestoreOutcome>;
}

/** Keys without a tag read or written in one round trip. */
const CHUNK = 256;
/** Members, fields or list items one command carries: a spread of a million arguments would overflow the stack. */
const ARGS = 1000;
const EXAMPLES = 5;
/** A key whose type changes between TYPE and its read is read again; past this, the backup gives up. */
const ATTEMPTS = 3;

const Buf = z.instanceof(Buffer);
const Flat = z.array(Buf);
const XRange = z.array(z.tuple([Buf, Flat]));
const Int = z.number().int();

const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

/** A flat reply `[a1, b1, a2, b2, …]` (HGETALL, ZRANGE WITHSCORES, a stream entry's fields) as pairs. */
const twos = (flat: readonly Buffer[]): [Buffer, Buffer][] => chunks(flat, 2).flatMap(([a, b]): [Buffer, Buffer][] => (a && b ? [[a, b]] : []));
const byBytes = (a: Buffer, b: Buffer): number => Buffer.compare(a, b);
const pairs = (flat: readonly Buffer[]): [Bytes, Bytes][] => twos(flat).map(([a, b]) => [toBytes(a), toBytes(b)]);

/** The replies of a pipeline or MULTI as they came, errors in place. */
async function replies(chain: ChainableCommander): Promise<[Error | null, unknown][]> {
  const result = await chain.exec();
  if (result === null) throw new Error('Redis transaction was aborted');
  return result;
}

export function createBackupStore(redis: Redis, keys: Keys): BackupStore {
  const cut = keys.prefix.length + 1;
  const relative = (key: string): string => key.slice(cut);
  const absolute = (key: string): string => `${keys.prefix}:${key}`;
  const familyOf = familyMatcher(keys);
  const countyKey = relative(keys.county());

  async function scanAll(): Promise<string[]> {
    const found = new Set<string>();
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', keys.all(), 'COUNT', 1000);
      for (const key of batch) found.add(key);
      cursor = next;
    } while (cursor !== '0');
    return [...found].sort();
  }

  /** Queues the reads of one key of `type`. */
  function queueRead(chain: ChainableCommander, key: string, type: string): void {
    switch (type) {
      case 'string':
        chain.callBuffer('GET', key);
        break;
      case 'hash':
        chain.callBuffer('HGETALL', key);
        break;
      case 'list':
        chain.callBuffer('LRANGE', key, 0, -1);
        break;
      case 'set':
        chain.callBuffer('SMEMBERS', key);
        break;
      case 'zset':
        chain.callBuffer('ZRANGE', key, 0, -1, 'WITHSCORES');
        break;
      case 'stream':
        chain.callBuffer('XRANGE', key, '-', '+');
        chain.call('XINFO', 'STREAM', key);
        break;
      default:
        throw new Error(`${key}: Redis type ${type} cannot be backed up`);
    }
  }

  /**
   * Redis 7's PEXPIRETIME gives a key's expiry as an instant, to the millisecond; an older Redis
   * has only PTTL, which read beside our own clock is off by the time the reply takes to come.
   */
  async function expiryIsExact(): Promise<boolean> {
    try {
      await redis.pexpiretime(keys.county());
      return true;
    } catch {
      return false;
    }
  }

  /** One key's entry from its replies; undefined when it was gone. `expiry`: PEXPIRETIME's reply when `exact`, else PTTL's. */
  function entryOf(key: string, type: string, expiry: number, exact: boolean, values: unknown[], now: number): BackupEntry | undefined {
    if (expiry === -2) return undefined;
    // Written in this order in the file: key, type, expiry, then the value, however long.
    const k = relative(key);
    const expires = expiry >= 0 ? { expiresAt: new Date(exact ? expiry : now + expiry).toISOString() } : {};
    const [value, info] = values;
    switch (type) {
      case 'string':
        return { key: k, type, ...expires, value: toBytes(Buf.parse(value)) };
      case 'hash':
        // A hash has no order either: its fields sorted, for the same reason.
        return { key: k, type, ...expires, value: pairs(twos(Flat.parse(value)).sort(([a], [b]) => byBytes(a, b)).flat()) };
      case 'list':
        return { key: k, type, ...expires, value: Flat.parse(value).map(toBytes) };
      case 'set':
        // SMEMBERS has no order of its own: sorted, two backups of one set read the same.
        return { key: k, type, ...expires, value: Flat.parse(value).sort(byBytes).map(toBytes) };
      case 'zset':
        return { key: k, type, ...expires, value: twos(Flat.parse(value)).map(([member, score]) => [toBytes(member), score.toString('utf8')]) };
      case 'stream': {
        const flat = z.array(z.unknown()).parse(info);
        const lastId = z.string().parse(flat[flat.indexOf('last-generated-id') + 1]);
        const entries = XRange.parse(value).map(([id, fields]) => ({ id: id.toString('utf8'), fields: pairs(fields) }));
        return { key: k, type, ...expires, value: { lastId, entries } };
      }
      default:
        throw new Error(`${key}: Redis type ${type} cannot be backed up`);
    }
  }

  /** Reads `group`'s keys; in one MULTI when `atomic`. */
  async function readGroup(group: readonly string[], atomic: boolean, exact: boolean, now: () => number): Promise<BackupEntry[]> {
    for (let attempt = 1; ; attempt += 1) {
      const typing = redis.pipeline();
      for (const key of group) typing.type(key);
      const types = (await run(typing)).map((type) => z.string().parse(type));
      const present = group.flatMap((key, i) => {
        const type = types[i] ?? 'none';
        return type === 'none' ? [] : [{ key, type }];
      });
      if (present.length === 0) return [];
      const chain = atomic ? redis.multi() : redis.pipeline();
      for (const { key, type } of present) {
        chain.type(key);
        if (exact) chain.pexpiretime(key);
        else chain.pttl(key);
        queueRead(chain, key, type);
      }
      const at = now();
      const results = await replies(chain);
      const entries: BackupEntry[] = [];
      let changed = false;
      let i = 0;
      for (const { key, type } of present) {
        const width = type === 'stream' ? 4 : 3;
        const slice = results.slice(i, i + width);
        i += width;
        const [[typeError, typeNow] = [null, undefined], [ttlError, ttl] = [null, undefined], ...reads] = slice;
        // A key deleted or written anew with another type since TYPE: the group is read again.
        if (typeError || typeNow !== type || reads.some(([error]) => error !== null)) {
          changed = true;
          break;
        }
        if (ttlError) throw ttlError;
        const entry = entryOf(key, type, Int.parse(ttl), exact, reads.map(([, value]) => value), at);
        if (entry) entries.push(entry);
      }
      if (!changed) return entries;
      if (attempt >= ATTEMPTS) throw new Error(`keys changed type while being read: ${group.join(', ')}`);
    }
  }

  /** Keys grouped as they are read and written: untagged ones in chunks, each tag whole, the county's last. */
  function groupsOf<T>(items: readonly T[], keyOf: (item: T) => string): { items: T[]; atomic: boolean }[] {
    const untagged: T[] = [];
    const tagged = new Map<string, T[]>();
    for (const item of items) {
      const tag = hashTag(keyOf(item));
      if (tag === undefined) untagged.push(item);
      else tagged.set(tag, [...(tagged.get(tag) ?? []), item]);
    }
    const countyTag = hashTag(keys.county());
    const county = countyTag === undefined ? undefined : tagged.get(countyTag);
    if (countyTag !== undefined) tagged.delete(countyTag);
    return [
      ...chunks(untagged, CHUNK).map((chunk) => ({ items: chunk, atomic: false })),
      ...[...tagged.values()].map((group) => ({ items: group, atomic: true })),
      ...(county ? [{ items: county, atomic: true }] : []),
    ];
  }

  /** Queues the writes of one entry: deleted first, so the group's MULTI leaves exactly the file's value. */
  function queueWrite(chain: ChainableCommander, entry: BackupEntry): void {
    const key = absolute(entry.key);
    chain.del(key);
    switch (entry.type) {
      case 'string':
        chain.set(key, fromBytes(entry.value));
        break;
      case 'hash':
        for (const part of chunks(entry.value, ARGS)) chain.hset(key, ...part.flatMap(([field, value]) => [fromBytes(field), fromBytes(value)]));
        break;
      case 'list':
        for (const part of chunks(entry.value, ARGS)) chain.rpush(key, ...part.map(fromBytes));
        break;
      case 'set':
        for (const part of chunks(entry.value, ARGS)) chain.sadd(key, ...part.map(fromBytes));
        break;
      case 'zset':
        for (const part of chunks(entry.value, ARGS)) chain.zadd(key, ...part.flatMap(([member, score]) => [score, fromBytes(member)]));
        break;
      case 'stream': {
        const { entries, lastId } = entry.value;
        for (const { id, fields } of entries) chain.xadd(key, id, ...fields.flatMap(([field, value]) => [fromBytes(field), fromBytes(value)]));
        const last = entries.at(-1)?.id;
        if (last === undefined) {
          // A stream whose entries were all deleted: one added and deleted leaves it empty with its last id.
          chain.xadd(key, lastId, 'restored', '').xdel(key, lastId);
        } else if (last !== lastId) {
          chain.call('XSETID', key, lastId);
        }
        break;
      }
    }
    if (entry.expiresAt !== undefined) chain.pexpireat(key, Date.parse(entry.expiresAt));
  }

  /**
   * Redis's own clock as this process's clock plus the difference TIME shows: expiries are
   * instants on Redis's clock (PEXPIRETIME, PEXPIREAT), which need not agree with this machine's.
   */
  async function redisClock(): Promise<() => number> {
    const [seconds, micros] = await redis.time();
    const offset = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) - Date.now();
    return () => Date.now() + offset;
  }

  return {
    async read(clock) {
      const now = clock ?? (await redisClock());
      const found = await scanAll();
      const kept: string[] = [];
      let skipped = 0;
      let unknown = 0;
      for (const key of found) {
        const family = familyOf(key);
        if (family === undefined) unknown += 1;
        if (family?.kept === false) skipped += 1;
        else kept.push(key);
      }
      const exact = await expiryIsExact();
      const entries: BackupEntry[] = [];
      for (const group of groupsOf(kept, (key) => key)) entries.push(...(await readGroup(group.items, group.atomic, exact, now)));
      entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const countyHash = entries.find((entry) => entry.key === countyKey && entry.type === 'hash');
      const name = countyHash?.type === 'hash' ? countyHash.value.find(([field]) => field === 'name')?.[1] : undefined;
      const file: BackupFile = {
        format: BACKUP_FORMAT,
        version: BACKUP_VERSION,
        createdAt: new Date(now()).toISOString(),
        county: typeof name === 'string' ? name : null,
        prefix: keys.prefix,
        keys: entries,
      };
      return { file, skipped, unknown };
    },

    async occupant() {
      const found = await scanAll();
      if (found.length === 0) return undefined;
      const county = (await redis.hget(keys.county(), 'name')) ?? undefined;
      return { keys: found.length, examples: found.slice(0, EXAMPLES).map(relative), county };
    },

    async clear() {
      const found = await scanAll();
      for (const chunk of chunks(found, CHUNK)) {
        // One key a command: a multi-key UNLINK across hash slots is refused on Redis Cluster.
        const pipeline = redis.pipeline();
        for (const key of chunk) pipeline.unlink(key);
        await run(pipeline);
      }
      return found.length;
    },

    async write(file, at) {
      const now = at ?? (await redisClock())();
      const live = file.keys.filter((entry) => entry.expiresAt === undefined || Date.parse(entry.expiresAt) > now);
      const groups = groupsOf(live, (entry) => absolute(entry.key));
      const countyTag = hashTag(keys.county());
      let written = 0;
      for (const group of groups) {
        const chain = group.atomic ? redis.multi() : redis.pipeline();
        for (const entry of group.items) queueWrite(chain, entry);
        // The county's group: a new version, so a running process's copy of the county is read again.
        if (group.items.some((entry) => hashTag(absolute(entry.key)) === countyTag)) chain.set(keys.countyVersion(), randomUUID());
        try {
          await run(chain);
        } catch (error) {
          throw new RestoreInterruptedError(written, live.length, group.items[0]?.key ?? '', error);
        }
        written += group.items.length;
      }
      return { written, expired: file.keys.length - live.length };
    },
  };
}
