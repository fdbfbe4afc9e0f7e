/**
 * The font the charts are drawn with, shipped beside the code (`src/render/fonts/`): a slim server
 * has no CJK font, and without one every Chinese character renders as a box. It is a subset
 * (GB2312, common place-name characters, the sample county's names; see its README), so a
 * county's names are checked against it with `missingGlyphs` rather than trusted.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';

/** Absolute: this module runs from `src/` under vitest and from `dist/src/` after `tsc`. */
export const FONT_FILE: string = join(packageRoot(), 'src', 'render', 'fonts', 'NotoSansSC-duban.otf');

/** The family name inside the font file, which resvg matches `font-family` against. */
export const FONT_FAMILY = 'Noto Sans CJK SC';

/** Characters that draw nothing, so need no glyph: spaces, controls, joiners, variation selectors. */
const INVISIBLE = /[\s\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/u;

let covered: ReadonlySet<number> | undefined;

/** The distinct characters of `text`, in order of appearance, that the shipped font cannot draw. */
export function missingGlyphs(text: string): string[] {
  covered ??= codePointsOf(readFileSync(FONT_FILE));
  const font = covered;
  const missing = new Set<string>();
  for (const char of text) {
    const code = char.codePointAt(0);
    if (code !== undefined && !INVISIBLE.test(char) && !font.has(code)) missing.add(char);
  }
  return [...missing];
}

/**
 * The code points an OpenType font maps to a glyph other than `.notdef`, from its `cmap` table
 * (OpenType spec, "cmap — Character to Glyph Index Mapping Table"): the full-Unicode format 12
 * subtable where there is one — (3,10) or (0,4); format 4 covers only the BMP — else the BMP
 * format 4 subtable, (3,1) or (0,3).
 */
export function codePointsOf(font: Uint8Array): Set<number> {
  const view = new DataView(font.buffer, font.byteOffset, font.byteLength);
  const u16 = (at: number): number => view.getUint16(at);
  const u32 = (at: number): number => view.getUint32(at);

  let cmap: number | undefined;
  for (let i = 0, n = u16(4); i < n && cmap === undefined; i += 1) {
    const record = 12 + 16 * i;
    if (u32(record) === 0x636d6170 /* 'cmap' */) cmap = u32(record + 8);
  }
  if (cmap === undefined) throw new Error('font has no cmap table');

  const subtables = new Map<string, number>();
  for (let i = 0, n = u16(cmap + 2); i < n; i += 1) {
    const record = cmap + 4 + 8 * i;
    const at = cmap + u32(record + 4);
    subtables.set(`${u16(record)},${u16(record + 2)},${u16(at)}`, at);
  }

  const codes = new Set<number>();
  const full = subtables.get('3,10,12') ?? subtables.get('0,4,12');
  if (full !== undefined) {
    for (let g = 0, n = u32(full + 12); g < n; g += 1) {
      const group = full + 16 + 12 * g;
      const [first, last, glyph] = [u32(group), u32(group + 4), u32(group + 8)];
      for (let code = first; code <= last; code += 1) if (glyph + code - first !== 0) codes.add(code);
    }
    return codes;
  }

  const bmp = subtables.get('3,1,4') ?? subtables.get('0,3,4');
  if (bmp === undefined) throw new Error('font has no Unicode cmap subtable of format 4 or 12');
  const segments = u16(bmp + 6) / 2;
  const ends = bmp + 14;
  const starts = ends + 2 * segments + 2;
  const deltas = starts + 2 * segments;
  const rangeOffsets = deltas + 2 * segments;
  for (let s = 0; s < segments; s += 1) {
    const [first, last] = [u16(starts + 2 * s), u16(ends + 2 * s)];
    const [delta, rangeOffset] = [u16(deltas + 2 * s), u16(rangeOffsets + 2 * s)];
    for (let code = first; code <= last && code !== 0xffff; code += 1) {
      // idRangeOffset counts bytes from its own slot to the glyph id of `first` in glyphIdArray.
      const raw = rangeOffset === 0 ? code : u16(rangeOffsets + 2 * s + rangeOffset + 2 * (code - first));
      const glyph = rangeOffset !== 0 && raw === 0 ? 0 : (raw + delta) & 0xffff;
      if (glyph !== 0) codes.add(code);
    }
  }
  return codes;
}
