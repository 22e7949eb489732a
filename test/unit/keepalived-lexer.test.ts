import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  lexLine,
  splitQuotedEscaped,
  splitWords,
  stripComment,
} from '../../src/config/keepalived/lexer.js';

describe('keepalived lexer: comments', () => {
  const cases: [string, string, boolean][] = [
    ['router_id x ! comment', 'router_id x ', false],
    ['router_id x # comment', 'router_id x ', false],
    ['! whole line', '', false],
    ['script "echo #1 !2"', 'script "echo #1 !2"', false],
    ['auth_pass a\\#b # c', 'auth_pass a\\#b ', false],
    ['script "unterminated # not a comment', 'script "unterminated # not a comment', true],
  ];
  for (const [input, text, unmatched] of cases) {
    it(JSON.stringify(input), () => {
      assert.deepEqual(stripComment(input), { text, unmatchedQuote: unmatched });
    });
  }
});

describe('keepalived lexer: words', () => {
  const cases: [string, string[]][] = [
    ['  state   MASTER\t', ['state', 'MASTER']],
    ['script "bash -c \'exit 1\'"', ['script', "bash -c 'exit 1'"]],
    ['a"b c"', ['a', 'b c']],
    ['auth_pass a\\#b', ['auth_pass', 'a#b']],
    ['', []],
  ];
  for (const [input, words] of cases) {
    it(JSON.stringify(input), () => {
      assert.deepEqual(
        splitWords(input).tokens.map((t) => t.text),
        words,
      );
    });
  }

  it('records 1-based columns and quoting', () => {
    const { tokens } = splitWords('  priority "100"');
    assert.deepEqual(tokens, [
      { text: 'priority', col: 3, quoted: false },
      { text: '100', col: 12, quoted: true },
    ]);
  });
});

describe('keepalived lexer: braces cut the line', () => {
  type Shape = string; // 'w:word word' | '{' | '}'
  const shape = (line: string): Shape[] =>
    lexLine(line).items.map((i) =>
      i.kind === 'words'
        ? `w:${i.tokens.map((t) => t.text).join(' ')}`
        : i.kind === 'open'
          ? '{'
          : '}',
    );
  const cases: [string, Shape[]][] = [
    ['vrrp_instance VI_1 {', ['w:vrrp_instance VI_1', '{']],
    [
      'authentication { auth_type PASS auth_pass X }',
      ['w:authentication', '{', 'w:auth_type PASS auth_pass X', '}'],
    ],
    ['} nopreempt', ['}', 'w:nopreempt']],
    ['{', ['{']],
    ['script "echo {x}"', ['w:script echo {x}']],
    ['}}', ['}', '}']],
  ];
  for (const [input, expected] of cases) {
    it(JSON.stringify(input), () => assert.deepEqual(shape(input), expected));
  }

  it('keeps the raw text of a segment for script lines', () => {
    const item = lexLine('  script "a \\"b\\"" x').items[0];
    assert.ok(item && item.kind === 'words');
    assert.equal(item.raw, 'script "a \\"b\\"" x');
    assert.equal(item.col, 3);
  });
});

describe('keepalived lexer: script command lines (quotes and escapes)', () => {
  const cases: [string, string[] | undefined][] = [
    ['/bin/true', ['/bin/true']],
    ["bash -c 'exit 1'", ['bash', '-c', 'exit 1']],
    ['"a b" c', ['a b', 'c']],
    ['a\\ b', ['a b']],
    ['\\x41\\101\\t', ['AA\t']],
    ['"unterminated', undefined],
    ['trailing\\', undefined],
  ];
  for (const [input, expected] of cases) {
    it(JSON.stringify(input), () => assert.deepEqual(splitQuotedEscaped(input), expected));
  }

  it('splits the article script twice the way Keepalived does', () => {
    const raw = `"bash -c 'if [ $(ss -alnupt |grep 9443|wc -l) -eq 0 ];then exit 1;fi'"`;
    const first = splitQuotedEscaped(raw)?.[0];
    assert.equal(first, "bash -c 'if [ $(ss -alnupt |grep 9443|wc -l) -eq 0 ];then exit 1;fi'");
    assert.deepEqual(splitQuotedEscaped(first ?? ''), [
      'bash',
      '-c',
      'if [ $(ss -alnupt |grep 9443|wc -l) -eq 0 ];then exit 1;fi',
    ]);
  });
});
