/** A body as the fake servers record it: parsed JSON, or undefined when empty or not JSON (see `raw`). */
export function jsonOrUndefined(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}
