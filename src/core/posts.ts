/**
 * Unprompted posts — reminders, 预警, 通报, 催办, notices of dead letters — as everything but the
 * outbox sees them: what a post is, the key that makes it post once, and when it may go out.
 * The outbox (`src/outbox/`) only delivers them.
 */
import { createHash } from 'node:crypto';
import { estimatingBeyondCoverage } from '../domain/calendar.js';
import { beijingDate, instantMs } from '../domain/dates.js';
import { adminsOf, type ChatPlatform, type Group, type Person, type Township, type WorkCalendar, type Ymd } from '../domain/model.js';
import { postingWindow, type PostingWindow } from '../domain/schedule.js';
import { text } from '../messages/index.js';
import type { CountyStore } from '../store/county.js';
import type { DeadLetter } from '../store/types.js';
import { withMentions, type OutgoingMessage } from './types.js';

export interface Post {
  /** Job, period and group, e.g. `reminders/2026-11-23/wecom/wrk…` (see `postKey`): the same key posts once. */
  key: string;
  platform: ChatPlatform;
  chat: string;
  /** What to post; with `refresh`, what it would say now (its size reserves the group's time). */
  message: OutgoingMessage;
  /**
   * Say it as it stands when it goes out, not when it was queued: a 催办 held overnight by office
   * hours must not chase a township that has finished since. The refresher of `kind` makes the
   * message anew from `data` (JSON) when the post first goes out.
   */
  refresh?: { kind: string; data: unknown };
  /**
   * The keys of the posts this one delivers as well: a group's posts of one slot go as one message
   * (the scheduler bundles them), and a post it covered is posted, for `posted` and `enqueue`, as
   * long as the bundle is.
   */
  covers?: readonly string[];
}

/** Makes a post's message anew as it goes out (`Post.refresh`); undefined: nothing is left to say, and it is not sent. */
export type Refresher = (data: unknown, group: Group, now: Date) => Promise<OutgoingMessage | undefined>;

export interface EnqueueOptions {
  /**
   * The caller has found the posting window open for these posts (`duban job --at`, as if the clock
   * read a time in office hours): whichever instance delivers them sends them without asking the
   * window again, where a server's worker would hold them to its own clock's next window.
   */
  windowDecided?: boolean;
}

export interface Enqueued {
  added: string[];
  /** Keys queued or delivered before: left as they were. */
  already: string[];
  /** Posts for a platform that is off (no credentials): never queued, they could never go out. */
  platformOff: string[];
}

/** Where commands and jobs hand their posts (the outbox), and whether an instance delivers them (`duban say` only queues). */
export interface Posts {
  enqueue(posts: readonly Post[], options?: EnqueueOptions): Promise<Enqueued>;
  /** Whether an instance is delivering; undefined when Redis will not say. */
  delivering(): Promise<boolean | undefined>;
}

/** What a scheduled run needs of the outbox: to queue its posts, and to leave out those posted before. */
export interface SlotPosts extends Pick<Posts, 'enqueue'> {
  /** The keys, among these, of posts queued or delivered — themselves or in a bundle that covered them. */
  posted(keys: readonly string[]): Promise<Set<string>>;
}

/** Whether posting is allowed at an instant, and if not, when it will be. */
export type WindowAt = (now: Date) => Promise<PostingWindow>;

/** The county's posting window: working days (estimated past the calendar) and its office hours. */
export function countyWindow(store: Pick<CountyStore, 'scheduleSettings'>, calendar: WorkCalendar): WindowAt {
  const lenient = estimatingBeyondCoverage(calendar);
  return async (now) => postingWindow(now, lenient, (await store.scheduleSettings()).officeHours);
}

type Where = Pick<Group, 'platform' | 'chat'>;

/** A group as the outbox paces it: one line of posts per platform chat. */
export const laneOf = (group: Where): string => `${group.platform}/${group.chat}`;

/** The keys of posts: each names what the post is for, so the same post is never queued twice. */
export const postKey = {
  /** A job's post for a period (its day, or what `JobPost.part` says) to a group. */
  job: (job: string, period: string, group: Where): string => `${job}/${period}/${laneOf(group)}`,
  /** One 催办 a day per township and group: asked twice the same day, it is posted once. */
  nudge: (day: Ymd, township: string, group: Where): string => `nudge/${day}/${township}/${laneOf(group)}`,
  /** A group's posts of one slot as one message, named by what it covers: a later bundle of other posts is a post of its own. */
  bundle: (day: Ymd, group: Where, covers: readonly string[]): string =>
    `bundle/${day}/${laneOf(group)}/${createHash('sha256').update(covers.join('\n')).digest('hex').slice(0, 12)}`,
  /** A township's group told of its A's 请假, once per leave (its ledger entry). */
  leave: (entry: string, township: string, group: Where): string => `leave/${entry}/${township}/${laneOf(group)}`,
  /** A township's group told its A is back (销假), once per 销假 (its ledger entry). */
  back: (entry: string, township: string, group: Where): string => `leave-back/${entry}/${township}/${laneOf(group)}`,
  /** A leaders' group told a township on leave has no B: once a day per township, however often its A asks. */
  noCover: (day: Ymd, township: string, group: Where): string => `no-cover/${day}/${township}/${laneOf(group)}`,
  /** Once a day per dead group, each leaders' group is told. */
  /** A request's news for one group: `opened` to the leaders, `decided` to the township. */
  request: (number: number, news: 'opened' | 'decided', group: Where): string => `request/${String(number)}/${news}/${laneOf(group)}`,
  /** A review's outcome for one group: the report it was about names it (passed or returned once). */
  review: (report: string, group: Where): string => `review/${report}/${laneOf(group)}`,
  /** A task's 交办 notice to one township group, once per task and group however often the task is loaded. */
  signOff: (task: string, group: Where): string => `sign-off/${task}/${laneOf(group)}`,
  deadLetterNotice: (day: Ymd, dead: Where, to: Where): string => `dead-letter/${day}/${laneOf(dead)}/to/${laneOf(to)}`,
} as const;

/**
 * The outbox's `onDeadLetter`: the leaders' groups hear of a group that cannot be posted to, each
 * once a day per dead group, through the outbox that gave the post up.
 */
export const tellLeaders =
  (store: Pick<CountyStore, 'groups' | 'townships' | 'people'>) =>
  async (letter: DeadLetter, posts: Pick<Posts, 'enqueue'>): Promise<void> => {
    const [groups, townships, people] = await Promise.all([store.groups(), store.townships(), store.people()]);
    await posts.enqueue(deadLetterNotices(letter, { groups, townships, people }, beijingDate(new Date(instantMs(letter.at)))));
  };

/**
 * What the leaders' groups are told when a group cannot be posted to (a dead letter): every
 * leaders' group but the dead one, its admins @-ed, as they are the ones to fix it.
 */
export function deadLetterNotices(letter: DeadLetter, county: { groups: readonly Group[]; townships: readonly Township[]; people: readonly Person[] }, day: Ymd): Post[] {
  const dead = county.groups.find((g) => g.platform === letter.platform && g.chat === letter.chat);
  const name = dead?.name ?? county.townships.find((t) => t.id === dead?.township)?.name ?? letter.chat;
  return county.groups
    .filter((g) => g.role === 'leaders' && !(g.platform === letter.platform && g.chat === letter.chat))
    .map((g) => ({
      key: postKey.deadLetterNotice(day, letter, g),
      platform: g.platform,
      chat: g.chat,
      message: { ...text.outbox.deadLetter(name, letter.code), ...withMentions(adminsOf(county.people, g)) },
    }));
}
