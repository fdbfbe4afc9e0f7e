/**
 * What the WeCom 自建应用 APIs behind the dashboard answer (docs/protocols/wecom.md §6), as zod
 * schemas. Loose objects: WeCom adds fields, and one we do not read must not break a page view.
 */
import { z } from 'zod';

/** Every answer carries errcode and errmsg; 0 (or absent) is success, anything else is an error (global error table, docs/protocols/wecom.md §7). */
export const AppAnswerSchema = z.looseObject({ errcode: z.number().int().optional(), errmsg: z.string().optional() });

/** gettoken (docs/protocols/wecom.md §6.1, page 91039): the token needs at least 512 bytes of storage; `expires_in` is normally 7200. */
export const AccessTokenAnswerSchema = z.looseObject({ access_token: z.string().min(1), expires_in: z.number().int().positive() });

/** get_jsapi_ticket and ticket/get?type=agent_config (docs/protocols/wecom.md §6.2, page 90506): `expires_in` is normally 7200. */
export const TicketAnswerSchema = z.looseObject({ ticket: z.string().min(1), expires_in: z.number().int().positive() });

/**
 * auth/getuserinfo (docs/protocols/wecom.md §6.5, page 91023): a member of the corp comes with `userid`; anyone else with `openid`
 * (and `external_userid` when they are one of the corp's customers).
 */
export const UserInfoAnswerSchema = z.looseObject({ userid: z.string().min(1).optional(), openid: z.string().min(1).optional() });
