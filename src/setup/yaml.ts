/**
 * A setup file's text through the YAML reader (JSON is YAML 1.2): the reader's limits on nesting,
 * aliases and values, its syntax errors said in Chinese, and the line of each path.
 */
import { isMap, isNode, isScalar, isSeq, LineCounter, Parser, parseDocument, type Document, type YAMLError } from 'yaml';
import { setupFile } from '../messages/index.js';
import type { LineOf } from './types.js';
import { clip, isRecord } from './values.js';

const M = setupFile;
const SIG = setupFile.bytes;

/**
 * How far the YAML reader may expand anchors (`&a`) through their aliases (`*a`), counted as the
 * `yaml` package counts (nodes × aliases, https://eemeli.org/yaml/#tojs-options): a hand-written
 * county needs a few, and a "billion laughs" file of nested aliases would need billions.
 */
const MAX_ALIAS_COUNT = 100;

/**
 * The most values (scalars, lists and maps, each alias counted as all it stands for) a setup file
 * may hold once read: 1 MB of the shortest YAML (`- 1` a line) is about 260,000, so this admits
 * every file under `MAX_SETUP_BYTES` written out in full and refuses aliases that multiply it —
 * the checks below walk every value, and a few aliases of a large list would make them walk millions.
 */
const MAX_SETUP_VALUES = 500_000;

/**
 * Lists and maps inside one another: a county needs four (tasks → a task → its target). The YAML
 * reader builds values by recursion, and its stack gives out after some hundreds of levels, where
 * V8 has been seen to crash outright (out of memory compiling a regular expression) instead of
 * throwing; so nesting is measured first, on the reader's own token tree, without recursion.
 */
const MAX_NESTING = 64;
const COLLECTIONS: ReadonlySet<unknown> = new Set(['block-map', 'block-seq', 'flow-collection']);

type Source = { ok: true; data: unknown; lineOf: LineOf } | { ok: false; errors: string[] };

export function readSource(text: string, fileName: string): Source {
  if (!/\.(ya?ml|json)$/i.test(fileName)) return { ok: false, errors: [M.fileType(fileName)] };
  if (text.trim() === '') return { ok: false, errors: [M.emptyFile] };

  if (nesting(text) > MAX_NESTING) return { ok: false, errors: [SIG.tooDeep] };
  const lines = new LineCounter();
  // The core schema keeps `2026-12-31` a string; a 1.1 schema would turn it into a Date.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, schema: 'core', uniqueKeys: true });
  const [error] = doc.errors;
  if (error !== undefined) return { ok: false, errors: [syntaxError(error, text)] };
  const data: unknown = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  if (data === null || data === undefined) return { ok: false, errors: [M.emptyFile] };
  if (valueCount(data, MAX_SETUP_VALUES) > MAX_SETUP_VALUES) return { ok: false, errors: [SIG.aliases] };
  return { ok: true, data, lineOf: locator(doc, lines) };
}

/** How deeply collections nest in `text`, counted to just past `MAX_NESTING`; the reader's lexer and parser loop, they do not recurse. */
function nesting(text: string): number {
  let deepest = 0;
  const stack: { node: unknown; depth: number }[] = Array.from(new Parser().parse(text), (node) => ({ node, depth: 0 }));
  for (let top = stack.pop(); top !== undefined && deepest <= MAX_NESTING; top = stack.pop()) {
    const { node, depth } = top;
    if (typeof node !== 'object' || node === null) continue;
    const level = 'type' in node && COLLECTIONS.has(node.type) ? depth + 1 : depth;
    deepest = Math.max(deepest, level);
    for (const child of Object.values(node)) if (typeof child === 'object' && child !== null) stack.push({ node: child, depth: level });
  }
  return deepest;
}

/**
 * The values in `data` as the checks would visit them (an alias's value once per alias), counted
 * up to just past `limit`: without recursion, so a deep file cannot overflow the stack here.
 */
function valueCount(data: unknown, limit: number): number {
  let count = 0;
  const stack: unknown[] = [data];
  while (stack.length > 0 && count <= limit) {
    const value = stack.pop();
    count += 1;
    // Pushed one by one: spreading a list of 100,000 into push() would overflow the stack itself.
    const children: unknown[] = Array.isArray(value) ? value : isRecord(value) ? Object.values(value) : [];
    for (const child of children) stack.push(child);
  }
  return count;
}

/**
 * The first syntax error only: after one slip the parser's later complaints are mostly echoes
 * of it, on lines that are fine.
 */
function syntaxError(error: YAMLError, text: string): string {
  const at = error.linePos?.[0] ?? { line: 1, col: 1 };
  const source = (text.split(/\r?\n/)[at.line - 1] ?? '').trim();
  return M.syntaxAt(at.line, at.col, syntaxProblem(error), clip(source, 40));
}

/** The parser's English reason, said in Chinese; its error codes are coarser than its messages. */
function syntaxProblem(error: YAMLError): string {
  // The reader's own guard against nesting deep enough to overflow its stack.
  if (error.code === 'RESOURCE_EXHAUSTION') return SIG.tooDeep;
  const bracket = /end with an? ([\]}])/.exec(error.message)?.[1];
  if (bracket !== undefined) return M.syntaxClose(bracket);
  if (error.code === 'MISSING_CHAR') {
    const missing = M.syntaxMissing;
    if (/quote/.test(error.message)) return missing.quote;
    if (/Missing ,/.test(error.message)) return missing.comma;
    if (/space after :/.test(error.message)) return missing.colonSpace;
    if (/followed by map values/.test(error.message)) return missing.value;
    if (/Comments must be separated/.test(error.message)) return missing.comment;
  }
  return Object.entries(M.syntax).find(([code]) => code === error.code)?.[1] ?? M.syntaxOther;
}

/**
 * The line of the deepest node on `path` that exists, so a missing field points at its entry;
 * none for a missing top-level section, where the first line would only mislead.
 */
function locator(doc: Document, lines: LineCounter): LineOf {
  const start = (node: unknown): number | undefined => (isNode(node) ? node.range?.[0] : undefined);
  return (path) => {
    let node: unknown = doc.contents;
    let offset: number | undefined;
    for (const step of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(step));
        if (pair === undefined) break;
        offset = start(pair.key) ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof step === 'number') {
        const item = node.items[step];
        if (item === undefined) break;
        offset = start(item) ?? offset;
        node = item;
      } else {
        break;
      }
    }
    return offset === undefined ? undefined : lines.linePos(offset).line;
  };
}
