/** Small helpers the setup file's checks share. */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function defined<T>(items: readonly (T | undefined)[]): T[] {
  return items.filter((x): x is T => x !== undefined);
}

export function show(value: unknown): string {
  if (typeof value === 'string') return clip(value, 30);
  if (value === null || value === undefined) return '';
  return clip(JSON.stringify(value), 30);
}

export function clip(s: string, max: number): string {
  const chars = Array.from(s);
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : s;
}
