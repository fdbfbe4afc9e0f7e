/**
 * WeCom's side of the 智能机器人 (AI bot) HTTP callback protocol, for tests: it encrypts and signs
 * callbacks the way WeCom does and opens the bot's encrypted passive replies.
 *
 * Written from the protocol description (docs/protocols/wecom.md §1, §3: WeCom pages 101033 and 91144), using node:crypto
 * only. It deliberately imports nothing from src/: a bug in the bot's crypto must not be able to
 * hide behind the same bug here. Its own faithfulness is proven against WeCom's official vectors in
 * test/unit/helpers/wecom-client.test.ts.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, randomInt } from 'node:crypto';

export interface WecomClientOptions {
  token: string;
  /** The 43-character EncodingAESKey from the admin console. */
  encodingAesKey: string;
  /** The id appended to every plaintext. WeCom uses "" for AI bots; corpids are for app callbacks. */
  receiveId?: string;
}

export interface CallbackOptions {
  timestamp?: string;
  nonce?: string;
  /** Overrides the client's receive id for this message, e.g. to send one the bot must refuse. */
  receiveId?: string;
}

export interface SignedCallback {
  /** `msg_signature=…&timestamp=…&nonce=…`, URL-encoded, without the leading `?`. */
  query: string;
  /** `{"encrypt":"…"}`, the JSON body WeCom POSTs. */
  body: string;
  timestamp: string;
  nonce: string;
}

export interface UrlCheck {
  /** `msg_signature=…&timestamp=…&nonce=…&echostr=…`, URL-encoded, without the leading `?`. */
  query: string;
  timestamp: string;
  nonce: string;
}

export interface Decrypted {
  message: string;
  receiveId: string;
  /** The 16 random bytes that led the plaintext; pass them back to `encrypt` to reproduce a ciphertext. */
  random: Buffer;
}

export interface WecomClient {
  encrypt(plaintext: string, opts?: { random?: Buffer; receiveId?: string }): string;
  decrypt(encrypted: string): Decrypted;
  sign(timestamp: string, nonce: string, encrypted: string): string;
  callback(payload: unknown, opts?: CallbackOptions): SignedCallback;
  urlCheck(echoPlain: string, opts?: CallbackOptions): UrlCheck;
  openReply(body: string, expect: { nonce: string }): unknown;
}

/** WeCom pads to 32 bytes (PKCS#7 with k = 32), not to the 16-byte AES block. */
const PAD_BLOCK = 32;
const RANDOM_BYTES = 16;
const LENGTH_BYTES = 4;
/** Standard base64 (`+/`, `=` padding): WeCom's alphabet. Buffer.from would skip anything else silently. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Fatal, so a reply in broken UTF-8 fails loudly instead of decoding to U+FFFD. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function createWecomClient({ token, encodingAesKey, receiveId = '' }: WecomClientOptions): WecomClient {
  if (!/^[A-Za-z0-9]{43}$/.test(encodingAesKey)) throw new Error('EncodingAESKey must be 43 letters and digits');
  // The key is the 43 characters plus one "=" read as base64: 32 bytes. The IV is its first 16.
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  const iv = key.subarray(0, 16);

  function encrypt(plaintext: string, opts: { random?: Buffer; receiveId?: string } = {}): string {
    const random = opts.random ?? randomBytes(RANDOM_BYTES);
    if (random.length !== RANDOM_BYTES) throw new Error(`random must be ${String(RANDOM_BYTES)} bytes, got ${String(random.length)}`);
    const message = Buffer.from(plaintext, 'utf8');
    // The length is the message's UTF-8 byte count, 4 bytes in network (big-endian) order.
    const length = Buffer.alloc(LENGTH_BYTES);
    length.writeUInt32BE(message.length);
    const raw = Buffer.concat([random, length, message, Buffer.from(opts.receiveId ?? receiveId, 'utf8')]);
    // Always pad, 1..32 bytes, each holding the pad length: a full block when already aligned.
    const pad = PAD_BLOCK - (raw.length % PAD_BLOCK);
    const cipher = createCipheriv('aes-256-cbc', key, iv).setAutoPadding(false);
    return Buffer.concat([cipher.update(Buffer.concat([raw, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
  }

  function decrypt(encrypted: string): Decrypted {
    if (!BASE64.test(encrypted)) throw new Error(`encrypt is not standard base64 (a "+" turned into a space?): ${encrypted.slice(0, 40)}`);
    const data = Buffer.from(encrypted, 'base64');
    // Every ciphertext WeCom makes is padded to 32 bytes; anything else was not made by the scheme.
    if (data.length === 0 || data.length % PAD_BLOCK !== 0) throw new Error(`ciphertext is ${String(data.length)} bytes, not a positive multiple of ${String(PAD_BLOCK)}`);
    const decipher = createDecipheriv('aes-256-cbc', key, iv).setAutoPadding(false);
    const plain = Buffer.concat([decipher.update(data), decipher.final()]);
    const pad = plain[plain.length - 1] ?? 0;
    if (pad < 1 || pad > PAD_BLOCK) throw new Error(`bad padding: last byte is ${String(pad)}, must be 1..${String(PAD_BLOCK)}`);
    if (!plain.subarray(plain.length - pad).every((byte) => byte === pad)) throw new Error(`bad padding: the last ${String(pad)} bytes are not all ${String(pad)}`);
    const unpadded = plain.subarray(0, plain.length - pad);
    const header = RANDOM_BYTES + LENGTH_BYTES;
    if (unpadded.length < header) throw new Error(`plaintext is ${String(unpadded.length)} bytes, shorter than random + length`);
    const length = unpadded.readUInt32BE(RANDOM_BYTES);
    if (header + length > unpadded.length) throw new Error(`length field says ${String(length)} bytes but only ${String(unpadded.length - header)} follow`);
    return {
      random: Buffer.from(unpadded.subarray(0, RANDOM_BYTES)),
      message: utf8.decode(unpadded.subarray(header, header + length)),
      receiveId: utf8.decode(unpadded.subarray(header + length)),
    };
  }

  function sign(timestamp: string, nonce: string, encrypted: string): string {
    // Lexicographic sort of the four strings, joined with no separator, SHA-1 in lowercase hex.
    const joined = [token, timestamp, nonce, encrypted].sort().join('');
    return createHash('sha1').update(joined, 'utf8').digest('hex');
  }

  function callback(payload: unknown, opts: CallbackOptions = {}): SignedCallback {
    const { timestamp, nonce } = stamp(opts);
    // A string is sent as the plaintext as-is, so tests can send plaintext that is not valid JSON.
    const plaintext = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const encrypted = encrypt(plaintext, opts.receiveId === undefined ? {} : { receiveId: opts.receiveId });
    const query = new URLSearchParams({ msg_signature: sign(timestamp, nonce, encrypted), timestamp, nonce }).toString();
    return { query, body: JSON.stringify({ encrypt: encrypted }), timestamp, nonce };
  }

  function urlCheck(echoPlain: string, opts: CallbackOptions = {}): UrlCheck {
    const { timestamp, nonce } = stamp(opts);
    // The echostr is itself the signed value; URLSearchParams escapes its "+", "/" and "=".
    const echostr = encrypt(echoPlain, opts.receiveId === undefined ? {} : { receiveId: opts.receiveId });
    const query = new URLSearchParams({ msg_signature: sign(timestamp, nonce, echostr), timestamp, nonce, echostr }).toString();
    return { query, timestamp, nonce };
  }

  function openReply(body: string, expect: { nonce: string }): unknown {
    if (body === '') throw new Error('passive reply is empty (an empty body means "no reply")');
    let envelope: unknown;
    try {
      envelope = JSON.parse(body);
    } catch {
      throw new Error(`passive reply is not JSON: ${body.slice(0, 80)}`);
    }
    if (typeof envelope !== 'object' || envelope === null) throw new Error(`passive reply is not a JSON object: ${body.slice(0, 80)}`);
    const { encrypt: encrypted, msgsignature, timestamp, nonce } = envelope as Record<string, unknown>;
    if (typeof encrypted !== 'string') throw new Error('passive reply has no string "encrypt"');
    if (typeof msgsignature !== 'string') throw new Error('passive reply has no string "msgsignature"');
    // The doc shows a number, the official sample echoes the callback's string; WeCom signs either as text.
    if (typeof timestamp !== 'number' && typeof timestamp !== 'string') throw new Error('passive reply has no "timestamp"');
    if (typeof nonce !== 'string') throw new Error('passive reply has no string "nonce"');
    if (nonce !== expect.nonce) throw new Error(`passive reply nonce ${JSON.stringify(nonce)} is not the callback's ${JSON.stringify(expect.nonce)}`);
    const expected = sign(String(timestamp), nonce, encrypted);
    if (msgsignature !== expected) throw new Error(`passive reply msgsignature ${msgsignature} does not match ${expected} (sha1 of sorted token, timestamp, nonce, encrypt)`);
    const { message, receiveId: replyId } = decrypt(encrypted);
    if (replyId !== '') throw new Error(`passive reply is encrypted with receive id ${JSON.stringify(replyId)}; an AI bot replies with ""`);
    try {
      return JSON.parse(message) as unknown;
    } catch {
      throw new Error(`passive reply plaintext is not JSON: ${message.slice(0, 80)}`);
    }
  }

  return { encrypt, decrypt, sign, callback, urlCheck, openReply };
}

function stamp(opts: CallbackOptions): { timestamp: string; nonce: string } {
  return {
    timestamp: opts.timestamp ?? String(Math.floor(Date.now() / 1000)),
    nonce: opts.nonce ?? String(randomInt(100_000_000, 2_000_000_000)),
  };
}

// ---- Decrypted callback payloads (docs/protocols/wecom.md §1.3, page 100719) ----

export interface MessageOptions {
  msgid: string;
  /** Present only for group chats; giving one makes the message a group message. */
  chatid?: string;
  chattype?: 'group' | 'single';
  userid: string;
  /** The text as WeCom delivers it: in a group it starts with "@BotName ". */
  content: string;
  responseUrl?: string;
  aibotid?: string;
}

interface Envelope {
  msgid: string;
  aibotid: string;
  chatid?: string;
  chattype: 'group' | 'single';
  from: { userid: string };
  response_url: string;
}

export interface WecomTextMessage extends Envelope {
  msgtype: 'text';
  text: { content: string };
}

export interface WecomMixedMessage extends Envelope {
  msgtype: 'mixed';
  mixed: { msg_item: Array<{ msgtype: 'text'; text: { content: string } } | { msgtype: 'image'; image: { url: string } }> };
}

export const TEST_AIBOT_ID = 'AIBOTID';
/**
 * Where a message points when the test gives no response_url: a refused local port, so a bot that
 * answers through it can never reach WeCom's real API host from a test.
 */
const NOWHERE = 'http://127.0.0.1:1';

function envelope(opts: MessageOptions): Envelope {
  const chattype = opts.chattype ?? (opts.chatid === undefined ? 'single' : 'group');
  if (chattype === 'group' && opts.chatid === undefined) throw new Error('a group message needs a chatid');
  if (chattype === 'single' && opts.chatid !== undefined) throw new Error('WeCom sends chatid only for group chats');
  return {
    msgid: opts.msgid,
    aibotid: opts.aibotid ?? TEST_AIBOT_ID,
    ...(opts.chatid === undefined ? {} : { chatid: opts.chatid }),
    chattype,
    from: { userid: opts.userid },
    response_url: opts.responseUrl ?? `${NOWHERE}/cgi-bin/aibot/response?response_code=${encodeURIComponent(opts.msgid)}`,
  };
}

/** A decrypted text message callback: an @-mention in a group, or a single-chat message. */
export function textMessage(opts: MessageOptions): WecomTextMessage {
  return { ...envelope(opts), msgtype: 'text', text: { content: opts.content } };
}

/** A decrypted mixed (text + image) message callback, as sent when a user pastes a picture with text. */
export function mixedMessage(opts: MessageOptions & { imageUrl?: string }): WecomMixedMessage {
  return {
    ...envelope(opts),
    msgtype: 'mixed',
    mixed: {
      msg_item: [
        { msgtype: 'text', text: { content: opts.content } },
        { msgtype: 'image', image: { url: opts.imageUrl ?? `${NOWHERE}/image/${encodeURIComponent(opts.msgid)}` } },
      ],
    },
  };
}
