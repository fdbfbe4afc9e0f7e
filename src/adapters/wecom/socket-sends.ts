/**
 * What every send over the long connection shares (docs/protocols/wecom.md §10): WeCom's answer read
 * as the outbox reads the webhook's, and the per-conversation limits — 30 messages a minute and
 * 1,000 an hour, replies and pushes together — counted in Redis for all instances.
 */
import { SendError } from '../../core/errors.js';
import type { ConnectionStore, RateWindow } from '../../store/connections.js';
import type { LongConnection } from './long-connection.js';
import { wecomWebhookFailure } from './send.js';
import type { Ack } from './socket.js';

/** Messages a minute to one conversation. */
export const PER_MINUTE = 30;
/** Per conversation, replies and pushes together. */
export const CONVERSATION_LIMITS: readonly RateWindow[] = [
  { ms: 60_000, max: PER_MINUTE },
  { ms: 3_600_000, max: 1000 },
];

/** The budget name of one conversation: its replies and its pushes count together. */
export const conversationBudget = (chat: string): string => `wecom/${chat}`;

/** The webhook's classification, and 40008 (a message type the long connection does not take) as permanent. */
const socketFailure = (errcode: number) => (errcode === 40008 ? 'permanent' : wecomWebhookFailure(errcode));

/** A send's answer as the outbox treats it: nothing when accepted, SendError otherwise (as for the webhook). */
export function ackFailure(ack: Ack, what: string): SendError | undefined {
  const failure = socketFailure(ack.errcode);
  return failure === undefined ? undefined : new SendError(`WeCom refused ${what}: ${String(ack.errcode)} ${ack.errmsg}`.trim(), String(ack.errcode), failure);
}

/** Sends one command over the connection; SendError when WeCom refuses it. */
export async function sendChecked(connection: Pick<LongConnection, 'send'>, cmd: string, body: unknown, what: string): Promise<Ack> {
  const ack = await connection.send(cmd, body);
  const refused = ackFailure(ack, what);
  if (refused) throw refused;
  return ack;
}

/** Counts one send against budget `name`; a rate-limited SendError saying how long to wait when a window is full. */
export async function spend(store: Pick<ConnectionStore, 'spendBudget'>, name: string, windows: readonly RateWindow[]): Promise<void> {
  const waitMs = await store.spendBudget(name, Date.now(), windows);
  if (waitMs > 0) throw new SendError(`${name} is at WeCom's rate limit for ${String(waitMs)} ms more`, 'budget', 'rate-limited', waitMs);
}
