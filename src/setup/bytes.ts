/** A setup file as bytes: its size and its encoding, checked before any of it is read as YAML. */
import { isUtf8 } from 'node:buffer';
import { setupFile } from '../messages/index.js';

const SIG = setupFile.bytes;

/**
 * The largest setup file read. The sample county (13 townships, 12 tasks) is 16 KB and a county
 * with hundreds of people and tasks stays well under 1 MB; the YAML reader keeps a node per value
 * with its position, tens of times the file's size, so a larger file is a wrong file, not a county.
 */
export const MAX_SETUP_BYTES = 1024 * 1024;

/** The file's text, or why its bytes are refused. */
export function decodeSetup(bytes: Uint8Array): string | { problem: string } {
  if (bytes.length > MAX_SETUP_BYTES) return { problem: SIG.tooLarge(bytes.length, MAX_SETUP_BYTES) };
  const utf16 = utf16Of(bytes);
  if (utf16 !== undefined) return { problem: SIG.utf16(utf16) };
  let text: string;
  try {
    // Strict: one byte that is not UTF-8 refuses the file, where the default decoder would keep going with U+FFFD.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { problem: SIG.notUtf8(firstLine(bytes, (line) => !isUtf8(line))) };
  }
  // Valid UTF-8 holding U+FFFD: an editor opened the file in the wrong encoding and saved what it showed.
  const garbled = text.split('\n').findIndex((line) => line.includes('\uFFFD'));
  if (garbled >= 0) return { problem: SIG.garbled(garbled + 1) };
  return text;
}

/**
 * UTF-16 by its byte-order mark, or without one by its NUL bytes: YAML's keys are ASCII, which
 * UTF-16 writes with a NUL after (LE) or before (BE) each letter, and UTF-8 text has no NUL at all.
 */
function utf16Of(bytes: Uint8Array): 'le' | 'be' | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'be';
  let even = 0;
  let odd = 0;
  const head = bytes.subarray(0, 4096);
  head.forEach((byte, i) => {
    if (byte !== 0) return;
    if (i % 2 === 0) even += 1;
    else odd += 1;
  });
  // Mostly on one side: a stray NUL in a UTF-8 file is not UTF-16, and the YAML reader says where it is.
  if (odd > head.length / 8 && odd > even * 4) return 'le';
  if (even > head.length / 8 && even > odd * 4) return 'be';
  return undefined;
}

/** The 1-based number of the first line (split at LF bytes, which no UTF-8 or GBK character contains) that `bad` holds for. */
function firstLine(bytes: Uint8Array, bad: (line: Uint8Array) => boolean): number {
  let start = 0;
  let line = 1;
  for (;;) {
    const end = bytes.indexOf(0x0a, start);
    if (bad(bytes.subarray(start, end < 0 ? bytes.length : end)) || end < 0) return line;
    start = end + 1;
    line += 1;
  }
}
