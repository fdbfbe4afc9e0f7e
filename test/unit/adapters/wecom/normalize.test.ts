import { describe, expect, it } from 'vitest';
import { withoutMention } from '../../../../src/adapters/wecom/normalize.js';

describe('withoutMention', () => {
  it.each([
    ['@督办助手\u2005上报 T3 80%', '上报 T3 80%'],
    ['@督办助手(测试)\u2005上报 T3 80%', '上报 T3 80%'],
    ['@Duban Bot\u2005排名', '排名'],
    ['@督办助手 上报 T3 80%', '上报 T3 80%'],
    ['＠督办助手 截止', '截止'],
    ['上报 T3 80%', '上报 T3 80%'],
  ])('reads %j as %j', (content, command) => {
    expect(withoutMention(content)).toBe(command);
  });
});
