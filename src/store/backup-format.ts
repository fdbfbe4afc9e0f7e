/**
 * The file `duban backup` writes and `duban restore` reads (docs/backup.md): JSON, gzipped when
 * its name ends in `.gz`, one key of the county's Redis to a line. Every Redis type the bot uses
 * is kept as data, not as a DUMP payload: DUMP's bytes are tied to the RDB version of the server
 * that made them, and a county moved to an older Redis could not read them back.
 *
 * Bytes that are UTF-8 travel as JSON strings, anything else (the standings strings, the
 * dashboard's signing key) as `{ "base64": … }`, so the file is readable and binary-safe at once.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';

export const BACKUP_FORMAT = 'duban-backup';
/** Raised on any change to the schema below; a reader reads its own version and every older one (docs/backup.md). */
export const BACKUP_VERSION = 1;

/** Redis's types as TYPE names them. */
export const BACKUP_TYPES = ['string', 'hash', 'list', 'set', 'zset', 'stream'] as const;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A Redis string: text when its bytes are UTF-8, else base64. */
export const BytesSchema = z.union([z.string(), z.strictObject({ base64: z.string().regex(BASE64, 'not base64') })]);
export type Bytes = z.infer<typeof BytesSchema>;

export function toBytes(buffer: Buffer): Bytes {
  const text = buffer.toString('utf8');
  // Invalid UTF-8 decodes to U+FFFD: only text that encodes back to the same bytes is kept as text.
  return Buffer.from(text, 'utf8').equals(buffer) ? text : { base64: buffer.toString('base64') };
}

export function fromBytes(bytes: Bytes): Buffer {
  return typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes.base64, 'base64');
}

const Pair = z.tuple([BytesSchema, BytesSchema]);
/** A sorted-set score as Redis prints it (`%.17g`, `inf`, `-inf`), kept as text so it comes back to the bit. */
const Score = z.string().regex(/^(?:[-+]?inf|[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?)$/i, 'not a score');
const StreamId = z.string().regex(/^\d+-\d+$/, 'not a stream entry id');

/** `a` < `b` as stream entry ids (milliseconds, then sequence). */
export function streamIdBefore(a: string, b: string): boolean {
  const [am = 0n, as = 0n] = a.split('-').map(BigInt);
  const [bm = 0n, bs = 0n] = b.split('-').map(BigInt);
  return am < bm || (am === bm && as < bs);
}

const StreamSchema = z
  .strictObject({
    /** The stream's last generated id: the next entry written must be later, also when entries were deleted. */
    lastId: StreamId,
    entries: z.array(z.strictObject({ id: StreamId, fields: z.array(Pair).min(1) })),
  })
  .refine(({ entries }) => entries.every((entry, i) => i === 0 || streamIdBefore(entries[i - 1]?.id ?? '0-0', entry.id)), 'stream entries out of order')
  .refine(({ entries, lastId }) => entries.every((entry) => !streamIdBefore(lastId, entry.id)), 'lastId before an entry')
  .refine(({ lastId }) => lastId !== '0-0', 'lastId 0-0 is no stream');

const common = {
  /** The key without the store's prefix and its colon: the file restores under any prefix. */
  key: z.string().min(1),
  /** When the key expires (it had a TTL when read); a key past it is not restored. */
  expiresAt: z.iso.datetime({ offset: true }).optional(),
};

export const BackupEntrySchema = z.discriminatedUnion('type', [
  z.strictObject({ ...common, type: z.literal('string'), value: BytesSchema }),
  // Redis keeps no empty hash, list, set or sorted set: an empty one in a file was not read from Redis.
  z.strictObject({ ...common, type: z.literal('hash'), value: z.array(Pair).min(1) }),
  z.strictObject({ ...common, type: z.literal('list'), value: z.array(BytesSchema).min(1) }),
  z.strictObject({ ...common, type: z.literal('set'), value: z.array(BytesSchema).min(1) }),
  z.strictObject({ ...common, type: z.literal('zset'), value: z.array(z.tuple([BytesSchema, Score])).min(1) }),
  z.strictObject({ ...common, type: z.literal('stream'), value: StreamSchema }),
]);
export type BackupEntry = z.infer<typeof BackupEntrySchema>;

export const BackupFileSchema = z
  .strictObject({
    format: z.literal(BACKUP_FORMAT),
    version: z.literal(BACKUP_VERSION),
    createdAt: z.iso.datetime({ offset: true }),
    /** The county's name when it was read (none: keys without a loaded county). */
    county: z.string().nullable(),
    /** The prefix it was read under, for the record: restore writes under its own. */
    prefix: z.string().min(1),
    keys: z.array(BackupEntrySchema),
  })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.keys.forEach((entry, i) => {
      if (seen.has(entry.key)) ctx.addIssue({ code: 'custom', path: ['keys', i, 'key'], message: `key ${entry.key} twice` });
      seen.add(entry.key);
    });
  });
export type BackupFile = z.infer<typeof BackupFileSchema>;

/** Why a file is not a backup this version can restore; the terminal's words are in src/messages/cli.ts. */
export type BackupProblem =
  | { kind: 'gzip'; detail: string }
  | { kind: 'json'; detail: string }
  | { kind: 'not-backup' }
  | { kind: 'newer'; version: number }
  | { kind: 'invalid'; issues: string[] };

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
/** What a file's problems list at most: a file broken everywhere would print thousands of lines. */
const ISSUES_SHOWN = 10;

/** Whether `file` is written gzipped: by its name, as `tar` and `gzip` themselves do. */
export const gzippedName = (file: string): boolean => /\.gz$/i.test(file);

/** The file's text, header first and then one key a line (cron's diff and `zless` read it as it is). */
export function* backupLines(file: BackupFile): Generator<string> {
  const { keys, ...header } = file;
  const head = JSON.stringify(header);
  yield `${head.slice(0, -1)},"keys":[\n`;
  let i = 0;
  for (const entry of keys) {
    i += 1;
    yield `${JSON.stringify(entry)}${i < keys.length ? ',' : ''}\n`;
  }
  yield ']}\n';
}

/** The whole file as bytes, gzipped when `gzip`. */
export function encodeBackup(file: BackupFile, gzip: boolean): Buffer {
  const text = Buffer.from([...backupLines(file)].join(''), 'utf8');
  return gzip ? gzipSync(text) : text;
}

/** A backup file's bytes (gzipped or not, whatever its name says) read and checked whole. */
export function decodeBackup(bytes: Buffer): { ok: true; file: BackupFile } | { ok: false; problem: BackupProblem } {
  let text: string;
  try {
    text = (bytes.subarray(0, 2).equals(GZIP_MAGIC) ? gunzipSync(bytes) : bytes).toString('utf8');
  } catch (error) {
    return { ok: false, problem: { kind: 'gzip', detail: error instanceof Error ? error.message : String(error) } };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: { kind: 'json', detail: error instanceof Error ? error.message : String(error) } };
  }
  // Format and version first: a newer file is refused as newer, not as a list of fields this version does not know.
  const head = z.looseObject({ format: z.literal(BACKUP_FORMAT), version: z.number().int().positive() }).safeParse(data);
  if (!head.success) return { ok: false, problem: { kind: 'not-backup' } };
  if (head.data.version > BACKUP_VERSION) return { ok: false, problem: { kind: 'newer', version: head.data.version } };
  const parsed = BackupFileSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(file)'}: ${issue.message}`);
    return { ok: false, problem: { kind: 'invalid', issues: issues.slice(0, ISSUES_SHOWN) } };
  }
  return { ok: true, file: parsed.data };
}
