/**
 * Every word a person reads, by audience (zh-CN), over one vocabulary: chat (./chat.ts, with the
 * dashboard's page, ./dashboard.ts), the setup file (./setup-file.ts), Excel (./excel.ts), the
 * terminal (./cli.ts; `duban doctor`'s checks, ./doctor.ts), and AB角 in all of them (./cover.ts). No user-facing Chinese is written anywhere else; log lines are English.
 */
export * from './vocabulary.js';
export { text, type ExampleSource, type StandingView } from './chat.js';
export { dashboard } from './dashboard.js';
export { setupFile } from './setup-file.js';
export { amountText, exportMessages, sheetMessages, tableWords, targetText, townshipsText, workbookMessages, workbookPage } from './excel.js';
export { cli } from './cli.js';
export { doctor } from './doctor.js';
export { cover } from './cover.js';
