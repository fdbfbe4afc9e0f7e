/**
 * One cache for the platforms' credentials (WeCom's app access token and jsapi tickets, DingTalk's
 * app access token), kept in Redis for every instance and copied into each process.
 *
 * Shared, not per process, because the endpoints that hand them out must not be asked per
 * instance or per request: WeCom intercepts frequent gettoken calls (docs/protocols/wecom.md §6.1,
 * page 91039) and allows 400 ticket fetches an hour per corp and 100 per app
 * (docs/protocols/wecom.md §6.2, page 90506); DingTalk's token lasts 7200 s, is handed back
 * unchanged within that time, and is to be cached, never fetched per message
 * (docs/protocols/dingtalk.md §4b).
 */
import { z } from 'zod';
import type { Logger } from '../core/logger.js';
import { rememberToken } from '../core/redact.js';
import type { SecretStore } from '../store/secrets.js';

/**
 * Fetch a credential this long before the platform says it expires, so none is used at its last
 * second (for DingTalk, what the official Python SDK does: docs/protocols/dingtalk.md §4b); a
 * short-lived one is fetched again at half its life instead.
 */
const EARLY_SECONDS = 5 * 60;

/** A credential as kept in Redis: its value and when (ms since the epoch) it is to be fetched again. */
const CachedCredentialSchema = z.object({ value: z.string().min(1), until: z.number() });
type CachedCredential = z.infer<typeof CachedCredentialSchema>;

/** The part of the store the cache uses: credentials shared by all instances. */
export type CredentialStore = Pick<SecretStore, 'credential' | 'saveCredential' | 'dropCredential'>;

/** A credential fetched from the platform: its value and its lifetime in seconds. */
export interface Fetched {
  value: string;
  expiresIn: number;
}

export interface CachedCredentialOptions {
  /** The Redis name, the same for every instance of the app (it outlives a deploy: keep it). */
  name: string;
  store: CredentialStore;
  log: Logger;
  now: () => number;
  fetch: () => Promise<Fetched>;
}

export interface Credential {
  get(): Promise<string>;
  /** Forgets `stale` (here and in Redis) unless it has been replaced already. */
  drop(stale: string): Promise<void>;
}

/**
 * One credential, kept in Redis with its refresh time and copied into this process, so a use
 * costs no Redis round trip; callers waiting at the same time share one Redis read and at most one
 * fetch. Every value read or fetched is remembered for masking in logs. Redis trouble is logged
 * and the process copy carries on: a bot without Redis for a moment should not also lose its
 * platform.
 */
export function cachedCredential({ name, store, log, now, fetch }: CachedCredentialOptions): Credential {
  let held: CachedCredential | undefined;
  let pending: Promise<string> | undefined;

  async function shared<T>(what: string, work: () => Promise<T>): Promise<T | undefined> {
    try {
      return await work();
    } catch (error) {
      log.warn('the credential cache in Redis failed; using this process\'s copy', { credential: name, what, error: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
  }

  async function readShared(): Promise<CachedCredential | undefined> {
    const raw = await shared('read', () => store.credential(name));
    if (raw === undefined) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return undefined;
    }
    return CachedCredentialSchema.safeParse(json).data;
  }

  async function refresh(): Promise<string> {
    const found = await readShared();
    if (found !== undefined && now() < found.until) {
      rememberToken(found.value);
      held = found;
      return found.value;
    }
    const { value, expiresIn } = await fetch();
    rememberToken(value);
    const keep = Math.max(expiresIn - EARLY_SECONDS, expiresIn / 2);
    held = { value, until: now() + keep * 1000 };
    const kept = held;
    await shared('save', () => store.saveCredential(name, JSON.stringify(kept), keep));
    log.info('fetched a credential', { credential: name, expiresIn });
    return value;
  }

  return {
    async get() {
      if (held !== undefined && now() < held.until) return held.value;
      pending ??= refresh().finally(() => {
        pending = undefined;
      });
      return pending;
    },

    async drop(stale) {
      if (held?.value === stale) held = undefined;
      // Another instance may have put a fresh one there meanwhile: that one stays.
      if ((await readShared())?.value === stale) await shared('drop', () => store.dropCredential(name));
    },
  };
}
