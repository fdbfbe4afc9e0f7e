/** Names shared by the fan-out child process and the crash fault test that checks what it posted. */

/** The WeCom group (and its webhook key) of robot `robot`. */
export const robotChat = (robot: number): string => `wrkFanout${String(robot)}`;
/** The text of post `n` of a robot: unique across the fan-out. */
export const postText = (robot: number, n: number): string => `robot${String(robot)}#${String(n)}`;
/** The outbox key of post `n` of a robot. */
export const postKey = (robot: number, n: number): string => `fanout/${robotChat(robot)}/${String(n)}`;
