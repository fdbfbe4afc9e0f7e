/** `duban say` and `duban chat`: the terminal speaking to the bot as someone somewhere. */
import { resolve } from 'node:path';
import { castOf, chat, defaultSpeaker, say, type Speaker } from '../adapters/console/index.js';
import { chatLogFile } from '../paths.js';
import { cli } from '../messages/index.js';
import { hintIfEmpty, openBot, options, platformOf, UsageError, write, type CliIo } from './common.js';

const speakerOptions = {
  platform: { type: 'string' },
  chat: { type: 'string' },
  user: { type: 'string' },
  name: { type: 'string' },
  id: { type: 'string' },
  demo: { type: 'boolean' },
} as const;

export async function sayCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = options(args, speakerOptions);
  const text = positionals.join(' ');
  if (values.user === undefined) throw new UsageError(cli.say.who);
  if (text.trim() === '') throw new UsageError(cli.say.what);
  const speaker: Speaker = { platform: platformOf(values.platform), chat: values.chat, user: values.user, name: values.name };
  // Like the chat, its log goes to the file, not between the question and the answer.
  const bot = await openBot(io, 'info', values.demo === true, (dataDir) => chatLogFile(dataDir, values.demo === true));
  try {
    await hintIfEmpty(bot, io);
    write(io.stdout, await say(bot.route, speaker, text, values.id));
    return 0;
  } finally {
    await bot.close();
  }
}

export async function chatCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = options(args, speakerOptions);
  // Log lines would interleave with the conversation: they go to a file, named once.
  const logFile = (dataDir: string): string => chatLogFile(dataDir, values.demo === true);
  const bot = await openBot(io, 'info', values.demo === true, logFile);
  try {
    write(io.stderr, cli.serve.logFile(logFile(io.dataDir ?? resolve('data'))));
    await hintIfEmpty(bot, io);
    const speaker = await defaultSpeaker(bot.store, { platform: platformOf(values.platform), chat: values.chat, user: values.user });
    await chat(bot.route, speaker, { input: io.stdin, output: io.stdout }, await castOf(bot.store));
    return 0;
  } finally {
    await bot.close();
  }
}
