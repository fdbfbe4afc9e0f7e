/**
 * Redis behind Sentinel (docs/design.md §6), as REDIS_URL spells it:
 *
 *   redis+sentinel://[[user]:password@]host[:port][,host[:port]…][/master-name][?sentinelPassword=…]
 *
 * or as REDIS_SENTINELS (`host:port,host:port`) and REDIS_MASTER_NAME say it. ioredis takes the
 * sentinels as a list of addresses, not as a URL, and WHATWG URL parsing refuses several hosts in
 * one authority, so the address is read here. The same scheme is what redis-py and Lettuce accept.
 */

export interface SentinelAddress {
  host: string;
  port: number;
}

export interface SentinelSettings {
  sentinels: SentinelAddress[];
  /** The master's name as the sentinels monitor it (`sentinel monitor <name> …`). */
  name: string;
  /** The data nodes' ACL user, when not `default`. */
  username?: string;
  /** The data nodes' password (`requirepass`). */
  password?: string;
  /** The sentinels' own password (`requirepass` in sentinel.conf), when they have one. */
  sentinelPassword?: string;
}

export const SENTINEL_SCHEME = 'redis+sentinel:';

/** A sentinel's port unless one is given: https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/ */
export const SENTINEL_PORT = 26379;

/**
 * The master name when none is given: `mymaster`, the name the sentinel.conf shipped with Redis
 * (and Debian's redis-sentinel) monitors, so a stock Sentinel works without naming it twice.
 */
export const DEFAULT_MASTER_NAME = 'mymaster';

export const isSentinelUrl = (url: string): boolean => url.toLowerCase().startsWith(`${SENTINEL_SCHEME}//`);

/** `host:port,host:port` (port optional; IPv6 in brackets): the addresses, or undefined when any is malformed. */
export function parseSentinelList(list: string): SentinelAddress[] | undefined {
  const parts = list.split(',').map((p) => p.trim());
  if (parts.length === 0 || parts.some((p) => p === '')) return undefined;
  const addresses: SentinelAddress[] = [];
  for (const part of parts) {
    const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+))(?::(\d{1,5}))?$/.exec(part);
    if (!match) return undefined;
    const port = match[3] === undefined ? SENTINEL_PORT : Number(match[3]);
    if (port < 1 || port > 65535) return undefined;
    addresses.push({ host: match[1] ?? match[2] ?? '', port });
  }
  return addresses;
}

/** Decodes a percent-encoded part as ioredis decodes a URL's user-info; undefined when it is malformed. */
function decoded(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

/** The settings in a `redis+sentinel://` URL, or undefined when it is not one or is malformed. */
export function parseSentinelUrl(url: string): SentinelSettings | undefined {
  if (!isSentinelUrl(url)) return undefined;
  const rest = url.slice(`${SENTINEL_SCHEME}//`.length);
  const queryAt = rest.indexOf('?');
  const beforeQuery = queryAt === -1 ? rest : rest.slice(0, queryAt);
  const query = new URLSearchParams(queryAt === -1 ? '' : rest.slice(queryAt + 1));
  // The user-info ends at the last `@` before the path: a password may hold an (unencoded) `@`.
  const pathAt = beforeQuery.indexOf('/', beforeQuery.lastIndexOf('@') + 1);
  const authority = pathAt === -1 ? beforeQuery : beforeQuery.slice(0, pathAt);
  const path = pathAt === -1 ? '' : beforeQuery.slice(pathAt + 1);
  const userAt = authority.lastIndexOf('@');
  const userInfo = userAt === -1 ? undefined : authority.slice(0, userAt);
  const sentinels = parseSentinelList(authority.slice(userAt + 1));
  if (!sentinels) return undefined;
  // The path is the master's name only: a database number has no place with Sentinel (the bot uses 0).
  const rawName = path.replace(/\/$/, '');
  const name = rawName === '' ? DEFAULT_MASTER_NAME : decoded(rawName);
  if (name === undefined || !/^[A-Za-z0-9._-]+$/.test(name)) return undefined;
  const settings: SentinelSettings = { sentinels, name };
  if (userInfo !== undefined) {
    const colon = userInfo.indexOf(':');
    // `user:password@`, `:password@` or `user@`, as ioredis reads a redis:// URL's user-info.
    const username = decoded(colon === -1 ? userInfo : userInfo.slice(0, colon));
    const password = colon === -1 ? '' : decoded(userInfo.slice(colon + 1));
    if (password === undefined || username === undefined) return undefined;
    if (username !== '') settings.username = username;
    if (password !== '') settings.password = password;
  }
  const sentinelPassword = query.get('sentinelPassword') ?? undefined;
  if (sentinelPassword !== undefined && sentinelPassword !== '') settings.sentinelPassword = sentinelPassword;
  return settings;
}

/** The URL for these settings: how REDIS_SENTINELS and REDIS_MASTER_NAME reach the one place that connects. */
export function sentinelUrl(settings: SentinelSettings): string {
  const user = settings.username === undefined ? '' : encodeURIComponent(settings.username);
  const auth = settings.password === undefined && settings.username === undefined ? '' : `${user}:${encodeURIComponent(settings.password ?? '')}@`;
  const hosts = settings.sentinels.map((s) => `${s.host.includes(':') ? `[${s.host}]` : s.host}:${String(s.port)}`).join(',');
  const query = settings.sentinelPassword === undefined ? '' : `?${new URLSearchParams({ sentinelPassword: settings.sentinelPassword }).toString()}`;
  return `${SENTINEL_SCHEME}//${auth}${hosts}/${encodeURIComponent(settings.name)}${query}`;
}
