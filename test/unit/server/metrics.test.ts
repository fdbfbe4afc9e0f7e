import { describe, expect, it } from 'vitest';
import { createPromMetrics } from '../../../src/server/metrics.js';

/** The value of one sample line (`name{labels} value`) of the exposition, or undefined. */
const valueOf = (text: string, sample: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
};

describe('the Prometheus metrics', () => {
  it('count the outbox\'s posts, the jobs\' runs and missed slots by their labels', async () => {
    const metrics = createPromMetrics();
    metrics.postSent('dingtalk');
    metrics.postSent('dingtalk');
    metrics.postFailed('wecom');
    metrics.postDead('wecom');
    metrics.ratePaused('dingtalk');
    metrics.jobRun('reminders', 'ran');
    metrics.jobRun('reminders', 'rest-day');
    metrics.slotMissed('ranking', 'caught-up');

    const text = await metrics.scrape();

    expect(valueOf(text, 'duban_outbox_sent_total{platform="dingtalk"}')).toBe(2);
    expect(valueOf(text, 'duban_outbox_failed_total{platform="wecom"}')).toBe(1);
    expect(valueOf(text, 'duban_outbox_dead_total{platform="wecom"}')).toBe(1);
    expect(valueOf(text, 'duban_outbox_rate_limit_pauses_total{platform="dingtalk"}')).toBe(1);
    expect(valueOf(text, 'duban_job_runs_total{job="reminders",outcome="ran"}')).toBe(1);
    expect(valueOf(text, 'duban_job_runs_total{job="reminders",outcome="rest-day"}')).toBe(1);
    expect(valueOf(text, 'duban_missed_slots_total{job="ranking",what="caught-up"}')).toBe(1);
  });

  it('show each connection as it last was: 1 up, 0 down', async () => {
    const metrics = createPromMetrics();
    metrics.connection('dingtalk-stream', true);
    metrics.connection('wecom-long-connection', true);
    metrics.connection('wecom-long-connection', false);

    const text = await metrics.scrape();

    expect(valueOf(text, 'duban_connection_up{connection="dingtalk-stream"}')).toBe(1);
    expect(valueOf(text, 'duban_connection_up{connection="wecom-long-connection"}')).toBe(0);
  });

  it('read the outbox\'s depth and Redis when scraped, and still answer when Redis does not', async () => {
    let up = true;
    const metrics = createPromMetrics({
      redisUp: () => (up ? Promise.resolve(true) : Promise.reject(new Error('connection refused'))),
      outboxDepth: () => (up ? Promise.resolve([{ platform: 'wecom', state: 'waiting', count: 3 }, { platform: 'dingtalk', state: 'delayed', count: 1 }]) : Promise.reject(new Error('connection refused'))),
    });

    const before = await metrics.scrape();
    up = false;
    const after = await metrics.scrape();

    expect(valueOf(before, 'duban_redis_up')).toBe(1);
    expect(valueOf(before, 'duban_outbox_depth{platform="wecom",state="waiting"}')).toBe(3);
    expect(valueOf(before, 'duban_outbox_depth{platform="dingtalk",state="delayed"}')).toBe(1);
    expect(valueOf(after, 'duban_redis_up')).toBe(0);
    expect(valueOf(after, 'duban_outbox_depth{platform="wecom",state="waiting"}')).toBeUndefined();
  });

  it('are kept apart per instance, not in prom-client\'s global registry', async () => {
    const one = createPromMetrics();
    const other = createPromMetrics();
    one.reportRecorded('wecom');

    expect(valueOf(await one.scrape(), 'duban_reports_recorded_total{platform="wecom"}')).toBe(1);
    expect(valueOf(await other.scrape(), 'duban_reports_recorded_total{platform="wecom"}')).toBeUndefined();
  });
});
