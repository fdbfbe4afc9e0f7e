/**
 * What the bot counts, as the parts that do the work see it: named events, no metrics library.
 * `duban serve` hands in the Prometheus implementation (src/server/metrics.ts); every other
 * command and the tests get `noMetrics`, and need nothing.
 */

/** What became of a message routed to a command. */
export type MessageOutcome =
  /** A command did its work and answered. */
  | 'replied'
  /** A delivery repeated by the platform: the kept answer, nothing done again. */
  | 'duplicate'
  /** Answered without doing what was asked: no command word, no right, a mistake in it. */
  | 'refused'
  /** A bug: the generic apology. */
  | 'failed'
  /** Redis away: no answer, the platform delivers it again. */
  | 'unavailable';

/** What became of one run of a scheduled job. */
export type JobOutcome = 'ran' | 'rest-day' | 'failed';

/** A slot that passed while no instance ran it: run on start, or left to the next slot. */
export type MissedSlot = 'caught-up' | 'left';

export interface Metrics {
  /** A message routed, how it ended and how long the router took over it. */
  message(platform: string, outcome: MessageOutcome, seconds: number): void;
  /** A report recorded (not a repeat of one kept already). */
  reportRecorded(platform: string): void;
  /** A post delivered whole. */
  postSent(platform: string): void;
  /** A post's send failed; it is tried again after a pause. */
  postFailed(platform: string): void;
  /** A post given up for good: a dead letter. */
  postDead(platform: string): void;
  /** A platform said "too fast": the lane is paused. */
  ratePaused(platform: string): void;
  /** One job's run of a slot. */
  jobRun(job: string, outcome: JobOutcome): void;
  /** One job's slot missed while nothing ran. */
  slotMissed(job: string, what: MissedSlot): void;
  /** A platform connection of this process (DingTalk's Stream, WeCom's long connection) came up or went down. */
  connection(name: string, up: boolean): void;
}

const nothing = (): void => undefined;

/** Counts nothing. */
export const noMetrics: Metrics = Object.freeze({
  message: nothing,
  reportRecorded: nothing,
  postSent: nothing,
  postFailed: nothing,
  postDead: nothing,
  ratePaused: nothing,
  jobRun: nothing,
  slotMissed: nothing,
  connection: nothing,
});
