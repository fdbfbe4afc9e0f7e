/** What the bot keeps secret for all its instances: secrets it made itself, and the platforms' cached credentials. */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { StoreDataError } from './codec.js';
import type { Keys } from './keys.js';

export interface SecretStore {
  /** A random secret of 32 bytes made on first use and kept: every instance gets the same one. */
  secret(name: string): Promise<Buffer>;
  /** A cached platform credential (access token, jsapi ticket), while it is valid. */
  credential(name: string): Promise<string | undefined>;
  saveCredential(name: string, value: string, seconds: number): Promise<void>;
  dropCredential(name: string): Promise<void>;
}

export function createSecretStore(redis: Redis, keys: Keys): SecretStore {
  const secrets = new Map<string, Promise<Buffer>>();

  async function makeSecret(name: string): Promise<Buffer> {
    const key = keys.secret(name);
    // NX: two instances starting at once agree on the first one written.
    await redis.set(key, randomBytes(32), 'NX');
    const secret = await redis.getBuffer(key);
    if (secret?.length !== 32) throw new StoreDataError(key, 'not a 32-byte secret');
    return secret;
  }

  return {
    secret(name) {
      // It never changes once made: read it once per process (a failed read is tried again).
      let secret = secrets.get(name);
      if (!secret) {
        secret = makeSecret(name);
        secrets.set(name, secret);
        secret.catch(() => secrets.delete(name));
      }
      return secret;
    },

    async credential(name) {
      return (await redis.get(keys.credential(name))) ?? undefined;
    },

    async saveCredential(name, value, seconds) {
      await redis.set(keys.credential(name), value, 'EX', Math.max(1, Math.floor(seconds)));
    },

    async dropCredential(name) {
      await redis.del(keys.credential(name));
    },
  };
}
