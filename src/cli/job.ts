/** `duban job NAME|all [--at …] [--dry-run]`: a scheduled slot run by hand, as the scheduler runs it. */
import { jobs } from '../../jobs/index.js';
import type { Post } from '../core/posts.js';
import { countyWindow } from '../core/posts.js';
import { planSlot, runJobs } from '../core/scheduler.js';
import { estimatingBeyondCoverage } from '../domain/calendar.js';
import { beijingDate, beijingTime } from '../domain/dates.js';
import { cli } from '../messages/index.js';
import { renderText } from '../render/plain.js';
import { hintIfEmpty, openBot, options, UsageError, write, type CliIo } from './common.js';

/** How long `duban job` waits for its posts; a paced fan-out to many groups takes minutes. */
const JOB_WAIT_MS = 30 * 60 * 1000;

/** `2026-12-01T09:00` without an offset is Beijing time, as a county reads it. */
function instantOf(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const withZone = /([zZ]|[+-]\d{2}:?\d{2})$/.test(value) ? value : `${value}+08:00`;
  const date = new Date(withZone);
  if (Number.isNaN(date.getTime())) throw new UsageError(cli.job.at(value));
  return date;
}

/** `all`: every job of the daily slot, bundled per group as the scheduler posts them. */
const ALL_JOBS = 'all';

export async function jobCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = options(args, { at: { type: 'string' }, 'dry-run': { type: 'boolean' }, demo: { type: 'boolean' } });
  const [name] = positionals;
  const chosen = name === ALL_JOBS ? jobs : jobs.filter((j) => j.name === name);
  if (chosen.length === 0) throw new UsageError(cli.job.which(name, jobs.map((j) => j.name), ALL_JOBS));
  const label = name ?? ALL_JOBS;
  const at = instantOf(values.at);
  const bot = await openBot(io, 'warn', values.demo === true);
  const deps = { store: bot.store, calendar: bot.calendar, log: bot.log };
  try {
    await hintIfEmpty(bot, io);
    const outbox = bot.outbox();
    if (values['dry-run'] === true) {
      const plan = await planSlot(chosen, at, deps, (keys) => outbox.posted(keys));
      if (!plan.ran) {
        write(io.stdout, cli.job.restDay(plan.day, label));
        return 0;
      }
      for (const post of plan.posts) write(io.stdout, `── ${post.platform}/${post.chat}（${post.key}）\n${renderText(post.message)}\n`);
      write(io.stdout, cli.job.dryRun(plan.posts.length, plan.already.length));
      return 0;
    }
    // As if the clock read --at: its office hours decide whether the posts may go out, for every
    // instance that delivers them (a running server's worker takes its share by its own clock).
    const window = await countyWindow(bot.store, bot.calendar)(at);
    // A rest day is runJobs' to say (nothing is planned then).
    if (!window.now && estimatingBeyondCoverage(bot.calendar).isWorkday(beijingDate(at))) {
      const { start, end } = (await bot.store.scheduleSettings()).officeHours;
      throw new UsageError(cli.job.outsideOfficeHours(beijingDate(at), beijingTime(at), start, end));
    }
    // A running server delivers them: a second worker here would also take the server's own posts,
    // and bury as "platform off" those for a platform whose credentials this shell lacks.
    const server = (await outbox.delivering()) === true;
    if (!server) outbox.start();
    const decided = { ...outbox, enqueue: (posts: readonly Post[]) => outbox.enqueue(posts, { windowDecided: true }) };
    const outcome = await runJobs(chosen, at, { ...deps, outbox: decided });
    if (!outcome.ran) {
      write(io.stdout, cli.job.restDay(outcome.day, label));
      return 0;
    }
    const off = new Set(outcome.platformOff);
    const waiting = outcome.posts.map((p) => p.key).filter((key) => !off.has(key));
    // A group's posts go out in turn at its robot's pace, behind any it has queued before (one
    // held for office hours waits for them): say so, or a long wait looks like a hang.
    if (waiting.length > 0) write(io.stderr, cli.job.waiting(waiting.length, server, JOB_WAIT_MS / 60_000));
    const states = await outbox.settled(waiting, JOB_WAIT_MS);
    const count = (state: string): number => [...states.values()].filter((s) => s === state).length;
    write(io.stdout, cli.job.outcome(label, outcome.day, { posts: outcome.posts.length, added: outcome.added?.length ?? 0, already: outcome.already?.length ?? 0, sent: count('sent'), dead: count('dead'), pending: count('pending') }));
    if (off.size > 0) write(io.stdout, cli.job.platformOff(off.size));
    for (const [key, state] of states) if (state === 'dead' || state === 'pending') write(io.stderr, cli.job.unsent(state === 'dead', key));
    return count('sent') + count('dropped') === states.size ? 0 : 1;
  } finally {
    await bot.close();
  }
}
