/**
 * Numbered requests to the leaders (延期申请#7) and the deadlines they grant. A request lives in
 * its task's hash slot beside the task's ledger, so opening one and deciding one are each a single
 * script that also appends the ledger entry (and, for 同意, sets the township's deadline). The
 * numbers are county-wide: a counter and an index (number → task) in the county's slot.
 */
import type { Redis } from 'ioredis';
import type { Decision, ExtensionAsk, ExtensionRequest } from '../domain/extensions.js';
import type { Ymd } from '../domain/model.js';
import { decode, decodeJson, encodeJson, extensionFields, ExtensionRequestSchema, GrantSchema, StoreDataError } from './codec.js';
import type { Keys } from './keys.js';
import type { RankingClock } from './ranking-clock.js';
import { hashes } from './redis-io.js';
import { defineScripts } from './scripts.js';
import { z } from 'zod';

/** As long as a report's marker (ledger.ts): platforms redeliver for hours at most. */
const SEEN_SECONDS = 7 * 24 * 60 * 60;
/** 同意/不同意 read again when another decision came between their read and their write. */
const MAX_SWAP_ATTEMPTS = 20;

/** A 申请延期 as a township's message asks it: the message's id dedupes it. */
export interface AskMessage extends ExtensionAsk {
  source: string;
}

export type OpenResult =
  /** `repeated`: this message had opened it before (a redelivery). */
  | { ok: true; request: ExtensionRequest; repeated: boolean }
  /** The township already waits on a request for this task. */
  | { ok: false; reason: 'open'; request: ExtensionRequest };

export type DecideResult =
  | { ok: true; request: ExtensionRequest }
  | { ok: false; reason: 'not-found' }
  /** Decided before, by someone else or by an earlier message. */
  | { ok: false; reason: 'decided'; request: ExtensionRequest };

export interface RequestStore {
  openExtension(ask: AskMessage): Promise<OpenResult>;
  /** Grants (`decision.granted`) or refuses request `number`, once. */
  decideExtension(number: number, decision: Decision, source: string): Promise<DecideResult>;
  request(number: number): Promise<ExtensionRequest | undefined>;
  /** Every request of the county, open and decided, by number. */
  requests(): Promise<ExtensionRequest[]>;
  /** Task id → township id → the deadline a grant gave it, for the given tasks, in one round trip. */
  grantedDeadlines(taskIds: readonly string[]): Promise<Map<string, Map<string, Ymd>>>;
}

const StatusReply = z.tuple([z.enum(['opened', 'duplicate', 'open']), z.string()]);
const DecideReply = z.enum(['decided', 'duplicate', 'changed']);
const NUMBER_FIELD = /^[1-9]\d*$/;

export function createRequestStore(redis: Redis, keys: Keys, clock: RankingClock): RequestStore {
  const scripts = defineScripts(redis);

  const read = (json: string, where: string): ExtensionRequest => decodeJson(ExtensionRequestSchema, json, where);
  const encode = (request: ExtensionRequest): string => encodeJson(ExtensionRequestSchema, request, `request ${String(request.number)}`);

  async function located(number: number): Promise<{ task: string; json: string } | undefined> {
    const task = await redis.hget(keys.requestIndex(), String(number));
    if (task === null) return undefined;
    const json = await redis.hget(keys.requests(task), String(number));
    return json === null ? undefined : { task, json };
  }

  return {
    async openExtension(ask) {
      const requestsKey = keys.requests(ask.task);
      // Asked while one is open: answered without spending a number. The script checks again.
      const openNumber = await redis.hget(requestsKey, `open:${ask.township}`);
      const openJson = openNumber === null ? null : await redis.hget(requestsKey, openNumber);
      if (openJson !== null) return { ok: false, reason: 'open', request: read(openJson, `${requestsKey} ${String(openNumber)}`) };

      const number = await redis.incr(keys.requestSeq());
      // The index first: a crash before the script leaves a number that names nothing (同意 says
      // it is unknown), never a request that no number reaches.
      await redis.hset(keys.requestIndex(), String(number), ask.task);
      const request: ExtensionRequest = { number, task: ask.task, township: ask.township, from: ask.from, to: ask.to, reason: ask.reason, by: ask.by, at: ask.at };
      const fields = extensionFields({ kind: 'extension-requested', township: ask.township, request: number, from: ask.from, to: ask.to, reason: ask.reason, by: ask.by, at: ask.at, source: ask.source });
      const [status, json] = decode(
        StatusReply,
        await scripts.openRequest(
          { requests: requestsKey, ledger: keys.ledger(ask.task), seen: keys.seen(ask.task, ask.source) },
          { number, township: ask.township, request: encode(request), seenSeconds: SEEN_SECONDS, fields },
        ),
        requestsKey,
      );
      if (status === 'opened') return { ok: true, request, repeated: false };
      await redis.hdel(keys.requestIndex(), String(number));
      if (json === '') throw new StoreDataError(requestsKey, `a request of ${ask.township} is gone`);
      const found = read(json, requestsKey);
      return status === 'duplicate' ? { ok: true, request: found, repeated: true } : { ok: false, reason: 'open', request: found };
    },

    async decideExtension(number, decision, source) {
      for (let attempt = 0; attempt < MAX_SWAP_ATTEMPTS; attempt += 1) {
        const found = await located(number);
        if (!found) return { ok: false, reason: 'not-found' };
        const where = `${keys.requests(found.task)} ${String(number)}`;
        const before = read(found.json, where);
        if (before.decision) return { ok: false, reason: 'decided', request: before };
        const after: ExtensionRequest = { ...before, decision };
        const fields = extensionFields({
          kind: decision.granted ? 'extension-granted' : 'extension-refused',
          township: before.township,
          request: number,
          from: before.from,
          to: before.to,
          reason: decision.reason,
          by: decision.by,
          at: decision.at,
          source,
        });
        const grant = decision.granted ? encodeJson(GrantSchema, { deadline: before.to, request: number }, `grant ${String(number)}`) : '';
        // A grant moves a deadline the ranking reads: the clock's bump goes right behind it (ranking-clock.ts).
        const [decided] = await Promise.all([
          scripts.decideRequest(
            { requests: keys.requests(found.task), ledger: keys.ledger(found.task), deadlines: keys.deadlines(found.task), seen: keys.seen(found.task, source) },
            { number, read: found.json, decided: encode(after), township: before.township, grant, seenSeconds: SEEN_SECONDS, fields },
          ),
          clock.bump(found.task),
        ]);
        const status = decode(DecideReply, decided, where);
        if (status === 'decided') return { ok: true, request: after };
        if (status === 'duplicate') {
          const again = await located(number);
          if (!again) return { ok: false, reason: 'not-found' };
          return { ok: true, request: read(again.json, where) };
        }
      }
      throw new Error(`request ${String(number)} kept changing while it was decided`);
    },

    async request(number) {
      const found = await located(number);
      return found ? read(found.json, `${keys.requests(found.task)} ${String(number)}`) : undefined;
    },

    async requests() {
      const index = await redis.hgetall(keys.requestIndex());
      const tasks = [...new Set(Object.values(index))];
      const found = await hashes(redis, tasks.map((task) => keys.requests(task)));
      const out: ExtensionRequest[] = [];
      tasks.forEach((task, i) => {
        const key = keys.requests(task);
        for (const [field, json] of Object.entries(found[i] ?? {})) if (NUMBER_FIELD.test(field)) out.push(read(json, `${key} ${field}`));
      });
      return out.sort((a, b) => a.number - b.number);
    },

    async grantedDeadlines(taskIds) {
      const out = new Map<string, Map<string, Ymd>>();
      const found = await hashes(redis, taskIds.map((id) => keys.deadlines(id)));
      taskIds.forEach((id, i) => {
        const key = keys.deadlines(id);
        const entries = Object.entries(found[i] ?? {});
        if (entries.length > 0) out.set(id, new Map(entries.map(([township, json]) => [township, decodeJson(GrantSchema, json, `${key} ${township}`).deadline])));
      });
      return out;
    },
  };
}
