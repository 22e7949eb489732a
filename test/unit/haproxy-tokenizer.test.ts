import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitLines, tokenizeLine } from '../../src/config/haproxy/tokenizer.js';

const words = (line: string, env: Record<string, string> = {}) => {
  const r = tokenizeLine(line, env);
  assert.equal(r.error, undefined, `unexpected error for ${line}`);
  return r.words.map((w) => w.text);
};

describe('haproxy tokenizer', () => {
  const cases: [string, string[], Record<string, string>?][] = [
    ['  bind *:9443', ['bind', '*:9443']],
    ['stats realm welcome login\\ Haproxy', ['stats', 'realm', 'welcome', 'login Haproxy']],
    ['stats realm "welcome login Haproxy"', ['stats', 'realm', 'welcome login Haproxy']],
    ["stats realm 'a b' c", ['stats', 'realm', 'a b', 'c']],
    ['bind 0.0.0.0:9188   #登录页面', ['bind', '0.0.0.0:9188']],
    ['mode http   #监控的模式', ['mode', 'http']],
    ['a "#not a comment" b', ['a', '#not a comment', 'b']],
    ['a \\#x', ['a', '#x']],
    ['a\tb\t\tc', ['a', 'b', 'c']],
    ['a "x\\ty"', ['a', 'x\ty']],
    ['a \\x41\\x42', ['a', 'AB']],
    ["a 'no $HOME expansion'", ['a', 'no $HOME expansion']],
    ['a $HOME', ['a', '$HOME']],
    ['a "${HOST}:80"', ['a', 'lb:80'], { HOST: 'lb' }],
    ['a "$HOST"', ['a', 'lb'], { HOST: 'lb' }],
    ['a "${PORT-9443}"', ['a', '9443']],
    ['a "${PORT-9443}"', ['a', '1'], { PORT: '1' }],
    ['a "${UNSET}" b', ['a', 'b']],
    ['a "" b', ['a', '', 'b']],
    ['a ""', ['a']],
    ['a b   ', ['a', 'b']],
    ['a "\\$x"', ['a', '$x']],
    ['x\ry', ['x']],
    ['', []],
    ['   # only a comment', []],
  ];
  for (const [line, expected, env] of cases) {
    it(`splits ${JSON.stringify(line)}`, () => assert.deepEqual(words(line, env), expected));
  }

  const errors: [string, string, number][] = [
    ['a "open', 'quote', 3],
    ["a 'open", 'quote', 3],
    ['a "${X"', 'brace', 5],
    ['a "$1"', 'varname', 5],
    ['a \\xZZ', 'hex', 3],
  ];
  for (const [line, kind, col] of errors) {
    it(`reports ${kind} in ${JSON.stringify(line)}`, () => {
      const r = tokenizeLine(line);
      assert.equal(r.error?.kind, kind);
      assert.equal(r.error?.col, col);
    });
  }

  it('records 1-based columns', () => {
    assert.deepEqual(
      tokenizeLine('  server  s1 1.2.3.4:80').words.map((w) => w.col),
      [3, 11, 14],
    );
  });

  it('splits lines like fgets, flagging a missing LF and NUL bytes', () => {
    assert.deepEqual(
      splitLines('a\nb\n').map((l) => [l.line, l.text, l.missingLf]),
      [
        [1, 'a', false],
        [2, 'b', false],
      ],
    );
    assert.equal(splitLines('a\nb').at(-1)?.missingLf, true);
    assert.equal(splitLines('a\0z\nb\n')[0]?.nulAt, 2);
    assert.equal(splitLines('a\0z\nb\n')[0]?.text, 'a');
    assert.deepEqual(splitLines(''), []);
  });
});
