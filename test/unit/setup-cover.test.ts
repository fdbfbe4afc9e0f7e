/** A setup file's AB角 (`cover` on a person): what it loads as, and each mistake named with its entry, line and right form. */
import { describe, expect, it } from 'vitest';
import { parseSetup, type SetupResult } from '../../src/setup/index.js';

const file = (people: string): string => `county: 测试县
townships:
  - { name: 城关镇, villages: 12 }
  - { name: 红星乡, villages: 9 }
people:
${people}
`;

function errors(result: SetupResult): string[] {
  if (result.ok) throw new Error('expected problems, the file loaded');
  return result.errors;
}

describe('cover in a setup file', () => {
  it('marks a township’s A and B, written A, B, A角 or b', () => {
    const result = parseSetup(
      file(`  - { platform: wecom, user: lisi, name: 李四, township: 城关镇, cover: A角 }
  - { platform: dingtalk, user: lisi-dd, name: 李四, township: 城关镇, cover: A }
  - { platform: wecom, user: wangwu, name: 王五, township: 城关镇, cover: b }
  - { platform: wecom, user: zhaoliu, name: 赵六, township: 城关镇 }`),
      'county.yaml',
    );
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.county.people.map((p) => [p.user, p.cover])).toEqual([['lisi', 'A'], ['lisi-dd', 'A'], ['wangwu', 'B'], ['zhaoliu', undefined]]);
  });

  it('names each mistake: a value that is not A or B, no township, two A’s, a B without an A, one person as both', () => {
    expect(
      errors(
        parseSetup(
          file(`  - { platform: wecom, user: lisi, name: 李四, township: 城关镇, cover: A }
  - { platform: wecom, user: zhangsan, name: 张三, township: 城关镇, cover: A }
  - { platform: wecom, user: wangwu, name: 王五, cover: B }
  - { platform: wecom, user: zhou, name: 周联络, township: 红星乡, cover: B }
  - { platform: wecom, user: wu, name: 吴霞, township: 城关镇, cover: C }
  - { platform: dingtalk, user: lisi-dd, name: 李四, township: 城关镇, cover: B }`),
          'county.yaml',
        ),
      ),
    ).toEqual([
      'people 第2项（张三）的 cover：城关镇的A角已是第1项（李四）：一个乡镇只有一位A角；同一个人在两个平台各写一项时，name 要写得一样（第7行）',
      'people 第3项（王五）的 cover：写了 cover 就要写 township：A角、B角是某个乡镇的联络员（第8行）',
      'people 第4项（周联络）的 cover：红星乡有B角却没有A角：B角是在A角请假时代岗的，请同时标出A角（cover: A）（第9行）',
      'people 第5项（吴霞）的 cover：应为 A（A角，主办联络员）或 B（B角，备岗），也可以写 A角、B角（第10行）',
      'people 第6项（李四）的 cover：李四不能既是A角又是B角（第11行）',
    ]);
  });
});
