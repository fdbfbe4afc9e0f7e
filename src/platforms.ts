/**
 * The platforms that are on, from the config: their inbound paths for the server and their
 * posters for the outbox. `serve` and `duban job` assemble the same way.
 */
import type { Redis } from 'ioredis';
import { refreshersFor } from '../commands/index.js';
import { consolePoster } from './adapters/console/index.js';
import { createDingtalk, type Dingtalk } from './adapters/dingtalk/index.js';
import { createWecom, type Wecom } from './adapters/wecom/index.js';
import type { Bot } from './bot.js';
import type { Config } from './config.js';
import type { Logger } from './core/logger.js';
import { createOutbox, type Outbox, type Poster } from './outbox/index.js';
import { createKeys } from './store/keys.js';
import type { ChatPlatform } from './domain/model.js';
import { countyWindow, tellLeaders } from './core/posts.js';

export interface Platforms {
  wecom?: Wecom;
  dingtalk?: Dingtalk;
  posters: Partial<Record<ChatPlatform, Poster>>;
}

/** `write` is where posts to the terminal's own groups (the sample county's console groups) go. */
export function createPlatforms(config: Config, bot: Bot, log: Logger, write: (text: string) => void): Platforms {
  const deps = { route: bot.route, store: bot.store, log };
  const wecom = config.wecom ? createWecom(config.wecom, deps) : undefined;
  const dingtalk = config.dingtalk ? createDingtalk(config.dingtalk, deps) : undefined;
  return {
    wecom,
    dingtalk,
    posters: { console: consolePoster(write), ...(wecom ? { wecom: wecom.poster } : {}), ...(dingtalk ? { dingtalk: dingtalk.poster } : {}) },
  };
}

/** The outbox, posting within the county's window; a dead letter is told to the leaders' groups. */
export function openOutbox(redis: Redis, bot: Bot, platforms: Platforms, log: Logger, options: { prefix?: string } = {}): Outbox {
  return createOutbox({
    redis,
    queuePrefix: createKeys(options.prefix).queuePrefix(),
    store: bot.store,
    posters: platforms.posters,
    log: log.child({ part: 'outbox' }),
    window: countyWindow(bot.store, bot.calendar),
    refreshers: refreshersFor({ store: bot.store, calendar: bot.calendar }),
    onDeadLetter: tellLeaders(bot.store),
  });
}
