/**
 * 签收: who was announced each task (交办) and who has signed, in a hash in the task's hash slot
 * beside its ledger, so a 签收 is one script that appends the `signed` entry and sets the marker
 * together (sign-off.lua). The hash, not the ledger, says who must sign: the announcement is the
 * bot's own act, nobody's word, and reminders, 待办, 进度 and the dashboard read it in one round trip.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Instant, Reporter } from '../domain/model.js';
import type { Signature, SignOff } from '../domain/sign-off.js';
import { AnnouncedSchema, CounterSchema, decode, decodeJson, encodeJson, SignatureSchema, signedFields, StoreDataError } from './codec.js';
import type { Keys } from './keys.js';
import { hashes, run } from './redis-io.js';
import { defineScripts } from './scripts.js';

/** As long as a report's marker (ledger.ts): platforms redeliver for hours at most. */
const SEEN_SECONDS = 7 * 24 * 60 * 60;
const SIGNED_PREFIX = 'signed:';

/** A 签收 as a township's message says it. */
export interface SignInput {
  task: string;
  township: string;
  by: Reporter;
  at: Instant;
  source: string;
}

export type SignResult =
  /** `repeated`: this message had signed before (a redelivery). */
  | { ok: true; signature: Signature; repeated: boolean }
  /** Someone of the township signed before, from another message. */
  | { ok: false; reason: 'already'; signature: Signature }
  /** The task was never announced to the township: there is nothing to sign. */
  | { ok: false; reason: 'not-announced' };

export interface SignOffStore {
  /**
   * Records that `townships` were announced the task at `at`; a township announced before keeps its
   * first announcement. Returns the townships newly announced, to whom the notice is to be posted.
   */
  announce(task: string, townships: readonly string[], at: Instant): Promise<string[]>;
  /** A township's 签收: the ledger entry and the marker together, once. */
  sign(input: SignInput): Promise<SignResult>;
  /** Task id → township id → its 签收 state, for the given tasks, in one round trip. */
  signOffs(taskIds: readonly string[]): Promise<Map<string, Map<string, SignOff>>>;
}

const SignReply = z.tuple([z.enum(['signed', 'duplicate', 'already', 'not-announced']), z.string()]);

export function createSignOffStore(redis: Redis, keys: Keys): SignOffStore {
  const scripts = defineScripts(redis);
  return {
    async announce(task, townships, at) {
      if (townships.length === 0) return [];
      const key = keys.signOffs(task);
      const json = encodeJson(AnnouncedSchema, { announced: at }, `announcement of ${task}`);
      const pipeline = redis.pipeline();
      for (const township of townships) pipeline.hsetnx(key, township, json);
      const replies = await run(pipeline);
      return townships.filter((_, i) => decode(CounterSchema, replies[i], key) === 1);
    },

    async sign(input) {
      // An empty source would share one seen marker among all messages and swallow them as duplicates.
      if (input.source === '') throw new RangeError('source must not be empty');
      const key = keys.signOffs(input.task);
      const signature = encodeJson(SignatureSchema, { by: input.by, at: input.at }, `signature of ${input.task}`);
      const [status, json] = decode(
        SignReply,
        await scripts.signOff(
          { signOffs: key, ledger: keys.ledger(input.task), seen: keys.seen(input.task, input.source) },
          { township: input.township, signature, seenSeconds: SEEN_SECONDS, fields: signedFields({ kind: 'signed', township: input.township, by: input.by, at: input.at, source: input.source }) },
        ),
        key,
      );
      if (status === 'not-announced') return { ok: false, reason: 'not-announced' };
      const where = `${key} ${SIGNED_PREFIX}${input.township}`;
      if (json === '') throw new StoreDataError(where, 'the signature this message wrote is gone');
      const found = decodeJson(SignatureSchema, json, where);
      if (status === 'already') return { ok: false, reason: 'already', signature: found };
      return { ok: true, signature: found, repeated: status === 'duplicate' };
    },

    async signOffs(taskIds) {
      const out = new Map<string, Map<string, SignOff>>();
      const found = await hashes(redis, taskIds.map((id) => keys.signOffs(id)));
      taskIds.forEach((task, i) => {
        const key = keys.signOffs(task);
        const hash = found[i] ?? {};
        const byTownship = new Map<string, SignOff>();
        for (const [field, json] of Object.entries(hash)) {
          if (field.startsWith(SIGNED_PREFIX)) continue;
          const { announced } = decodeJson(AnnouncedSchema, json, `${key} ${field}`);
          const signedJson = hash[`${SIGNED_PREFIX}${field}`];
          const signed = signedJson === undefined ? undefined : decodeJson(SignatureSchema, signedJson, `${key} ${SIGNED_PREFIX}${field}`);
          byTownship.set(field, { task, township: field, announced, ...(signed ? { signed } : {}) });
        }
        if (byTownship.size > 0) out.set(task, byTownship);
      });
      return out;
    },
  };
}
