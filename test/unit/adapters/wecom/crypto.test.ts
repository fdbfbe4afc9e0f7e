import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createWecomCrypto } from '../../../../src/adapters/wecom/crypto.js';
import { DecodeError } from '../../../../src/core/errors.js';
import { WECOM_GET_VECTOR, WECOM_OFFICIAL_CONFIG, WECOM_POST_VECTOR } from '../../../fixtures/wecom-vectors.js';

const official = createWecomCrypto(WECOM_OFFICIAL_CONFIG);
const bot = createWecomCrypto({ token: WECOM_OFFICIAL_CONFIG.token, encodingAesKey: WECOM_OFFICIAL_CONFIG.encodingAesKey });

/** Encrypts raw bytes under the official key without any padding of ours, to forge bad plaintexts. */
function encryptRaw(raw: Buffer): string {
  const key = Buffer.from(`${WECOM_OFFICIAL_CONFIG.encodingAesKey}=`, 'base64');
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(raw), cipher.final()]).toString('base64');
}

function framed(message: string, receiveId: string, pad: Buffer): Buffer {
  const text = Buffer.from(message);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(text.length);
  return Buffer.concat([randomBytes(16), length, text, Buffer.from(receiveId), pad]);
}

describe('WeCom callback crypto against the official vectors (91144)', () => {
  it('computes the signature of the official POST example', () => {
    const { timestamp, nonce, encrypt, msgSignature } = WECOM_POST_VECTOR;
    expect(official.sign(timestamp, nonce, encrypt)).toBe(msgSignature);
    expect(official.verify(msgSignature, timestamp, nonce, encrypt)).toBe(true);
  });

  it('decrypts the official POST example to the "hello" text message', () => {
    const xml = official.decrypt(WECOM_POST_VECTOR.encrypt);
    expect(xml).toContain('<Content><![CDATA[hello]]></Content>');
    expect(xml).toContain('<MsgId>4561255354251345929</MsgId>');
  });

  it('verifies and decrypts the official URL-check echostr', () => {
    const { timestamp, nonce, echostr, msgSignature } = WECOM_GET_VECTOR;
    expect(official.verify(msgSignature, timestamp, nonce, echostr)).toBe(true);
    expect(official.decrypt(echostr)).toMatch(/^\d+$/);
  });

  it('refuses the official example when it expects the AI bot\'s empty receive id', () => {
    expect(() => bot.decrypt(WECOM_POST_VECTOR.encrypt)).toThrow(DecodeError);
  });

  it('rejects a signature that differs in one character, or in length', () => {
    const { timestamp, nonce, encrypt, msgSignature } = WECOM_POST_VECTOR;
    const flipped = `${msgSignature.slice(0, -1)}${msgSignature.endsWith('0') ? '1' : '0'}`;
    expect(official.verify(flipped, timestamp, nonce, encrypt)).toBe(false);
    expect(official.verify(msgSignature.slice(1), timestamp, nonce, encrypt)).toBe(false);
    expect(official.verify(msgSignature, timestamp, `${nonce}1`, encrypt)).toBe(false);
  });
});

describe('WeCom crypto for the AI bot (receive id "")', () => {
  it('round-trips Chinese text and pads to 32-byte blocks', () => {
    const message = JSON.stringify({ text: { content: '@督办助手 上报 T3 八成' } });
    const encrypted = bot.encrypt(message, randomBytes(16));
    expect(Buffer.from(encrypted, 'base64').length % 32).toBe(0);
    expect(bot.decrypt(encrypted)).toBe(message);
  });

  it('adds a whole block of padding when the plaintext already fills its blocks', () => {
    // 16 random + 4 length + 12 message = 32 bytes: PKCS#7 then adds 32 bytes of 32.
    const encrypted = bot.encrypt('123456789012', randomBytes(16));
    expect(Buffer.from(encrypted, 'base64').length).toBe(64);
    expect(bot.decrypt(encrypted)).toBe('123456789012');
  });

  it('gives equal bytes for equal seeds and different bytes for different seeds', () => {
    expect(bot.randomFor('a')).toEqual(bot.randomFor('a'));
    expect(bot.randomFor('a')).not.toEqual(bot.randomFor('b'));
    expect(bot.randomFor('a')).toHaveLength(16);
  });

  // 16 random + 4 length + 2 message bytes leave 10 bytes of padding to the block.
  it.each([
    ['a pad byte of 0', Buffer.alloc(10, 0)],
    ['a pad byte over 32', Buffer.alloc(10, 33)],
    ['a pad longer than the padding', Buffer.alloc(10, 11)],
    ['pad bytes that disagree', Buffer.from([10, 10, 10, 10, 10, 10, 10, 10, 9, 10])],
  ])('refuses a plaintext with %s', (_, pad) => {
    expect(() => bot.decrypt(encryptRaw(framed('hi', '', pad)))).toThrow(DecodeError);
  });

  it('refuses a plaintext addressed to a corpid', () => {
    const raw = framed('hi', 'wx5823bf96d3bd56c7', Buffer.alloc(0));
    const pad = 32 - (raw.length % 32);
    expect(() => bot.decrypt(encryptRaw(Buffer.concat([raw, Buffer.alloc(pad, pad)])))).toThrow(/another receiver/);
  });

  it('refuses a length field that runs past the plaintext', () => {
    const raw = framed('hi', '', Buffer.alloc(0));
    raw.writeUInt32BE(1000, 16);
    const pad = 32 - (raw.length % 32);
    expect(() => bot.decrypt(encryptRaw(Buffer.concat([raw, Buffer.alloc(pad, pad)])))).toThrow(/length/);
  });

  it.each([
    ['not base64', 'not base64!'],
    ['a partial block', Buffer.alloc(20).toString('base64')],
    ['empty', ''],
  ])('refuses ciphertext that is %s', (_, encrypted) => {
    expect(() => bot.decrypt(encrypted)).toThrow(DecodeError);
  });
});
