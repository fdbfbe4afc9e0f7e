/**
 * 完成审核 (src/domain/review.ts): a township's completion waiting for a leader, and the leader's
 * 通过, each written with its ledger entry by one script in the task's hash slot. 退回 is an undo
 * of the completing report (`LedgerStore.reverseReport` as `returned`), which also ends the wait.
 */
import type { Redis } from 'ioredis';
import type { EntryOrigin, ReportEntry } from '../domain/model.js';
import type { ReviewRecord } from '../domain/review.js';
import { decode, decodeJsonHash, encodeJson, reviewFields, ReviewRecordSchema } from './codec.js';
import type { Keys } from './keys.js';
import { hashes } from './redis-io.js';
import { defineScripts } from './scripts.js';
import { z } from 'zod';

/** As long as a report's marker (ledger.ts): platforms redeliver for hours at most. */
const SEEN_SECONDS = 7 * 24 * 60 * 60;

export type ApproveResult =
  | { ok: true; review: ReviewRecord }
  /** Passed, undone or submitted again since it was read: read again and say how it stands. */
  | { ok: false; reason: 'changed' };

export interface ReviewStore {
  /** Makes a completing report wait for review; nothing when it waits already or no longer stands. */
  submitReview(report: ReportEntry, origin: EntryOrigin): Promise<void>;
  /** 通过: passes `read`, the review as the caller found it waiting, once. */
  approveReview(task: string, township: string, read: ReviewRecord, origin: EntryOrigin): Promise<ApproveResult>;
  /** Task id → township id → its review, for the given tasks, in one round trip. */
  reviews(taskIds: readonly string[]): Promise<Map<string, Map<string, ReviewRecord>>>;
}

const SubmitReply = z.enum(['submitted', 'already', 'stale']);
const ApproveReply = z.enum(['approved', 'duplicate', 'changed']);

export function createReviewStore(redis: Redis, keys: Keys): ReviewStore {
  const scripts = defineScripts(redis);
  const encode = (review: ReviewRecord, what: string): string => encodeJson(ReviewRecordSchema, review, what);

  return {
    async submitReview(report, origin) {
      const waiting: ReviewRecord = { state: 'pending', report: report.id, at: report.at, by: report.by };
      const fields = reviewFields({ kind: 'review-submitted', township: report.township, report: report.id, ...origin });
      const status = await scripts.submitReview(
        { progress: keys.progress(report.task), reviews: keys.reviews(report.task), ledger: keys.ledger(report.task) },
        report.township,
        report.id,
        encode(waiting, `review of ${report.id}`),
        fields,
      );
      decode(SubmitReply, status, keys.reviews(report.task));
    },

    async approveReview(task, township, read, origin) {
      const passed: ReviewRecord = { state: 'approved', report: read.report, at: origin.at, by: origin.by };
      const fields = reviewFields({ kind: 'review-approved', township, report: read.report, ...origin });
      const status = decode(
        ApproveReply,
        await scripts.approveReview(
          { reviews: keys.reviews(task), ledger: keys.ledger(task), seen: keys.seen(task, origin.source) },
          township,
          encode(read, `review of ${read.report}`),
          encode(passed, `review of ${read.report}`),
          SEEN_SECONDS,
          fields,
        ),
        keys.reviews(task),
      );
      return status === 'changed' ? { ok: false, reason: 'changed' } : { ok: true, review: passed };
    },

    async reviews(taskIds) {
      const out = new Map<string, Map<string, ReviewRecord>>();
      const found = await hashes(redis, taskIds.map((id) => keys.reviews(id)));
      taskIds.forEach((id, i) => {
        const byTownship = decodeJsonHash(ReviewRecordSchema, found[i], keys.reviews(id));
        if (byTownship.size > 0) out.set(id, byTownship);
      });
      return out;
    },
  };
}
