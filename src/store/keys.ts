/**
 * Every Redis key the bot uses, built in one place (docs/design.md §4). Redis Cluster runs a script or
 * MULTI only when all its keys hash to one slot, and hashes only the `{…}` part of a key when
 * there is one. So keys of one task carry `{t:<taskId>}` (the report scripts touch its progress,
 * ledger and dedupe marker at once; a request's scripts its requests, deadlines and ledger), and the setup-file keys carry `{county}` (loadCounty
 * replaces them in one MULTI). Per-reporter and per-month keys stand alone.
 */
import type { Ym, ChatPlatform } from '../domain/model.js';

/** The key prefix of a real county: the demo and the tests never use it. */
export const PRODUCTION_PREFIX = 'duban';
/** The demo county's own key space (`npm run demo`). */
export const DEMO_PREFIX = 'duban-demo';

export interface Keys {
  readonly prefix: string;
  /** Matches every key of this store, for SCAN (the prefix has no glob characters). */
  all(): string;

  /**
   * Hash: `name` → the county's name, `calendar` → JSON work-calendar overrides, `schedule` → JSON
   * ScheduleSettings; in the demo's key space, `demo` → the day the demo county was built.
   */
  county(): string;
  /** Hash township id → JSON Township. */
  townships(): string;
  /** Hash `<platform>:<chat>` → JSON Group. */
  groups(): string;
  /** Hash `<platform>:<user>` → JSON Person. */
  people(): string;
  /** Hash task id → JSON Task. */
  tasks(): string;
  /**
   * String: the version of the county's hashes above (and of the leaves), a random id every write
   * of them stamps; what each process's copy of the county is checked against (county.ts).
   */
  countyVersion(): string;
  /**
   * Counter: bumped right behind every write of a task's standings or granted deadlines, so a
   * process that has seen its value knows whether anything the ranking reads changed since (ranking-clock.ts).
   */
  rankingClock(): string;
  /** Counter behind `T<n>` ids of tasks created in chat. */
  taskSeq(): string;
  /** Counter behind the numbers of requests (延期申请#7). */
  requestSeq(): string;
  /** Hash request number → the id of the task whose requests hash holds it. */
  requestIndex(): string;
  /** Hash township id → its slot in every task's standings (assign-slots.lua); never shrinks. */
  townshipSlots(): string;
  /** Set of the task ids the last setup file loaded said were closed: a reload closes only the ones it newly says. */
  closedInFile(): string;
  /** Set of the township ids whose AB角 an admin set in chat last: a reload that marks no one there keeps them. */
  coverSetInChat(): string;
  /** Hash township id → JSON Leave: its A's latest 请假 (kept after it ends; a reload never touches it). */
  leaves(): string;
  /** Stream: the county's people ledger (人员台账) — leaves begun and ended, which concern no one task. */
  peopleLedger(): string;
  /** JSON LastReport of one reporter, for 撤回 (marked once undone); expires after a day. */
  lastReport(platform: ChatPlatform, user: string): string;
  /** JSON RankingSnapshot of a finished month. */
  ranking(month: Ym): string;
  /** JSON OutgoingMessage: the reply given to one source message, for its redeliveries (without its picture). */
  reply(source: string): string;
  /** String: the base64 picture of that reply, kept a shorter while. */
  replyPicture(source: string): string;
  /** A platform's own answer to one callback, as sent (WeCom: the passive reply of a stream id). */
  callbackReply(platform: ChatPlatform, id: string): string;
  /** Marks one inbound message as taken by a worker, so two instances never handle it twice. */
  callbackClaim(platform: ChatPlatform, id: string): string;

  /**
   * Hash `next`, `shift` (see reserve-slot.lua) and `free` (when its last send allows the next):
   * when one lane (a group's way of posting) may post.
   */
  lanePacing(lane: string): string;
  /** List of JSON dead letters: posts a platform refused for good, newest first. */
  deadLetters(): string;
  /** The prefix BullMQ puts before its own keys; `{outbox}` keeps a queue's keys in one Cluster slot. */
  queuePrefix(): string;
  /** Sorted set of a lane's posts waiting to go, by reserved time: only the first may be sent. */
  laneQueue(lane: string): string;
  /** String: the instance that won one scheduled run (job and slot); never released. */
  runMarker(run: string): string;
  /** String: a scheduled run (job and slot) queued all its posts. */
  runDone(run: string): string;
  /** String: the outbox key of the bundle that delivers the post keyed `post` (see Post.covers in core/posts.ts). */
  coveredBy(post: string): string;

  /** String: a picture's bytes (a ranking chart), by the SHA-256 of its content; expires. */
  image(id: string): string;
  /** String: a secret the bot made for itself (the dashboard's link signing key). */
  secret(name: string): string;
  /** String: a platform credential cached for all instances (an access token, a jsapi ticket); expires. */
  credential(name: string): string;
  /** String: the instance that holds lease `name` (a platform connection only one may keep open); expires unless renewed. */
  lease(name: string): string;
  /** List: sends handed to the instance holding connection `name`, each JSON with its deadline. */
  handedOver(name: string): string;
  /** String: the holder's answer to one handed-over send; expires. */
  handedOverAnswer(id: string): string;
  /** Sorted set: the recent sends of one conversation or bot, by time, against its rate limits. */
  budget(name: string): string;
  /** String, while it lasts: WeCom refused posts to this group over the long connection, so its webhook takes them. */
  socketRefused(chat: string): string;
  /** String: a platform's id for an uploaded file (a chart), by who uploaded it and the file's digest; expires before the platform forgets it. */
  mediaId(platform: ChatPlatform, file: string): string;

  /** Hash township id → JSON progress of one task. */
  progress(taskId: string): string;
  /** Stream: the task's append-only ledger (工作台账). */
  ledger(taskId: string): string;
  /** String: the task's standings, 16 bytes per township slot, for ranking (record-report.lua). */
  standings(taskId: string): string;
  /** String: the standings in the 40-byte layout of earlier versions; deleted once `standings` is made (set-standings.lua). */
  formerStandings(taskId: string): string;
  /** Hash: request number → JSON ExtensionRequest; `open:<township id>` → the number of its open one. */
  requests(taskId: string): string;
  /** Hash township id → JSON ReviewRecord: a completion waiting for review (完成审核) or passed. */
  reviews(taskId: string): string;
  /** Hash township id → JSON Grant: a deadline 同意 gave that township for the task. */
  deadlines(taskId: string): string;
  /** String: the ledger entry id a source message produced; marks it as recorded for 7 days. */
  seen(taskId: string, source: string): string;
  /**
   * Hash of the task's 签收: township id → JSON {announced} (交办 was posted to it; set once, so a
   * reload never announces again), `signed:<township id>` → JSON Signature (sign-off.lua).
   */
  signOffs(taskId: string): string;

  /** The hash field of a group in `groups()`. */
  groupField(platform: ChatPlatform, chat: string): string;
  /** The hash field of a person in `people()`. */
  personField(platform: ChatPlatform, user: string): string;
}

export function createKeys(prefix = PRODUCTION_PREFIX): Keys {
  // Redis hashes only the part between the first `{` and the next `}`: a brace in the prefix
  // would become the hash tag of every key and silently put all tasks in one slot (or split one).
  // A glob character would make `all()` match other stores' keys.
  if (prefix === '' || /[{}*?[\]\\]/.test(prefix)) {
    throw new Error(`Redis key prefix must be non-empty and free of braces and glob characters: ${JSON.stringify(prefix)}`);
  }
  const task = (taskId: string): string => `${prefix}:{t:${taskId}}`;
  const county = `${prefix}:{county}`;
  return {
    prefix,
    all: () => `${prefix}:*`,
    county: () => county,
    townships: () => `${county}:townships`,
    groups: () => `${county}:groups`,
    people: () => `${county}:people`,
    tasks: () => `${county}:tasks`,
    countyVersion: () => `${county}:version`,
    rankingClock: () => `${county}:ranking-clock`,
    taskSeq: () => `${county}:task-seq`,
    townshipSlots: () => `${county}:township-slots`,
    requestSeq: () => `${county}:request-seq`,
    requestIndex: () => `${county}:request-index`,
    closedInFile: () => `${county}:closed-in-file`,
    coverSetInChat: () => `${county}:cover-set-in-chat`,
    leaves: () => `${county}:leaves`,
    peopleLedger: () => `${county}:people-ledger`,
    lastReport: (platform, user) => `${prefix}:last:${platform}:${user}`,
    ranking: (month) => `${prefix}:ranking:${month}`,
    reply: (source) => `${prefix}:reply:${source}`,
    replyPicture: (source) => `${prefix}:reply-picture:${source}`,
    callbackReply: (platform, id) => `${prefix}:callback-reply:${platform}:${id}`,
    callbackClaim: (platform, id) => `${prefix}:callback-claim:${platform}:${id}`,
    // The key names keep the outbox's first word for a lane, `robot`: pacing state outlives a deploy.
    lanePacing: (lane) => `${prefix}:robot:${lane}`,
    deadLetters: () => `${prefix}:dead-letters`,
    queuePrefix: () => `${prefix}:{outbox}`,
    laneQueue: (lane) => `${prefix}:robot-queue:${lane}`,
    runMarker: (run) => `${prefix}:run:${run}`,
    runDone: (run) => `${prefix}:run-done:${run}`,
    coveredBy: (post) => `${prefix}:covered-by:${post}`,
    image: (id) => `${prefix}:image:${id}`,
    secret: (name) => `${prefix}:secret:${name}`,
    credential: (name) => `${prefix}:credential:${name}`,
    lease: (name) => `${prefix}:lease:${name}`,
    handedOver: (name) => `${prefix}:handed-over:${name}`,
    handedOverAnswer: (id) => `${prefix}:handed-over-answer:${id}`,
    budget: (name) => `${prefix}:budget:${name}`,
    socketRefused: (chat) => `${prefix}:socket-refused:wecom:${chat}`,
    mediaId: (platform, file) => `${prefix}:media:${platform}:${file}`,
    progress: (taskId) => `${task(taskId)}:progress`,
    ledger: (taskId) => `${task(taskId)}:ledger`,
    standings: (taskId) => `${task(taskId)}:cells`,
    formerStandings: (taskId) => `${task(taskId)}:standings`,
    requests: (taskId) => `${task(taskId)}:requests`,
    deadlines: (taskId) => `${task(taskId)}:deadlines`,
    reviews: (taskId) => `${task(taskId)}:reviews`,
    seen: (taskId, source) => `${task(taskId)}:seen:${source}`,
    signOffs: (taskId) => `${task(taskId)}:sign-off`,
    groupField: (platform, chat) => `${platform}:${chat}`,
    personField: (platform, user) => `${platform}:${user}`,
  };
}
