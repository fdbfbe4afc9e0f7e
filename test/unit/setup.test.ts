import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCHEDULE } from '../../src/domain/schedule.js';
import { parseSetup, type SetupResult } from '../../src/setup/index.js';

const root = new URL('../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');
const fixture = (name: string): string => read(`test/fixtures/setup/${name}`);

function ok(result: SetupResult) {
  if (!result.ok) throw new Error(`expected the file to load, got:\n${result.errors.join('\n')}`);
  return result;
}

function errors(result: SetupResult): string[] {
  if (result.ok) throw new Error('expected problems, the file loaded');
  return result.errors;
}

type Entry = Record<string, unknown>;

interface Draft {
  [section: string]: unknown;
  townships: Entry[];
  groups: Entry[];
  people: Entry[];
  tasks: Entry[];
}

/** A valid county to break one field of at a time. */
const base: Draft = {
  county: '示范县',
  townships: [
    { name: '城关镇', villages: 12 },
    { name: '红星乡', villages: 9 },
    { name: '东城街道', villages: 8 },
  ],
  groups: [
    { platform: 'wecom', chat: 'wrkAAA', township: '城关镇' },
    { platform: 'wecom', chat: 'wrkBBB', township: '红星乡' },
    { platform: 'dingtalk', chat: 'cidCCC==', role: 'leaders' },
  ],
  people: [{ platform: 'wecom', user: 'zhangsan', name: '张三', roles: ['admin'] }],
  tasks: [
    { id: 'T1', title: '农民夜校全覆盖', deadline: '2026-12-31', target: { count: 1, per: 'village' } },
    { id: 'T2', title: '软弱涣散党组织整顿转化', deadline: '2026-11-30', target: { percent: 100 } },
  ],
};

/** The base county with one edit, written as indented JSON (which is YAML too). */
function problemsAfter(edit: (county: Draft) => void): string[] {
  const county = structuredClone(base);
  edit(county);
  return errors(parseSetup(JSON.stringify(county, null, 2), 'county.yaml'));
}

function at(entries: readonly Entry[], index: number): Entry {
  const entry = entries[index];
  if (entry === undefined) throw new Error(`the base county has no entry ${String(index)} here`);
  return entry;
}

describe('reading a setup file', () => {
  it('loads the sample county shipped in examples/', () => {
    const { county, calendar } = ok(parseSetup(read('examples/sample-county.yaml'), 'sample-county.yaml'));

    expect(county.name).toBe('示范县');
    expect(county.townships).toHaveLength(13);
    expect(county.townships).toContainEqual({ id: '城关镇', name: '城关镇', villages: 12 });
    expect(county.townships).toContainEqual({ id: '红星乡', name: '红星乡', villages: 9 });
    for (const platform of ['wecom', 'dingtalk', 'console'] as const) {
      expect(county.groups.filter((g) => g.platform === platform && g.role === 'leaders')).toHaveLength(1);
    }
    const wecomTownships = county.groups.filter((g) => g.platform === 'wecom' && g.township !== undefined);
    expect(new Set(wecomTownships.map((g) => g.township)).size).toBe(13);
    expect(county.groups.every((g) => g.webhook === undefined)).toBe(true);
    expect(county.groups).toContainEqual({ platform: 'console', chat: '城关镇工作群', township: '城关镇' });
    expect(county.people).toContainEqual({ platform: 'console', user: '联络员', name: '李联络', roles: [], township: '城关镇', cover: 'A' });
    expect(county.people).toContainEqual({ platform: 'console', user: '书记', name: '王书记', roles: ['leader'] });
    expect(county.people).toContainEqual({ platform: 'console', user: '管理员', name: '赵管理', roles: ['admin'] });
    expect(county.tasks.map((t) => t.id)).toEqual(Array.from({ length: 12 }, (_, i) => `T${String(i + 1)}`));
    expect(county.tasks.every((t) => t.start.startsWith('2026-') && t.deadline.startsWith('2026-'))).toBe(true);
    expect(county.tasks.find((t) => t.id === 'T6')).toMatchObject({
      start: '2026-01-01',
      deadline: '2026-08-31',
      target: { kind: 'done' },
    });
    expect(county.tasks.find((t) => t.id === 'T7')?.townships).toEqual(['东城街道', '西城街道']);
    expect(county.tasks.find((t) => t.id === 'T3')?.target).toEqual({ kind: 'count', count: 3, per: 'village', unit: '名' });
    expect(calendar).toEqual({ rest: [], work: [], years: [] });
  });

  it('reads the sample county’s schedule section, which spells out the defaults', () => {
    const { schedule } = ok(parseSetup(read('examples/sample-county.yaml'), 'sample-county.yaml'));

    expect(schedule).toEqual(DEFAULT_SCHEDULE);
  });

  it('loads the example of docs/design.md §6', () => {
    const { county } = ok(parseSetup(fixture('design-example.yaml'), 'design-example.yaml'));

    expect(county.groups[1]).toEqual({
      platform: 'dingtalk',
      chat: 'cidAsXSBLnA==',
      role: 'leaders',
      webhook: 'https://oapi.dingtalk.com/robot/send?access_token=…',
      secret: 'SEC…',
    });
    expect(county.tasks[0]).toEqual({
      id: 'T1',
      title: '农村党员群众服务中心新改扩建',
      domain: '农村',
      start: '2026-03-01',
      deadline: '2026-12-31',
      target: { kind: 'count', count: 1, per: 'village' },
      townships: 'all',
      weight: 1,
      status: 'open',
    });
  });

  it('fills in the defaults: id is the name, domain 综合, all townships, weight 1, open, per township, start on 1 January', () => {
    const { county } = ok(parseSetup(fixture('minimal.yaml'), 'minimal.yaml'));

    expect(county.townships[0]).toEqual({ id: '城关镇', name: '城关镇', villages: 12 });
    expect(county.tasks[0]).toEqual({
      id: 'T1',
      title: '农民夜校全覆盖',
      domain: '综合',
      start: '2026-01-01',
      deadline: '2026-12-31',
      target: { kind: 'count', count: 1, per: 'township' },
      townships: 'all',
      weight: 1,
      status: 'open',
    });
    expect(county.people[0]?.roles).toEqual([]);
  });

  it('turns township names and ids in groups, people and tasks into township ids', () => {
    const { county } = ok(parseSetup(fixture('minimal.yaml'), 'minimal.yaml'));

    expect(county.townships[1]).toEqual({ id: 'hongxing', name: '红星乡', villages: 9 });
    expect(county.groups[0]?.township).toBe('hongxing');
    expect(county.people[0]?.township).toBe('hongxing');
    expect(county.tasks[1]?.townships).toEqual(['hongxing']);
  });

  it('reads the calendar overrides, sorted', () => {
    const { calendar } = ok(parseSetup(fixture('minimal.yaml'), 'minimal.yaml'));

    expect(calendar).toEqual({ rest: ['2027-10-01', '2027-10-08'], work: ['2027-09-26'], years: [2027] });
  });

  it('reads a JSON file the same as its YAML twin', () => {
    const json = parseSetup(fixture('minimal.json'), 'minimal.json');

    expect(ok(json)).toEqual(ok(parseSetup(fixture('minimal.yaml'), 'minimal.yaml')));
  });

  it('keeps a bare date such as 2026-12-31 a string, as YAML 1.2 says', () => {
    const { county } = ok(parseSetup(fixture('minimal.yaml'), 'minimal.yml'));

    expect(county.tasks[0]?.deadline).toBe('2026-12-31');
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom('a.yaml', 'a.json', 'a.txt'), (text, name) => {
        expect(typeof parseSetup(text, name).ok).toBe('boolean');
      }),
    );
  });
});

describe('problems in a setup file', () => {
  it('names the task and the field of a deadline written the wrong way', () => {
    const problems = problemsAfter((c) => (at(c.tasks, 1).deadline = '2026/11/30'));

    expect(problems).toEqual([expect.stringContaining('tasks 第2项（T2）的 deadline：日期应写成 YYYY-MM-DD，例如 2026-12-31')]);
  });

  it('refuses a day that does not exist, such as 2026-02-30', () => {
    const problems = problemsAfter((c) => (at(c.tasks, 0).start = '2026-02-30'));

    expect(problems).toEqual([expect.stringContaining('tasks 第1项（T1）的 start：没有「2026-02-30」这一天')]);
  });

  it('refuses a start after the deadline', () => {
    const problems = problemsAfter((c) => (at(c.tasks, 1).start = '2026-12-01'));

    expect(problems).toEqual([expect.stringContaining('tasks 第2项（T2）的 start：开始日期 2026-12-01 晚于截止日期 2026-11-30')]);
  });

  it('refuses a township the county does not have, and guesses the one meant', () => {
    const problems = problemsAfter((c) => {
      at(c.groups, 2).township = '城关真';
      delete at(c.groups, 2).role;
    });

    expect(problems).toEqual([expect.stringContaining('groups 第3项的 township：找不到乡镇「城关真」，是不是「城关镇」？')]);
  });

  it('refuses an unknown township in a person and in a task’s list', () => {
    const problems = problemsAfter((c) => {
      at(c.people, 0).township = '西城街道';
      at(c.tasks, 0).townships = ['红星乡', '黑星乡'];
    });

    expect(problems).toEqual([
      expect.stringContaining('people 第1项（张三）的 township：找不到乡镇「西城街道」'),
      expect.stringContaining('tasks 第1项（T1）的 townships 第2项：找不到乡镇「黑星乡」，是不是「红星乡」？'),
    ]);
  });

  it('refuses a number of villages that is negative or not whole', () => {
    const problems = problemsAfter((c) => {
      c.townships.push({ name: '青石镇', villages: -1 }, { name: '白沙镇', villages: 2.5 });
    });

    expect(problems).toEqual([
      expect.stringContaining('townships 第4项（青石镇）的 villages：应为不小于0的整数'),
      expect.stringContaining('townships 第5项（白沙镇）的 villages：应为不小于0的整数'),
    ]);
  });

  it('refuses a per-village target for a township without villages', () => {
    const problems = problemsAfter((c) => (at(c.townships, 2).villages = 0));

    expect(problems).toEqual([
      expect.stringContaining('tasks 第1项（T1）的 target.per：每村计的目标分给了没有村（社区）的「东城街道」'),
    ]);
  });

  it('refuses a township name or id used twice', () => {
    const problems = problemsAfter((c) => {
      c.townships.push({ name: '城关镇', villages: 3 }, { id: '红星乡', name: '红星村', villages: 1 });
    });

    expect(problems).toEqual([
      expect.stringContaining('townships 第4项（城关镇）的 name：与第1项重名'),
      expect.stringContaining('townships 第5项（红星村）的 id：「红星乡」已是第2项的名称或 id'),
    ]);
  });

  it('refuses the same group, person or task id twice', () => {
    const problems = problemsAfter((c) => {
      c.groups.push({ platform: 'wecom', chat: 'wrkAAA', township: '红星乡' });
      c.people.push({ platform: 'wecom', user: 'zhangsan', name: '张三丰', roles: [] });
      c.tasks.push({ id: 'T1', title: '重复', deadline: '2026-12-31', target: { percent: 100 } });
    });

    expect(problems).toEqual([
      expect.stringContaining('groups 第4项的 chat：与第1项是同一个群'),
      expect.stringContaining('people 第2项（张三丰）的 user：与第1项是同一个人'),
      expect.stringContaining('tasks 第3项（T1）的 id：与第1项的编号相同'),
    ]);
  });

  it('wants exactly one of township and role in a group', () => {
    const problems = problemsAfter((c) => {
      at(c.groups, 0).role = 'leaders';
      delete at(c.groups, 1).township;
    });

    expect(problems).toEqual([
      expect.stringContaining('groups 第1项：township 和 role 只能写一个'),
      expect.stringContaining('groups 第2项：要写 township（乡镇工作群）或 role: leaders（领导群）其中一个'),
    ]);
  });

  it('takes a DingTalk 加签 secret only together with a webhook', () => {
    const problems = problemsAfter((c) => {
      at(c.groups, 0).secret = 'SECabc';
      at(c.groups, 2).secret = 'SECabc';
    });

    expect(problems).toEqual([
      expect.stringContaining('groups 第1项的 secret：只有钉钉（dingtalk）自定义机器人需要加签 secret'),
      expect.stringContaining('groups 第3项的 secret：写了加签 secret 就要同时写钉钉自定义机器人的 webhook'),
    ]);
  });

  it('refuses a webhook that is not an http or https address', () => {
    const problems = problemsAfter((c) => (at(c.groups, 0).webhook = '127.0.0.1/cgi-bin/webhook/send?key=1'));

    expect(problems).toEqual([expect.stringContaining('groups 第1项的 webhook：应为以 https:// 或 http:// 开头的网址')]);
  });

  it('refuses a WeCom webhook that is not a 消息推送 send address with its key', () => {
    const problems = problemsAfter((c) => (at(c.groups, 0).webhook = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send'));

    expect(problems).toEqual([expect.stringContaining('groups 第1项的 webhook：企业微信群的 webhook 应是群机器人（消息推送）的完整地址')]);
  });

  it('refuses a DingTalk webhook that is not a custom robot send address with its access token', () => {
    const problems = problemsAfter((c) => (at(c.groups, 2).webhook = 'https://oapi.dingtalk.com/robot/sendBySession?session=abc'));

    expect(problems).toEqual([expect.stringContaining('groups 第3项的 webhook：钉钉群的 webhook 应是自定义机器人的完整地址')]);
  });

  it('refuses an unknown platform or role, listing the ones it knows', () => {
    const problems = problemsAfter((c) => {
      at(c.groups, 0).platform = 'wechat';
      at(c.people, 0).roles = ['admin', 'boss'];
    });

    expect(problems).toEqual([
      expect.stringContaining('groups 第1项的 platform：应为 wecom、dingtalk、console 其中之一，不能是「wechat」'),
      expect.stringContaining('people 第1项（张三）的 roles 第2项：应为 admin、leader 其中之一，不能是「boss」'),
    ]);
  });

  it('wants task ids written T and a number', () => {
    const problems = problemsAfter((c) => (at(c.tasks, 0).id = '任务1'));

    expect(problems).toEqual([expect.stringContaining('tasks 第1项（任务1）的 id：应写成 T 加序号，例如 T3')]);
  });

  it('refuses an unknown domain, listing the eight domains', () => {
    const problems = problemsAfter((c) => (at(c.tasks, 0).domain = '城市'));

    expect(problems).toEqual([
      expect.stringContaining('tasks 第1项（T1）的 domain：应为 农村、社区、机关、国企、学校、医院、两新、综合 其中之一，不能是「城市」'),
    ]);
  });

  it('wants exactly one kind of target, and per only with a count', () => {
    const problems = problemsAfter((c) => {
      at(c.tasks, 0).target = { percent: 100, count: 3 };
      at(c.tasks, 1).target = { per: 'village' };
    });

    expect(problems).toEqual([
      expect.stringContaining('tasks 第1项（T1）的 target：percent、count 只能写一个'),
      expect.stringContaining('tasks 第2项（T2）的 target：应写成 { percent: 100 }、{ count: 3, per: village } 或 { done: true } 其中一种'),
      expect.stringContaining('tasks 第2项（T2）的 target.per：只有 count 目标才能写 per'),
    ]);
  });

  it('takes a count’s unit among the measure words a report may use, and only on a count', () => {
    const problems = problemsAfter((c) => {
      at(c.tasks, 0).target = { count: 3, unit: '斤' };
      at(c.tasks, 1).target = { percent: 100, unit: '名' };
    });

    expect(problems).toEqual([
      expect.stringContaining('tasks 第1项（T1）的 target.unit：应为计数的量词：个、名、人、位'),
      expect.stringContaining('tasks 第2项（T2）的 target.unit：只有 count 目标才能写 unit'),
    ]);
  });

  it('refuses a percent above 100, a count that is not a positive whole number, and done: false', () => {
    const problems = problemsAfter((c) => {
      at(c.tasks, 0).target = { count: 0.5 };
      at(c.tasks, 1).target = { percent: 120 };
      c.tasks.push({ id: 'T3', title: '五基三化', deadline: '2026-08-31', target: { done: false } });
    });

    expect(problems).toEqual([
      expect.stringContaining('tasks 第1项（T1）的 target.count：应为大于0的整数'),
      expect.stringContaining('tasks 第2项（T2）的 target.percent：应为大于0、不大于100的数字'),
      expect.stringContaining('tasks 第3项（T3）的 target.done：应写成 done: true'),
    ]);
  });

  it('refuses a task with an empty townships list or a weight of zero', () => {
    const problems = problemsAfter((c) => {
      at(c.tasks, 0).townships = [];
      at(c.tasks, 1).weight = 0;
    });

    expect(problems).toEqual([
      expect.stringContaining('tasks 第1项（T1）的 townships：不能是空列表；全部乡镇请写 all'),
      expect.stringContaining('tasks 第2项（T2）的 weight：应为大于0的数字'),
    ]);
  });

  it('says which required field is missing', () => {
    const problems = problemsAfter((c) => {
      delete at(c.tasks, 0).title;
      delete at(c.townships, 2).villages;
    });

    expect(problems).toEqual([
      expect.stringContaining('townships 第3项（东城街道）的 villages：必须填写'),
      expect.stringContaining('tasks 第1项（T1）的 title：必须填写'),
    ]);
  });

  it('asks for quotes when an id is written as a bare number', () => {
    const problems = problemsAfter((c) => (at(c.people, 0).user = 16238392921));

    expect(problems).toEqual([expect.stringContaining('people 第1项（张三）的 user：应为文字；纯数字的编号请加引号')]);
  });

  it('refuses a day listed both as a day off and as a make-up working day', () => {
    const problems = problemsAfter((c) => (c.calendar = { rest: ['2027-10-01'], work: ['2027-10-01'] }));

    expect(problems).toEqual([expect.stringContaining('calendar 的 work 第1项：2027-10-01 也写在了 rest 里')]);
  });

  it('wants calendar years written in full', () => {
    const problems = problemsAfter((c) => (c.calendar = { years: [27] }));

    expect(problems).toEqual([expect.stringContaining('calendar 的 years 第1项：应为年份，例如 2027')]);
  });

  it('reports a misspelt field and suggests the one meant', () => {
    const problems = problemsAfter((c) => {
      c.taks = [];
      const task = at(c.tasks, 0);
      task.dealine = task.deadline;
      delete task.deadline;
      at(c.tasks, 1).target = { pecent: 100 };
      at(c.townships, 0).village = 12;
    });

    expect(problems).toEqual([
      expect.stringContaining('townships 第1项（城关镇）的 village：没有这个字段，是不是 villages？'),
      expect.stringContaining('tasks 第1项（T1）的 deadline：必须填写'),
      expect.stringContaining('tasks 第1项（T1）的 dealine：没有这个字段，是不是 deadline？'),
      expect.stringContaining('tasks 第2项（T2）的 target：应写成 { percent: 100 }'),
      expect.stringContaining('tasks 第2项（T2）的 target.pecent：没有这个字段，是不是 percent？'),
      expect.stringContaining('taks：没有这个字段，是不是 tasks？'),
    ]);
  });

  it('lists the fields it knows when a name is too far from any of them', () => {
    const problems = problemsAfter((c) => (at(c.people, 0).phone = '13800000000'));

    expect(problems).toEqual([
      expect.stringContaining('people 第1项（张三）的 phone：没有这个字段，可以写的字段有 platform、user、name、roles、township'),
    ]);
  });

  it('reports every problem in a file at once, in file order, each with its line', () => {
    const problems = errors(parseSetup(fixture('many-errors.yaml'), 'many-errors.yaml'));

    expect(problems).toEqual([
      'townships 第4项（白沙镇）的 villages：应为不小于0的整数（第7行）',
      'groups 第3项的 township：找不到乡镇「城关真」，是不是「城关镇」？（第11行）',
      'people 第1项（张三）的 roles 第2项：应为 admin、leader 其中之一，不能是「boss」（第13行）',
      'tasks 第2项（T2）的 deadline：日期应写成 YYYY-MM-DD，例如 2026-12-31（第21行）',
      // A missing field has no line of its own: it points at its entry.
      'tasks 第3项（T3）的 deadline：必须填写（第23行）',
      'tasks 第3项（T3）的 domain：应为 农村、社区、机关、国企、学校、医院、两新、综合 其中之一，不能是「城市」（第25行）',
      'tasks 第3项（T3）的 dealine：没有这个字段，是不是 deadline？（第26行）',
    ]);
  });

  it('reports a YAML syntax error with its line, column and text', () => {
    expect(errors(parseSetup(fixture('bad-indent.yaml'), 'bad-indent.yaml'))).toEqual([
      '第5行第4列：缩进不对，同一层的各项要从同一列开始（这一行是「- name: 红星乡」）',
    ]);
  });

  it('reports a JSON syntax error with its line and says what is missing', () => {
    expect(errors(parseSetup(fixture('missing-comma.json'), 'missing-comma.json'))).toEqual([
      '第5行第5列：前后两项之间缺少逗号（这一行是「{ "name": "红星乡", "villages": 9 }」）',
    ]);
    expect(errors(parseSetup(fixture('unclosed.json'), 'unclosed.json'))).toEqual([
      expect.stringMatching(/^第6行第1列：缺少收尾的「]」/),
    ]);
  });

  it('explains the usual YAML slips in Chinese', () => {
    const first = (text: string) => errors(parseSetup(text, 'county.yaml'))[0];

    expect(first('county: 示范县\ntownships:\n\t- { name: 城关镇, villages: 1 }\n')).toMatch(/^第3行第1列：不能用 Tab 键缩进，请改用空格/);
    expect(first('county: "示范县\n')).toMatch(/缺少配对的引号/);
    expect(first('county: 示范县\ncounty: 样板县\n')).toMatch(/^第2行第1列：同一层里有重复的字段/);
    expect(first('county: 示范县\n---\ncounty: 样板县\n')).toMatch(/请删去多余的「---」/);
  });

  it('refuses a file that is neither YAML nor JSON by its name', () => {
    expect(errors(parseSetup('county: 示范县', 'county.txt'))).toEqual([
      '不认识的文件类型「county.txt」：设置文件的名字应以 .yaml、.yml 或 .json 结尾',
    ]);
  });

  it('refuses an empty file, a bare list and a county without townships', () => {
    expect(errors(parseSetup('  \n# 只有注释\n', 'county.yaml'))).toEqual([expect.stringContaining('设置文件是空的')]);
    expect(errors(parseSetup('- 城关镇\n', 'county.yaml'))).toEqual([expect.stringContaining('设置文件最外层应写成「字段: 值」')]);
    expect(errors(parseSetup('county: 示范县\ntownships: []\n', 'county.yaml'))).toEqual(['townships：至少要有一个乡镇（第2行）']);
    expect(errors(parseSetup('townships:\n  - { name: 城关镇, villages: 1 }\n', 'county.yaml'))).toEqual(['county：必须填写']);
  });
});

/** Three lines of county, then `schedule:` on line 4 and the given lines from line 5. */
function withSchedule(...lines: string[]): SetupResult {
  const text = ['county: 示范县', 'townships:', '  - { name: 城关镇, villages: 12 }', 'schedule:', ...lines.map((l) => `  ${l}`)];
  return parseSetup(`${text.join('\n')}\n`, 'county.yaml');
}

describe('the schedule section of a setup file', () => {
  it('gives the defaults when a file has no schedule section', () => {
    const { schedule } = ok(parseSetup(fixture('minimal.yaml'), 'minimal.yaml'));

    expect(schedule).toEqual({
      time: '09:00',
      ladder: [5, 3, 1, 0],
      officeHours: { start: '08:30', end: '18:00' },
      bottomMarksInTownshipGroups: false,
      overdueRepeatDays: 7,
      extensionGraceDays: 0,
      review: false,
      signOff: false,
    });
    expect(schedule).toEqual(DEFAULT_SCHEDULE);
  });

  it('gives the defaults when the section is there but empty', () => {
    expect(ok(withSchedule()).schedule).toEqual(DEFAULT_SCHEDULE);
  });

  it('reads a full section, with the ladder farthest deadline first', () => {
    const { schedule } = ok(
      withSchedule(
        'time: "08:45"',
        'ladder: [0, 2, 10]',
        'office_hours: { start: "08:00", end: "17:30" }',
        'bottom_marks_in_township_groups: true',
        'overdue_repeat_days: 14',
        'extension_grace_days: 2',
        'review: true',
        'sign_off: true',
      ),
    );

    expect(schedule).toEqual({
      time: '08:45',
      ladder: [10, 2, 0],
      officeHours: { start: '08:00', end: '17:30' },
      bottomMarksInTownshipGroups: true,
      overdueRepeatDays: 14,
      extensionGraceDays: 2,
      review: true,
      signOff: true,
    });
  });

  it('refuses an overdue interval that is not a whole number of days from 0 to 90, saying what it means', () => {
    for (const bad of ['-1', '91', '3.5', '每周']) {
      expect(errors(withSchedule(`overdue_repeat_days: ${bad}`))).toEqual([
        'schedule 的 overdue_repeat_days：应为 0 到 90 之间的整数：逾期的任务在逾期后第一个工作日提醒，之后每隔几天再提醒一次；0 表示只提醒一次（第5行）',
      ]);
    }
    expect(ok(withSchedule('overdue_repeat_days: 0')).schedule.overdueRepeatDays).toBe(0);
  });

  it('refuses an extension window that is not a whole number of working days from 0 to 20, saying what it means', () => {
    for (const bad of ['-1', '21', '1.5', '三天']) {
      expect(errors(withSchedule(`extension_grace_days: ${bad}`))).toEqual([
        'schedule 的 extension_grace_days：应为 0 到 20 之间的整数：截止日之后还能申请延期的工作日数；0 表示最晚在截止当天申请（第5行）',
      ]);
    }
  });

  it('fills every field the section leaves out with its default, office hours one end at a time', () => {
    const { schedule } = ok(withSchedule('ladder: [7]', 'office_hours: { end: "17:00" }'));

    expect(schedule).toEqual({
      time: '09:00',
      ladder: [7],
      officeHours: { start: '08:30', end: '17:00' },
      bottomMarksInTownshipGroups: false,
      overdueRepeatDays: 7,
      extensionGraceDays: 0,
      review: false,
      signOff: false,
    });
  });

  it('reads a time written 9:00, unquoted, or with a full-width colon as 09:00', () => {
    expect(ok(withSchedule('time: 9:00')).schedule.time).toBe('09:00');
    expect(ok(withSchedule('time: 09:00')).schedule.time).toBe('09:00');
    expect(ok(withSchedule('time: 09：00')).schedule.time).toBe('09:00');
  });

  it('refuses a time that is not a time of day, with the line', () => {
    expect(errors(withSchedule('time: "25:00"'))).toEqual(['schedule 的 time：时间应写成「时:分」（24小时制），例如 09:00、14:30（第5行）']);
    expect(errors(withSchedule('office_hours: { start: "8点半" }'))).toEqual([
      'schedule 的 office_hours.start：时间应写成「时:分」（24小时制），例如 09:00、14:30（第5行）',
    ]);
    expect(errors(withSchedule('time: 900'))).toEqual([expect.stringContaining('schedule 的 time：时间应写成「时:分」')]);
  });

  it('refuses office hours that end before they start', () => {
    expect(errors(withSchedule('office_hours: { start: "18:00", end: "08:30" }'))).toEqual([
      'schedule 的 office_hours：上班时间 start 应早于下班时间 end，现在是 18:00–08:30（第5行）',
    ]);
  });

  it('refuses a daily time outside office hours, saying the posts would always wait', () => {
    expect(errors(withSchedule('time: "07:30"'))).toEqual([
      'schedule 的 time：每天发提醒、预警的时间 07:30 不在工作时间 08:30–18:00 之内，这样每天的消息都要等到工作时间才会发出；' +
        '请把 time 改到 08:30 至 18:00 之间（不含 18:00），或者调整 office_hours（第5行）',
    ]);
    expect(errors(withSchedule('time: "18:00"'))).toEqual([expect.stringContaining('schedule 的 time：每天发提醒、预警的时间 18:00 不在工作时间')]);
  });

  it('blames the office hours when they move away from the default time', () => {
    expect(errors(withSchedule('office_hours: { start: "09:30" }'))).toEqual([
      expect.stringMatching(/^schedule 的 office_hours：每天发提醒、预警的时间 09:00 不在工作时间 09:30–18:00 之内.*（第5行）$/),
    ]);
  });

  it('wants the ladder a list of one to ten whole numbers of working days from 0 to 30', () => {
    expect(errors(withSchedule('ladder: 5'))).toEqual([expect.stringMatching(/^schedule 的 ladder：应为列表.*（第5行）$/)]);
    expect(errors(withSchedule('ladder: []'))).toEqual(['schedule 的 ladder：至少要写一个天数，例如 [5, 3, 1, 0]（第5行）']);
    expect(errors(withSchedule('ladder: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]'))).toEqual(['schedule 的 ladder：最多写 10 个天数（第5行）']);
    expect(errors(withSchedule('ladder:', '  - 5', '  - -1', '  - 1.5', '  - 31', '  - 三'))).toEqual(
      [2, 3, 4, 5].map((item) => `schedule 的 ladder 第${String(item)}项：应为 0 到 30 之间的整数：截止前第几个工作日提醒，0 是截止当天（第${String(item + 5)}行）`),
    );
  });

  it('refuses a day written twice in the ladder', () => {
    expect(errors(withSchedule('ladder:', '  - 5', '  - 3', '  - 5'))).toEqual(['schedule 的 ladder 第3项：与第1项重复（第8行）']);
  });

  it('wants the bottom-marks flag true or false, and YAML 1.2 reads yes as text', () => {
    expect(errors(withSchedule('bottom_marks_in_township_groups: yes'))).toEqual([
      'schedule 的 bottom_marks_in_township_groups：应写成 true（是）或 false（否）（第5行）',
    ]);
  });

  it('wants office hours written as a start and an end', () => {
    expect(errors(withSchedule('office_hours: "08:30-18:00"'))).toEqual([
      'schedule 的 office_hours：应写成 { start: "08:30", end: "18:00" }（第5行）',
    ]);
  });

  it('reports a misspelt field in the section and suggests the one meant', () => {
    expect(errors(withSchedule('ladders: [5, 3]', 'office_hour: { start: "08:00" }', 'bottom_marks: true'))).toEqual([
      'schedule 的 ladders：没有这个字段，是不是 ladder？（第5行）',
      'schedule 的 office_hour：没有这个字段，是不是 office_hours？（第6行）',
      'schedule 的 bottom_marks：没有这个字段，可以写的字段有 time、ladder、office_hours、bottom_marks_in_township_groups、review、sign_off、overdue_repeat_days、extension_grace_days（第7行）',
    ]);
    expect(errors(withSchedule('office_hours: { begin: "08:00", stat: "08:00" }'))).toEqual([
      'schedule 的 office_hours.begin：没有这个字段，可以写的字段有 start、end（第5行）',
      'schedule 的 office_hours.stat：没有这个字段，是不是 start？（第5行）',
    ]);
    expect(errors(parseSetup('county: 示范县\ntownships: [{ name: 城关镇, villages: 1 }]\nschedual: {}\n', 'county.yaml'))).toEqual([
      'schedual：没有这个字段，是不是 schedule？（第3行）',
    ]);
  });

  it('reports schedule problems together with the rest of the file', () => {
    const problems = problemsAfter((c) => {
      at(c.tasks, 0).deadline = '2026/12/31';
      c.schedule = { time: '7:00', ladder: [3, 3] };
    });

    expect(problems).toEqual([
      expect.stringContaining('tasks 第1项（T1）的 deadline：日期应写成 YYYY-MM-DD'),
      expect.stringContaining('schedule 的 time：每天发提醒、预警的时间 07:00 不在工作时间 08:30–18:00 之内'),
      expect.stringContaining('schedule 的 ladder 第2项：与第1项重复'),
    ]);
  });
});
