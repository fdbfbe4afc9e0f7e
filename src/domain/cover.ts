/**
 * AB角 (docs/design.md §3): a township's A (主办联络员) receives its reminders, 预警 and 催办; while
 * the A is on leave (请假), its B (备岗) does. A township with no A marked is @-ed as before AB角:
 * everyone of it. Whom a township's posts @ on a day is decided here, from its people and its
 * leave, with the day as an argument: a leave ends by itself once its last day has passed.
 */
import { daysBetween } from './dates.js';
import { reportersOf, type CoverRole, type Group, type Instant, type Person, type Reporter, type Township, type Ymd } from './model.js';

/**
 * 请假: the A of `township` (`by`, the account that asked) is away from `from` to `until`, both
 * days included. `endedOn`: the day 销假 ended it early; the record stays, the ledger tells the story.
 */
export interface Leave {
  township: string;
  by: Reporter;
  from: Ymd;
  until: Ymd;
  at: Instant;
  endedOn?: Ymd;
}

interface PeopleEventBase {
  township: string;
  by: Reporter;
  at: Instant;
  /** The message it came from. */
  source: string;
}

/**
 * What the county's people ledger (人员台账) records: a leave begun — its last day, and who
 * covered then (`''`: no B) — or ended early by 销假. One that runs to its last day needs no line.
 */
export type PeopleEvent = (PeopleEventBase & { kind: 'leave'; until: Ymd; cover: string }) | (PeopleEventBase & { kind: 'back' });

/** A line of the people ledger: its stream id orders it. */
export type PeopleEntry = PeopleEvent & { id: string };

export type PeopleEntryKind = PeopleEntry['kind'];

/** A township's A and B: each a person, who may have an account on more than one platform (one `Person` each). */
export interface TownshipCover {
  a: Person[];
  b: Person[];
}

export function coverOf(people: readonly Person[], township: string): TownshipCover {
  const mine = people.filter((p) => p.township === township);
  return { a: mine.filter((p) => p.cover === 'A'), b: mine.filter((p) => p.cover === 'B') };
}

/** The name a township's A or B goes by: one person, whatever platforms they are on. */
export const nameOf = (accounts: readonly Person[]): string | undefined => accounts[0]?.name;

const sameAccount = (p: Pick<Person, 'platform' | 'user'>, q: Pick<Person, 'platform' | 'user'>): boolean => p.platform === q.platform && p.user === q.user;

/**
 * Whether `leave` keeps its A away on `today`: not ended by 销假, `today` within its days, and
 * asked by one who is still the township's A (an A replaced meanwhile takes no leave along).
 */
export function onLeave(leave: Leave | undefined, people: readonly Person[], today: Ymd): leave is Leave {
  if (leave === undefined || leave.endedOn !== undefined || today < leave.from || today > leave.until) return false;
  return coverOf(people, leave.township).a.some((p) => sameAccount(p, leave.by));
}

/** Who receives a township's posts on a day. */
export type Duty =
  /** No A marked: everyone of the township, as before AB角. */
  | { kind: 'everyone' }
  | { kind: 'a'; people: Person[] }
  /** The A is on leave; the B covers. */
  | { kind: 'b'; people: Person[]; leave: Leave }
  /** The A is on leave and the township has no B. */
  | { kind: 'nobody'; leave: Leave };

export function dutyOn(people: readonly Person[], township: string, leave: Leave | undefined, today: Ymd): Duty {
  const { a, b } = coverOf(people, township);
  if (a.length === 0) return { kind: 'everyone' };
  if (!onLeave(leave, people, today)) return { kind: 'a', people: a };
  return b.length > 0 ? { kind: 'b', people: b, leave } : { kind: 'nobody', leave };
}

/**
 * The user ids a township's reminder, 预警 or 催办 @-s in one of its groups on `today`.
 *
 * - No A: the township's people on the group's platform, exactly as before AB角.
 * - The A, or the B while the A is on leave, by their accounts on the group's platform. A group
 *   on a platform the one on duty has no account on @-s the township's people there instead (never
 *   the A on leave): a post that reaches someone beats one that reaches no one.
 * - The A on leave and no B: nobody. The post still goes into the group, where everyone sees it;
 *   @-ing the A would break into the leave the county granted, and @-ing the township's whole staff
 *   would hand them a duty nobody gave them. The admins are told once, to name a B (请假 does).
 */
export function mentionsOnDuty(people: readonly Person[], township: Township, group: Group, leave: Leave | undefined, today: Ymd): string[] {
  const duty = dutyOn(people, township.id, leave, today);
  const everyone = reportersOf(people, township, group);
  const here = (accounts: readonly Person[]): string[] => accounts.filter((p) => p.platform === group.platform).map((p) => p.user);
  switch (duty.kind) {
    case 'everyone':
      return everyone;
    case 'a': {
      const a = here(duty.people);
      return a.length > 0 ? a : everyone;
    }
    case 'b': {
      const b = here(duty.people);
      if (b.length > 0) return b;
      const away = new Set(here(coverOf(people, township.id).a));
      return everyone.filter((user) => !away.has(user));
    }
    case 'nobody':
      return [];
  }
}

/** A township whose A is on leave today: who is away, until when, and who covers (none: no B). */
export interface Covering {
  township: Township;
  away: string;
  until: Ymd;
  cover?: string;
}

/** The townships whose A is on leave on `today`, in the order of `townships`. */
export function coveringOn(people: readonly Person[], townships: readonly Township[], leaves: readonly Leave[], today: Ymd): Covering[] {
  const byTownship = new Map(leaves.map((l) => [l.township, l]));
  const out: Covering[] = [];
  for (const township of townships) {
    const leave = byTownship.get(township.id);
    if (!onLeave(leave, people, today)) continue;
    const { a, b } = coverOf(people, township.id);
    const cover = nameOf(b);
    out.push({ township, away: nameOf(a) ?? leave.by.name, until: leave.until, ...(cover === undefined ? {} : { cover }) });
  }
  return out;
}

/** How far ahead a month-day without a year may roll into next year to be a leave's last day. */
const LEAVE_ROLLOVER_DAYS = 183;

/**
 * The last day of a leave as typed (`至12月10日`), read without a year as this year's — unless that
 * day is past and the same day next year is near: `1月3日` said on 28 December is next week, while
 * `11月20日` said on 23 November is a slip for a past day, not a leave of a year (the command
 * refuses a past day). How near: half a year.
 */
export function leaveEnd(asWritten: Ymd, nextYears: Ymd, today: Ymd): Ymd {
  if (asWritten >= today) return asWritten;
  return daysBetween(today, nextYears) <= LEAVE_ROLLOVER_DAYS ? nextYears : asWritten;
}

/** `person` as the A, the B, or neither (`undefined`). */
export function withCover(person: Person, role: CoverRole | undefined): Person {
  const copy: Person = { ...person };
  delete copy.cover;
  return role === undefined ? copy : { ...copy, cover: role };
}

/** What 设置AB角 asks for a township: its A and B by name (no B: `undefined`), or no AB角 at all. */
export type CoverAsked = { kind: 'set'; a: string; b?: string } | { kind: 'clear' };

export type CoverPlan =
  | { ok: true; roleOf: (person: Person) => CoverRole | undefined }
  /** Names no one of the township goes by. */
  | { ok: false; why: 'unknown'; names: string[] }
  | { ok: false; why: 'same'; name: string };

/**
 * The marks 设置AB角 leaves on a township's people: every account of the named A and B (a person
 * on two platforms is two accounts with one name), no mark on anyone else of the township.
 */
export function planCover(people: readonly Person[], township: string, asked: CoverAsked): CoverPlan {
  if (asked.kind === 'clear') return { ok: true, roleOf: () => undefined };
  const names = new Set(people.filter((p) => p.township === township).map((p) => p.name));
  const unknown = [asked.a, ...(asked.b === undefined ? [] : [asked.b])].filter((n) => !names.has(n));
  if (unknown.length > 0) return { ok: false, why: 'unknown', names: unknown };
  if (asked.a === asked.b) return { ok: false, why: 'same', name: asked.a };
  const { a, b } = asked;
  return { ok: true, roleOf: (p) => (p.name === a ? 'A' : p.name === b ? 'B' : undefined) };
}

/**
 * A setup file loaded again: townships it marks AB角 in take the file's marks; a township it marks
 * no one in keeps the marks 设置AB角 left on its people (`stored`), if chat set them last
 * (`setInChat`). Returns the people to store, and the townships whose marks are still chat's.
 */
export function keepCoverSetInChat(
  file: readonly Person[],
  stored: readonly Person[],
  setInChat: ReadonlySet<string>,
): { people: Person[]; setInChat: string[] } {
  const marked = new Set(file.flatMap((p) => (p.cover !== undefined && p.township !== undefined ? [p.township] : [])));
  const kept = [...setInChat].filter((t) => !marked.has(t));
  const chat = new Set(kept);
  const account = (p: Pick<Person, 'platform' | 'user'>): string => `${p.platform}\n${p.user}`;
  const before = new Map(stored.filter((p) => p.township !== undefined && chat.has(p.township)).map((p) => [account(p), p]));
  const people = file.map((p): Person => {
    if (p.township === undefined || !chat.has(p.township)) return p;
    const was = before.get(account(p));
    return withCover(p, was?.township === p.township ? was.cover : undefined);
  });
  return { people, setInChat: kept };
}
