/** A worksheet as plain cells, as src/excel/read.ts hands it over to the task sheet's reader, and Excel's column letters. */
import type { Ymd } from '../domain/model.js';

/** What a person sees in a cell: text, a number, yes/no, a date (Excel date cells), or nothing. */
export type SheetValue = string | number | boolean | { date: Ymd } | null;

export interface SheetCell {
  /** A merged cell's value is its merge's value, here as in Excel's display. */
  value: SheetValue;
  /** Set on every cell of a merge but its top-left one: where the merge starts (1-based). */
  mergedFrom?: { row: number; col: number };
}

export interface SheetGrid {
  name: string;
  /** `rows[r - 1][c - 1]`: row and column numbers are 1-based, as Excel shows them. */
  rows: readonly (readonly SheetCell[])[];
}

/** `A`, `Z`, `AA`: Excel's column letters. */
export function columnLetter(col: number): string {
  let n = col;
  let letters = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    letters = String.fromCharCode(65 + rem) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

export const cellAt = (grid: SheetGrid, row: number, col: number): SheetCell | undefined => grid.rows[row - 1]?.[col - 1];
