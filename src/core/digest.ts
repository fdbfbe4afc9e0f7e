/**
 * The leaders' daily digest as both the 09:00 job and 预警 give it: the board's warnings, with the
 * requests the leaders have left unanswered, the completions waiting for their review, and the
 * townships whose A is on leave.
 */
import { beijingDay } from '../domain/dates.js';
import { coveringOn } from '../domain/cover.js';
import { openRequests, OVERDUE_DECISION_WORKDAYS, workdaysWaiting } from '../domain/extensions.js';
import type { WorkCalendar, Ymd } from '../domain/model.js';
import { lastWorkingDaySameTime } from '../domain/schedule.js';
import type { CountyStore } from '../store/county.js';
import type { CoverStore } from '../store/cover.js';
import type { RequestStore } from '../store/requests.js';
import type { ReviewStore } from '../store/reviews.js';
import type { StandingsStore } from '../store/standings.js';
import { waitingReviews } from './reviews.js';
import type { Board } from './board.js';
import type { OutgoingMessage } from './types.js';
import { warningDigest, type Unanswered } from './views/warnings.js';

export type DigestStore = Pick<RequestStore, 'requests'> & Pick<CountyStore, 'people'> & Pick<CoverStore, 'leaves'> & Pick<ReviewStore, 'reviews'> & Pick<StandingsStore, 'progress'>;

/** The digest at `now`, compared with the last working day's; undefined when nothing is overdue, behind or waiting. */
export async function leadersDigest(board: Board, source: { store: DigestStore; calendar: WorkCalendar; now: Date; today: Ymd }): Promise<OutgoingMessage | undefined> {
  const { store, calendar, now, today } = source;
  const [requests, people, leaves] = await Promise.all([store.requests(), store.people(), store.leaves()]);
  const waiting = openRequests(requests)
    .map((request): Unanswered => ({
      request,
      township: board.townships.find((t) => t.id === request.township)?.name ?? request.township,
      waited: workdaysWaiting(beijingDay(request.at), today, calendar),
    }))
    .filter((w) => w.waited >= OVERDUE_DECISION_WORKDAYS);
  const covering = coveringOn(people, board.townships, leaves, today);
  const reviews = (await waitingReviews(store, board.tasks, board.townships)).map((w) => ({ ...w, waited: workdaysWaiting(beijingDay(w.review.at), today, calendar) }));
  return warningDigest(board, lastWorkingDaySameTime(now, calendar), now, { waiting, covering, reviews });
}
