/**
 * The terminal's messages: `duban say` speaks one line, `duban chat` and the demo a conversation,
 * through the same router the webhooks use.
 */
import { createInterface } from 'node:readline';
import type { RouteMessage } from '../../core/router.js';
import type { ChatPlatform } from '../../domain/model.js';
import { cli } from '../../messages/index.js';
import type { CountyStore } from '../../store/county.js';
import { consoleMessage, type Speaker } from './normalize.js';
import { shown } from './render.js';

/** One line said as `speaker`; the reply as the terminal shows it. */
export async function say(route: RouteMessage, speaker: Speaker, said: string, messageId?: string): Promise<string> {
  return shown(await route(consoleMessage(speaker, said, messageId)));
}

/**
 * An interactive chat. Lines starting with `:` change who and where you are:
 * `:user 书记`, `:chat 领导群`, `:direct`, `:quit`. The prompt names the speaker as the county
 * knows them (`李联络`), through `nameOf`.
 */
export async function chat(
  route: RouteMessage,
  first: Speaker,
  io: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream; signal?: AbortSignal },
  cast: Cast = NO_CAST,
): Promise<void> {
  const { nameOf } = cast;
  let speaker = first;
  // `signal` ends the chat from outside (the server stopping on SIGTERM): a terminal left waiting
  // for a line would keep the process alive.
  const rl = createInterface({ input: io.input, output: io.output, terminal: 'isTTY' in io.input && io.input.isTTY === true, ...(io.signal ? { signal: io.signal } : {}) });
  const prompt = async (): Promise<void> => {
    const name = speaker.name ?? (await nameOf(speaker)) ?? speaker.user;
    rl.setPrompt(cli.chat.prompt(speaker.chat, name));
    rl.prompt();
  };
  io.output.write([...cli.chat.heading(cast.users, cast.chats), ''].join('\n'));
  // Made before the first await: lines that arrive while the prompt is prepared must not be lost.
  const lines = rl[Symbol.asyncIterator]();
  await prompt();
  for await (const raw of { [Symbol.asyncIterator]: () => lines }) {
    const line = raw.trim();
    if (line === ':quit' || line === ':q') break;
    if (line.startsWith(':user ')) speaker = { ...speaker, user: line.slice(6).trim(), name: undefined };
    else if (line.startsWith(':chat ')) speaker = { ...speaker, chat: line.slice(6).trim() };
    else if (line === ':direct') speaker = { ...speaker, chat: undefined };
    else if (line !== '') io.output.write(`${await say(route, speaker, line)}\n\n`);
    await prompt();
  }
  rl.close();
}

/** Who and where the terminal may speak as, from the county: named in the chat's prompt and its help line. */
export interface Cast {
  nameOf: (speaker: Speaker) => Promise<string | undefined>;
  /** The county's terminal users (`:user`) and groups (`:chat`). */
  users: readonly string[];
  chats: readonly string[];
}

const NO_CAST: Cast = { nameOf: () => Promise.resolve(undefined), users: [], chats: [] };

/** The county's people and groups on the terminal platform. */
export async function castOf(store: Pick<CountyStore, 'person' | 'people' | 'groups'>): Promise<Cast> {
  const [people, groups] = await Promise.all([store.people(), store.groups()]);
  return {
    nameOf: async (speaker) => (await store.person(speaker.platform, speaker.user))?.name,
    users: people.filter((p) => p.platform === 'console').map((p) => p.user),
    chats: groups.filter((g) => g.platform === 'console').map((g) => g.chat),
  };
}

/** Without flags, the terminal speaks as the sample county's 城关镇 clerk, or in the first township group. */
export async function defaultSpeaker(
  store: Pick<CountyStore, 'groups'>,
  given: { platform: ChatPlatform; chat?: string; user?: string },
): Promise<Speaker> {
  if (given.chat !== undefined || given.user !== undefined) return { platform: given.platform, chat: given.chat, user: given.user ?? '联络员' };
  const groups = (await store.groups()).filter((g) => g.platform === given.platform && g.township !== undefined);
  const chatId = groups.find((g) => g.chat === '城关镇工作群')?.chat ?? groups[0]?.chat;
  return { platform: given.platform, chat: chatId, user: '联络员' };
}
