/**
 * WeCom's callback crypto (加解密方案 and 智能机器人: docs/protocols/wecom.md §3, pages 91144 and 101033): a SHA-1 signature over the sorted
 * [token, timestamp, nonce, ciphertext], and AES-256-CBC over
 * `random(16) ‖ uint32be(len) ‖ message ‖ receiveId`, PKCS#7-padded to 32-byte blocks.
 * Written here rather than taken from `@wecom/crypto`, whose unpad silently accepts a bad pad and
 * which leaves the receive id and a constant-time comparison to the caller anyway.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { DecodeError } from '../../core/errors.js';

/** WeCom pads to 32 bytes, not AES's 16: the official example decrypts with a pad of 30. */
const PAD_BLOCK = 32;
const RANDOM_BYTES = 16;
const LENGTH_BYTES = 4;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface WecomCryptoOptions {
  token: string;
  /** The 43-character EncodingAESKey from the robot's callback settings. */
  encodingAesKey: string;
  /** The id that ends every plaintext: `""` for the 智能机器人 (docs/protocols/wecom.md §3, page 101033), a corpid for app callbacks. */
  receiveId?: string;
}

export interface WecomCrypto {
  sign(timestamp: string, nonce: string, encrypted: string): string;
  /** Whether `signature` is ours, compared in constant time. */
  verify(signature: string, timestamp: string, nonce: string, encrypted: string): boolean;
  /** The message inside `encrypted`; DecodeError unless the padding, length and receive id are exact. */
  decrypt(encrypted: string): string;
  /** `random` must be 16 bytes: it is what makes equal messages encrypt differently, the IV being fixed. */
  encrypt(message: string, random: Buffer): string;
  /** 16 bytes for `encrypt`, derived from `seed` under the key: distinct seeds give distinct bytes, one seed always the same. */
  randomFor(seed: string): Buffer;
}

export function createWecomCrypto({ token, encodingAesKey, receiveId = '' }: WecomCryptoOptions): WecomCrypto {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (encodingAesKey.length !== 43 || key.length !== 32) throw new Error('EncodingAESKey must be 43 base64 characters (a 32-byte key)');
  // The IV is the key's first 16 bytes, by the scheme's definition.
  const iv = key.subarray(0, 16);
  const expectedId = Buffer.from(receiveId, 'utf8');

  const sign = (timestamp: string, nonce: string, encrypted: string): string =>
    createHash('sha1').update([token, timestamp, nonce, encrypted].sort().join('')).digest('hex');

  return {
    sign,

    verify(signature, timestamp, nonce, encrypted) {
      const expected = Buffer.from(sign(timestamp, nonce, encrypted), 'utf8');
      const given = Buffer.from(signature, 'utf8');
      return given.length === expected.length && timingSafeEqual(given, expected);
    },

    decrypt(encrypted) {
      if (!BASE64.test(encrypted)) throw new DecodeError('ciphertext is not base64');
      const data = Buffer.from(encrypted, 'base64');
      if (data.length === 0 || data.length % PAD_BLOCK !== 0) throw new DecodeError('ciphertext is not a whole number of 32-byte blocks');
      const decipher = createDecipheriv('aes-256-cbc', key, iv).setAutoPadding(false);
      const plain = Buffer.concat([decipher.update(data), decipher.final()]);

      const pad = plain[plain.length - 1] ?? 0;
      if (pad < 1 || pad > PAD_BLOCK || plain.subarray(plain.length - pad).some((b) => b !== pad)) {
        throw new DecodeError('bad PKCS#7 padding (wrong key?)');
      }
      const body = plain.subarray(0, plain.length - pad);
      if (body.length < RANDOM_BYTES + LENGTH_BYTES) throw new DecodeError('plaintext too short');
      const length = body.readUInt32BE(RANDOM_BYTES);
      const start = RANDOM_BYTES + LENGTH_BYTES;
      if (start + length > body.length) throw new DecodeError('message length runs past the plaintext');
      const id = body.subarray(start + length);
      if (!id.equals(expectedId)) throw new DecodeError('the plaintext is addressed to another receiver');
      try {
        return utf8.decode(body.subarray(start, start + length));
      } catch {
        throw new DecodeError('message is not UTF-8');
      }
    },

    encrypt(message, random) {
      if (random.length !== RANDOM_BYTES) throw new Error(`random must be ${String(RANDOM_BYTES)} bytes`);
      const text = Buffer.from(message, 'utf8');
      const length = Buffer.alloc(LENGTH_BYTES);
      length.writeUInt32BE(text.length);
      const raw = Buffer.concat([random, length, text, expectedId]);
      const pad = PAD_BLOCK - (raw.length % PAD_BLOCK);
      const cipher = createCipheriv('aes-256-cbc', key, iv).setAutoPadding(false);
      return Buffer.concat([cipher.update(Buffer.concat([raw, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
    },

    randomFor: (seed) => createHmac('sha256', key).update(seed).digest().subarray(0, RANDOM_BYTES),
  };
}
