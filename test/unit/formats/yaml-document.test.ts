/**
 * formats/yaml/document.ts over @stoplight/yaml-ast-parser: YAML 1.2 core scalars, tags (also on empty values),
 * ranges, duplicate keys, tabs, aliases and merge keys, as compose, Kubernetes and CloudFormation read them.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { parseYamlDoc } from '../../../server/src/formats/cloud/doc';
import { coreScalar, get, items, pairOf, readYaml, scalar, text, type Node } from '../../../server/src/formats/yaml/document';

const root = (src: string, tags: string[] = []) => {
  const file = readYaml(src, 'Test file', tags);
  return { file, doc: file.docs[0]?.contents as Node };
};

test('plain scalars resolve as YAML 1.2 core; quoted ones stay text', () => {
  const cases: [string, unknown][] = [
    ['80', 80],
    ['0x50', 80],
    ['0o17', 15],
    ['1e3', 1000],
    ['+80', 80],
    ['1.50', 1.5],
    ['.inf', Infinity],
    ['true', true],
    ['FALSE', false],
    ['tRUE', 'tRUE'],
    ['~', null],
    ['NULL', null],
    ['', null],
    ['22:22', '22:22'],
    ['1_000', '1_000'],
    ['0b11', '0b11'],
    ['yes', 'yes'],
    ['8080:80', '8080:80'],
  ];
  for (const [src, want] of cases) assert.equal(coreScalar(src), want, src);
  const { file, doc } = root('a: 80\nb: "80"\nc: \'0x50\'\nd:\ne: !!int "80"\nf: !!str 80\n');
  assert.equal(scalar(file, get(file, doc, 'a'))?.value, 80);
  assert.equal(scalar(file, get(file, doc, 'b'))?.value, '80');
  assert.equal(scalar(file, get(file, doc, 'c'))?.value, '0x50');
  assert.equal(text(file, get(file, doc, 'd')), undefined);
  assert.equal(scalar(file, get(file, doc, 'e'))?.value, 80);
  assert.equal(scalar(file, get(file, doc, 'f'))?.value, '80');
  assert.deepEqual(file.problems, []);
});

test('tags stay on their nodes, also on an empty value; unknown ones are a warning', () => {
  const src = 'ports: !reset\nexpose: !override\n  - "80"\nx: !custom 1\ny: &a !reset []\nz: *a\n';
  const { file, doc } = root(src, ['!reset', '!override']);
  const ports = get(file, doc, 'ports')!;
  assert.equal(ports.tag, '!reset');
  assert.equal(scalar(file, ports)?.value, '');
  assert.equal(get(file, doc, 'expose')?.tag, '!override');
  assert.deepEqual(items(file, get(file, doc, 'expose')).map((n) => text(file, n)), ['80']);
  assert.equal(scalar(file, get(file, doc, 'x'))?.value, '1', 'a value under an unknown tag is read as written');
  assert.equal(get(file, doc, 'z')?.tag, '!reset', 'an alias reaches the tagged node');
  assert.deepEqual(
    file.problems.map((p) => [p.severity, p.range.start.line, p.message]),
    [['warning', 3, 'YAML: unresolved tag !custom: its value is read as written.']],
  );
});

test('CloudFormation short forms, including a tag alone in a sequence entry', () => {
  const src = [
    'Resources:',
    '  S:',
    '    Properties:',
    '      Az: !Select',
    '        - "0"',
    '        - !GetAZs',
    '      Ref: !Ref Vpc',
    '      Att: !GetAtt A.B',
    '      If: !If [c, !Ref d, !Ref "AWS::NoValue"]',
  ].join('\n');
  const { root: r, problems } = parseYamlDoc(src);
  assert.deepEqual(problems, []);
  const offsets = new Set(['start', 'end', 'keyStart', 'keyEnd']);
  const props = JSON.parse(JSON.stringify(r), (k, v) => (offsets.has(k) ? undefined : v));
  const e = props.entries[0].value.entries[0].value.entries[0].value.entries;
  const byKey = Object.fromEntries(e.map((x: { key: string; value: unknown }) => [x.key, x.value]));
  assert.equal(byKey.Az.entries[0].key, 'Fn::Select');
  assert.deepEqual(
    byKey.Az.entries[0].value.items.map((i: { type: string; entries?: { key: string }[] }) => i.entries?.[0].key ?? i.type),
    ['scalar', 'Fn::GetAZs'],
  );
  assert.equal(byKey.Ref.entries[0].key, 'Ref');
  assert.deepEqual(byKey.Att.entries[0].value.items.map((i: { value: string }) => i.value), ['A', 'B']);
  assert.equal(byKey.If.entries[0].key, 'Fn::If');
});

test('ranges: scalars inside quotes, block collections to the end of their last line, a byte-order mark counted', () => {
  const { file, doc } = root('\ufeffa:\n  b: "8080:80"\n  c:\nd: [1, 2]\n');
  assert.deepEqual(file.rangeOf(pairOf(file, doc, 'a')?.key), { start: { line: 0, character: 1 }, end: { line: 0, character: 2 } });
  const b = scalar(file, get(file, get(file, doc, 'a'), 'b'))!;
  assert.deepEqual(file.rangeOf(b), { start: { line: 1, character: 5 }, end: { line: 1, character: 14 } });
  assert.deepEqual(file.rangeOf(get(file, doc, 'a')), { start: { line: 1, character: 2 }, end: { line: 2, character: 4 } });
  assert.deepEqual(file.rangeOf(get(file, doc, 'd')), { start: { line: 3, character: 3 }, end: { line: 3, character: 9 } });
  const first = root('a:\n  - b: 1\n').file;
  assert.deepEqual(first.rangeOf(first.docs[0].contents), { start: { line: 0, character: 0 }, end: { line: 2, character: 0 } });
});

test('duplicate keys, tabs and malformed YAML are PC001 with the place and a reason', () => {
  const dup = root('a: 1\nb:\n  c: 1\n  c: 2\n').file;
  assert.deepEqual(
    dup.problems.map((p) => [p.severity, p.range.start.line, p.range.start.character]),
    [['error', 3, 2]],
  );
  assert.match(dup.problems[0].message, /duplicate key `c` \(first on line 3\)/);
  assert.deepEqual(root('a:\tb\nc: d\t# x\n').file.problems, [], 'a tab that separates is no error');
  const tabs = root('a:\n\tb: 1\n').file;
  assert.equal(tabs.problems[0]?.range.start.line, 1);
  assert.match(tabs.problems[0]?.message ?? '', /tab indents this line/);
  // The library warns about some tabs twice: one finding per tab.
  const twice = root('services:\n  db:\n    image: x\n\tweb:\n    ports: [80:80\n').file.problems;
  assert.equal(twice.filter((p) => /tab indents/.test(p.message)).length, 1, JSON.stringify(twice));
  const bad = root('a: [1, 2\nb: 1\n').file;
  assert.ok(bad.problems.length >= 1 && bad.problems.every((p) => p.code === 'PC001' && p.severity === 'error'));
  const alias = root('a: *nope\nb: 1\n').file;
  assert.deepEqual(
    alias.problems.map((p) => p.range.start.line),
    [0],
    'an unknown alias is one error, not one on the next line too',
  );
});

test('a large mapping finds duplicates by type and value: `80` and `0x50` are one key, `"80"` another', () => {
  // Past 16 keys the reader looks keys up instead of searching them: the same answers as a small mapping's.
  const keys = Array.from({ length: 20 }, (_, i) => `k${i}: ${i}`);
  const src = ['m:', ...[...keys, '80: a', '"80": b', '0x50: c', 'true: d', '"true": e', 'k3: again'].map((l) => `  ${l}`)].join('\n');
  const { file, doc } = root(src + '\n');
  assert.deepEqual(
    file.problems.map((p) => [p.range.start.line, p.message.replace(/ — .*/, '')]),
    [
      [23, 'YAML: duplicate key `80` (first on line 22)'],
      [26, 'YAML: duplicate key `k3` (first on line 5)'],
    ],
  );
  // The text key "true" is not the boolean key true.
  assert.equal(text(file, pairOf(file, get(file, doc, 'm'), 'true')?.value), 'e');
});

test('items follow aliases; a sequence without aliases gives its own items, in order', () => {
  const { file, doc } = root('a: &a {x: 1}\nplain: [1, 2, 3]\nwith:\n  - *a\n  - 2\n');
  assert.deepEqual(items(file, get(file, doc, 'plain')).map((n) => text(file, n)), ['1', '2', '3']);
  const withAliases = items(file, get(file, doc, 'with'));
  assert.deepEqual(withAliases.map((n) => n.kind), ['map', 'scalar']);
  assert.equal(withAliases[0], get(file, doc, 'a'));
});

test('merge keys and aliases; the alias budget bounds a billion laughs', () => {
  const { file, doc } = root('base: &b\n  x: 1\n  y: 2\nm:\n  <<: [*b, {z: 4}]\n  y: 3\n');
  const m = get(file, doc, 'm');
  assert.deepEqual(['x', 'y', 'z'].map((k) => text(file, get(file, m, k))), ['1', '3', '4']);
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  const n = 'abcdefghij';
  for (let i = 1; i < 9; i++) bomb.push(`${n[i]}: &${n[i]} [${Array(10).fill(`*${n[i - 1]}`).join(', ')}]`);
  const big = root(bomb.join('\n'));
  let seen = 0;
  const walk = (n: unknown, depth: number): void => {
    if (depth > 20) return;
    for (const x of items(big.file, n)) {
      seen++;
      walk(x, depth + 1);
    }
  };
  walk(get(big.file, big.doc, 'i'), 0);
  assert.ok(seen <= 1000 * 10 + 10, `${seen} nodes reached`);
});

test('a text whose tags would take the reader too long is not read, and says so', () => {
  const lines = ['R:'];
  for (let i = 0; i < 20000; i++) lines.push(`  k${i}: !Ref X${i}`);
  const t0 = Date.now();
  const { file } = root(lines.join('\n'));
  assert.ok(Date.now() - t0 < 1000, `${Date.now() - t0} ms`);
  assert.deepEqual(file.docs, []);
  assert.match(file.problems[0]?.message ?? '', /not read: 20000 tags on 20001 lines/);
  assert.equal(file.problems[0]?.severity, 'error');
});

test('a broken file lists 200 problems and says how many more; a tab bomb is not read', () => {
  const storm = root('a:\n' + '\tb: 1\n'.repeat(1000)).file;
  assert.equal(storm.problems.length, 201);
  assert.match(storm.problems[200].message, /^YAML: \d+ more problems from here on are not listed\.$/);
  const t0 = Date.now();
  const bomb = root('\t\n'.repeat(150_000)).file;
  assert.ok(Date.now() - t0 < 1000, `${Date.now() - t0} ms`);
  assert.match(bomb.problems[0]?.message ?? '', /not read: more than 100000 tabs/);
});
