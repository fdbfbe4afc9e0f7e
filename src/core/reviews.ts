/** What waits for a leader's review (完成审核): read by 待办, 通过/退回, 帮助's examples and the daily digest. */
import { instantMs } from '../domain/dates.js';
import type { Task, Township } from '../domain/model.js';
import type { ReviewRecord } from '../domain/review.js';
import type { ReviewStore } from '../store/reviews.js';
import type { StandingsStore } from '../store/standings.js';

export interface WaitingReview {
  task: Task;
  township: Township;
  review: ReviewRecord;
}

/**
 * The completions waiting for a leader's review (完成审核), oldest first: those whose review still
 * names the report that stands (a later report leaves it behind).
 */
export async function waitingReviews(
  store: Pick<ReviewStore, 'reviews'> & Pick<StandingsStore, 'progress'>,
  tasks: readonly Task[],
  townships: readonly Township[],
): Promise<WaitingReview[]> {
  const ids = tasks.filter((t) => t.status === 'open').map((t) => t.id);
  const [reviews, progress] = await Promise.all([store.reviews(ids), store.progress(ids)]);
  const out: WaitingReview[] = [];
  for (const task of tasks) {
    for (const [id, review] of reviews.get(task.id) ?? []) {
      const township = townships.find((t) => t.id === id);
      if (township && review.state === 'pending' && progress.get(task.id)?.get(id)?.entry === review.report) out.push({ task, township, review });
    }
  }
  return out.sort((a, b) => instantMs(a.review.at) - instantMs(b.review.at));
}

