/**
 * What a chat platform is to the rest of duban (docs/architecture.md §5): an adapter that posts
 * into groups and, once the router exists, takes messages in — by HTTP routes the server mounts
 * or by a connection of its own. The server, the outbox and the composition use these shapes
 * and never name a platform; each platform's folder under `src/adapters/` fills them in.
 */
import type { ChatPlatform, Group } from '../domain/model.js';
import type { RouteMessage } from './router.js';
import type { OutgoingMessage } from './types.js';

/** How an adapter posts into a group unprompted; the outbox paces and retries it. */
/**
 * `parts` counted once per message: a fan-out asks it for every post, and the posts of one
 * township's groups share their message (jobs make one per township), whose rendering into the
 * platform's markdown chunks is most of what queuing 20,000 posts costs.
 */
export function countedOnce(count: (message: OutgoingMessage) => number): (message: OutgoingMessage) => number {
  const counted = new WeakMap<OutgoingMessage, number>();
  return (message) => {
    let parts = counted.get(message);
    if (parts === undefined) counted.set(message, (parts = count(message)));
    return parts;
  };
}

export interface Poster {
  /** How many platform messages the post takes: each counts against the lane's rate. */
  parts(message: OutgoingMessage): number;
  /** Posts part `index` of the message into the group; SendError tells how a refusal should be treated. */
  sendPart(group: Group, message: OutgoingMessage, index: number): Promise<void>;
  /** How long the platform holds back a lane that posted too fast. */
  pauseMs: number;
  /**
   * How many posts a minute a lane may send, when this poster counts its sends against the
   * platform's limits itself and may go right up to them; the outbox's cautious default otherwise.
   */
  perMinute?: number;
}

/** An HTTP request as a platform route sees it: the server has read the body within its limits. */
export interface PlatformRequest {
  query: Readonly<Record<string, string | string[] | undefined>>;
  header(name: string): string | undefined;
  /** The raw body ('' for a GET): signatures are computed over the bytes as sent. */
  body: string;
}

/** A route's answer; `type` is the Content-Type when there is a body. */
export interface PlatformResponse {
  body: string;
  type?: string;
}

/** A path a platform calls us on (a webhook callback). */
export interface PlatformRoute {
  method: 'GET' | 'POST';
  path: string;
  handle(request: PlatformRequest): Promise<PlatformResponse>;
}

/** How messages reach the router from one platform. */
export interface Inbound {
  /** Routes the server mounts; none for a platform reached by a connection of its own. */
  readonly routes: readonly PlatformRoute[];
  /** Opens the platform's own connection (DingTalk's Stream), once the server listens. */
  start(): void;
  /** Takes no more messages, and waits for the answers still owed to the ones taken. */
  stop(): Promise<void>;
  /** For the start-up log: how this platform's messages arrive. */
  readonly describe: string;
}

export interface PlatformAdapter {
  readonly platform: ChatPlatform;
  readonly poster: Poster;
  /**
   * The inbound half, made once the router exists: the router needs the outbox (催办) and the
   * outbox needs the posters, so posting and receiving are two steps of one adapter.
   */
  receive(route: RouteMessage): Inbound;
}

/**
 * A platform's own way into the dashboard from the browser inside its app (WeCom's 自建应用):
 * it tells who is looking without a 看板 link, and gives the page a bridge to the app. The
 * dashboard mounts it without naming the platform.
 */
export interface AppSignIn {
  readonly platform: ChatPlatform;
  /** Whether a request comes from this platform's in-app browser, by its User-Agent. */
  inApp(userAgent: string): boolean;
  /** Where to send the browser to learn who it is; `state` holds letters and digits only. */
  authorizeUrl(redirectUri: string, state: string): string;
  /** The platform's user id the code was issued to; undefined for a non-member or a stale code. */
  userIdForCode(code: string): Promise<string | undefined>;
  /**
   * What a page opened in the app carries: `data-` attributes on its body, and the bridge's
   * library — a path served here from `source`, or without `source` the full URL of a script elsewhere.
   */
  readonly page: { attributes: Readonly<Record<string, string>>; library: { path: string; source?(): string } };
  /** The page's own script: registers the bridge where the body carries the attributes, does nothing elsewhere. */
  readonly script: string;
  /** Where the bridge asks for signatures of our pages' URLs (`GET path?kind=&url=`). */
  readonly signPath: string;
  sign(kind: string | undefined, url: string): Promise<unknown>;
}
