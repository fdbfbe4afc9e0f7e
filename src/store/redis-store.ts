/**
 * Every store over one Redis, as one object: the app builds it once and hands each part of the
 * bot the slice its type names (a command the county and its records, the outbox its pacing, an
 * adapter its callbacks). `src/store/` is the only Redis user; each store is in a file of its own.
 */
import type { Redis } from 'ioredis';
import { createCallbackStore, type CallbackStore } from './callbacks.js';
import { createConnectionStore, type ConnectionStore } from './connections.js';
import { createCountySetupStore, type CountySetupStore } from './county-setup.js';
import { createCountyStore, type CountyStore } from './county.js';
import { createCoverStore, type CoverStore } from './cover.js';
import { createDeliveryStore, type DeliveryStore } from './deliveries.js';
import { createDurableStore, type DurableStore } from './durable.js';
import { createHealthStore, type HealthStore } from './health.js';
import type { Keys } from './keys.js';
import { createLedgerStore, type LedgerStore } from './ledger.js';
import { createPacingStore, type PacingStore } from './pacing.js';
import { createPictureStore, type PictureStore } from './pictures.js';
import { createReplyStore, type ReplyStore } from './replies.js';
import { createRankingClock } from './ranking-clock.js';
import { createRequestStore, type RequestStore } from './requests.js';
import { createReviewStore, type ReviewStore } from './reviews.js';
import { createRunStore, type RunStore } from './runs.js';
import { createSecretStore, type SecretStore } from './secrets.js';
import { createSignOffStore, type SignOffStore } from './sign-off.js';
import { createStandingsStore, type StandingsStore } from './standings.js';

type Parts = readonly [HealthStore, CountyStore, CountySetupStore, LedgerStore, RequestStore, ReviewStore, StandingsStore, ReplyStore, CallbackStore, PacingStore, DeliveryStore, PictureStore, RunStore, SecretStore, CoverStore, SignOffStore, ConnectionStore, DurableStore];

/** The method names two of `P` share: spread into one object, the later would hide the earlier. */
type Shared<P extends readonly object[], Seen extends PropertyKey = never> = P extends readonly [infer Head extends object, ...infer Rest extends readonly object[]]
  ? (keyof Head & Seen) | Shared<Rest, Seen | keyof Head>
  : never;
type All<P extends readonly object[]> = P extends readonly [infer Head extends object, ...infer Rest extends readonly object[]] ? Head & All<Rest> : unknown;

/** Every store in one type; `never` (so `createRedisStore` does not compile) while two share a method name. */
export type Store = [Shared<Parts>] extends [never] ? All<Parts> : never;

export function createRedisStore(redis: Redis, keys: Keys): Store {
  const clock = createRankingClock(redis, keys);
  return {
    ...createHealthStore(redis),
    ...createCountyStore(redis, keys),
    ...createCountySetupStore(redis, keys),
    ...createLedgerStore(redis, keys, clock),
    ...createRequestStore(redis, keys, clock),
    ...createReviewStore(redis, keys),
    ...createStandingsStore(redis, keys, clock),
    ...createReplyStore(redis, keys),
    ...createCallbackStore(redis, keys),
    ...createPacingStore(redis, keys),
    ...createDeliveryStore(redis, keys),
    ...createPictureStore(redis, keys),
    ...createRunStore(redis, keys),
    ...createSecretStore(redis, keys),
    ...createCoverStore(redis, keys),
    ...createSignOffStore(redis, keys),
    ...createConnectionStore(redis, keys),
    ...createDurableStore(redis),
  };
}
