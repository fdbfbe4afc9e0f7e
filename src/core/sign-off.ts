/**
 * 交办 (docs/glossary.md, 签收): a task new to the county — made with 新建任务, imported with
 * `duban import`, or first listed by `duban load` — is announced to each assigned township's groups
 * where the county uses 签收. The same function serves the command and the CLI, so the notice,
 * its key and whom it @-s are one thing.
 */
import { beijingDate, beijingInstant } from '../domain/dates.js';
import { mentionsOnDuty } from '../domain/cover.js';
import type { CalendarOverrides } from '../domain/calendar.js';
import type { County, EntryOrigin, Task } from '../domain/model.js';
import type { ScheduleSettings } from '../domain/schedule.js';
import { assignedTo } from '../domain/targets.js';
import { text } from '../messages/index.js';
import type { CountySetupStore } from '../store/county-setup.js';
import type { CountyStore } from '../store/county.js';
import type { CoverStore } from '../store/cover.js';
import type { SignOffStore } from '../store/sign-off.js';
import { postKey, type Post, type Posts } from './posts.js';
import { withMentions } from './types.js';

export type AnnounceStore = Pick<CountyStore, 'groups' | 'people' | 'townships' | 'scheduleSettings'> & Pick<CoverStore, 'leaves'> & Pick<SignOffStore, 'announce'>;

export interface Announced {
  /** The tasks announced to at least one township. */
  tasks: number;
  /** The townships told, counted once each across the tasks. */
  townships: number;
}

/**
 * Announces `tasks` (each new to the county) to their townships: a township is recorded as owing a
 * 签收 only where it has a group to be told in, and a township recorded before is not told again,
 * so running this twice for a task posts nothing twice. The record goes first and the posts after
 * it: a crash between leaves a township owing a 签收 it was not told of, which the reminder after
 * one working day tells it, with the same words. Nothing at all when the county does not use 签收.
 */
export async function announceTasks(store: AnnounceStore, posts: Pick<Posts, 'enqueue'> | undefined, tasks: readonly Task[], now: Date): Promise<Announced> {
  const open = tasks.filter((t) => t.status === 'open');
  if (open.length === 0 || !(await store.scheduleSettings()).signOff) return { tasks: 0, townships: 0 };
  const [groups, townships, people, leaves] = await Promise.all([store.groups(), store.townships(), store.people(), store.leaves()]);
  const today = beijingDate(now);
  const at = beijingInstant(now);
  const queued: Post[] = [];
  const told = new Set<string>();
  let announced = 0;
  for (const task of open) {
    const reachable = townships.filter((t) => assignedTo(task, t.id) && groups.some((g) => g.township === t.id));
    const fresh = new Set(await store.announce(task.id, reachable.map((t) => t.id), at));
    if (fresh.size > 0) announced += 1;
    const message = text.commands.signing.notice(task, text.target(task.target), today);
    for (const township of reachable.filter((t) => fresh.has(t.id))) {
      told.add(township.id);
      const leave = leaves.find((l) => l.township === township.id);
      for (const group of groups.filter((g) => g.township === township.id)) {
        queued.push({
          key: postKey.signOff(task.id, group),
          platform: group.platform,
          chat: group.chat,
          message: { ...message, ...withMentions(mentionsOnDuty(people, township, group, leave, today)) },
        });
      }
    }
  }
  if (posts && queued.length > 0) await posts.enqueue(queued);
  return { tasks: announced, townships: told.size };
}

/** What `duban load` writes: the setup file's county, calendar and schedule, and who loaded it. */
export interface Loading {
  county: County;
  calendar?: CalendarOverrides;
  schedule?: ScheduleSettings;
  loadedBy?: EntryOrigin;
}

/**
 * `duban load`: writes the county, then announces the tasks new to it. Only those: a reload, or a
 * file that switches 签收 on, asks nobody to sign a task they were never handed.
 */
export async function loadAndAnnounce(
  store: AnnounceStore & Pick<CountySetupStore, 'loadCounty'> & Pick<CountyStore, 'tasks'>,
  posts: Pick<Posts, 'enqueue'> | undefined,
  loading: Loading,
  now: Date,
): Promise<Announced> {
  const before = new Set((await store.tasks()).map((t) => t.id));
  await store.loadCounty(loading.county, loading.calendar, loading.schedule, loading.loadedBy);
  return announceTasks(store, posts, loading.county.tasks.filter((t) => !before.has(t.id)), now);
}
