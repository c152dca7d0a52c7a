// Cases of Go's text/template/parse parse_test.go, expected results verbatim.
import { describe, expect, it } from 'vitest';
import { TemplateError } from './errors.ts';
import { isEmptyTree, nodeString, parseTemplate, type ListNode, type Node, type NumberNode } from './parser.ts';

const builtins = new Set(['printf', 'contains']);
const hasFunction = (name: string) => builtins.has(name);

type NumberCase = [text: string, isInt: boolean, isUint: boolean, isFloat: boolean, int: bigint, uint: bigint, float: number];

const numberTests: NumberCase[] = [
  // basics
  ['0', true, true, true, 0n, 0n, 0],
  ['-0', true, true, true, 0n, 0n, 0], // check that -0 is a uint.
  ['73', true, true, true, 73n, 73n, 73],
  ['7_3', true, true, true, 73n, 73n, 73],
  ['0b10_010_01', true, true, true, 73n, 73n, 73],
  ['0B10_010_01', true, true, true, 73n, 73n, 73],
  ['073', true, true, true, 0o73n, 0o73n, 0o73],
  ['0o73', true, true, true, 0o73n, 0o73n, 0o73],
  ['0O73', true, true, true, 0o73n, 0o73n, 0o73],
  ['0x73', true, true, true, 0x73n, 0x73n, 0x73],
  ['0X73', true, true, true, 0x73n, 0x73n, 0x73],
  ['0x7_3', true, true, true, 0x73n, 0x73n, 0x73],
  ['-73', true, false, true, -73n, 0n, -73],
  ['+73', true, false, true, 73n, 0n, 73],
  ['100', true, true, true, 100n, 100n, 100],
  ['1e9', true, true, true, 1000000000n, 1000000000n, 1e9],
  ['-1e9', true, false, true, -1000000000n, 0n, -1e9],
  ['-1.2', false, false, true, 0n, 0n, -1.2],
  ['1e19', false, true, true, 0n, 10000000000000000000n, 1e19],
  ['1e1_9', false, true, true, 0n, 10000000000000000000n, 1e19],
  ['1E19', false, true, true, 0n, 10000000000000000000n, 1e19],
  ['-1e19', false, false, true, 0n, 0n, -1e19],
  ['0x_1p4', true, true, true, 16n, 16n, 16],
  ['0X_1P4', true, true, true, 16n, 16n, 16],
  ['0x_1p-4', false, false, true, 0n, 0n, 1 / 16],
  // funny bases
  ['0123', true, true, true, 0o123n, 0o123n, 0o123],
  ['-0x0', true, true, true, 0n, 0n, 0],
  ['0xdeadbeef', true, true, true, 0xdeadbeefn, 0xdeadbeefn, 0xdeadbeef],
  // character constants
  ["'a'", true, true, true, 97n, 97n, 97],
  ["'\\n'", true, true, true, 10n, 10n, 10],
  ["'\\\\'", true, true, true, 92n, 92n, 92],
  ["'\\''", true, true, true, 39n, 39n, 39],
  ["'\\xFF'", true, true, true, 0xffn, 0xffn, 0xff],
  ["'パ'", true, true, true, 0x30d1n, 0x30d1n, 0x30d1],
  ["'\\u30d1'", true, true, true, 0x30d1n, 0x30d1n, 0x30d1],
  ["'\\U000030d1'", true, true, true, 0x30d1n, 0x30d1n, 0x30d1],
  // Issue 8622 - 0xe parsed as floating point. Very embarrassing.
  ['0xef', true, true, true, 0xefn, 0xefn, 0xef],
];

// some broken syntax
const badNumbers = ['+-2', '0x123.', '1e.', '0xi.', '1+2.', "'x", "'xx'", "'433937734937734969526500969526500'"];

function numberNode(text: string): NumberNode {
  const trees = parseTemplate('n', `{{${text}}}`, { hasFunction });
  const root = (trees.get('n') as { root: ListNode }).root;
  const action = root.nodes[0] as Extract<Node, { type: 'action' }>;
  return action.pipe.cmds[0]?.args[0] as NumberNode;
}

describe('parse_test.go TestNumberParse', () => {
  it.each(numberTests)('%s', (text, isInt, isUint, isFloat, int, uint, float) => {
    const n = numberNode(text);
    expect(n.type).toBe('number');
    expect(n.isInt).toBe(isInt);
    if (isInt) expect(n.int).toBe(int);
    expect(n.isUint).toBe(isUint);
    if (isUint) expect(n.uint).toBe(uint);
    expect(n.isFloat).toBe(isFloat);
    if (isFloat) expect(n.float).toBe(float);
  });
  it.each(badNumbers)('rejects %s', (text) => {
    expect(() => numberNode(text)).toThrow(TemplateError);
  });
});

type ParseCase = [name: string, input: string, ok: boolean, result: string];
const noError = true;
const hasError = false;

const parseTests: ParseCase[] = [
  ['empty', '', noError, ``],
  ['comment', '{{/*\n\n\n*/}}', noError, ``],
  ['spaces', ' \t\n', noError, `" \\t\\n"`],
  ['text', 'some text', noError, `"some text"`],
  ['emptyAction', '{{}}', hasError, `{{}}`],
  ['field', '{{.X}}', noError, `{{.X}}`],
  ['simple command', '{{printf}}', noError, `{{printf}}`],
  ['$ invocation', '{{$}}', noError, '{{$}}'],
  ['variable invocation', '{{with $x := 3}}{{$x 23}}{{end}}', noError, '{{with $x := 3}}{{$x 23}}{{end}}'],
  ['variable with fields', '{{$.I}}', noError, '{{$.I}}'],
  ['multi-word command', '{{printf `%d` 23}}', noError, '{{printf `%d` 23}}'],
  ['pipeline', '{{.X|.Y}}', noError, `{{.X | .Y}}`],
  ['pipeline with decl', '{{$x := .X|.Y}}', noError, `{{$x := .X | .Y}}`],
  ['nested pipeline', '{{.X (.Y .Z) (.A | .B .C) (.E)}}', noError, `{{.X (.Y .Z) (.A | .B .C) (.E)}}`],
  ['field applied to parentheses', '{{(.Y .Z).Field}}', noError, `{{(.Y .Z).Field}}`],
  ['simple if', '{{if .X}}hello{{end}}', noError, `{{if .X}}"hello"{{end}}`],
  ['if with else', '{{if .X}}true{{else}}false{{end}}', noError, `{{if .X}}"true"{{else}}"false"{{end}}`],
  ['if with else if', '{{if .X}}true{{else if .Y}}false{{end}}', noError, `{{if .X}}"true"{{else}}{{if .Y}}"false"{{end}}{{end}}`],
  ['if else chain', '+{{if .X}}X{{else if .Y}}Y{{else if .Z}}Z{{end}}+', noError, `"+"{{if .X}}"X"{{else}}{{if .Y}}"Y"{{else}}{{if .Z}}"Z"{{end}}{{end}}{{end}}"+"`],
  ['simple range', '{{range .X}}hello{{end}}', noError, `{{range .X}}"hello"{{end}}`],
  ['chained field range', '{{range .X.Y.Z}}hello{{end}}', noError, `{{range .X.Y.Z}}"hello"{{end}}`],
  ['nested range', '{{range .X}}hello{{range .Y}}goodbye{{end}}{{end}}', noError, `{{range .X}}"hello"{{range .Y}}"goodbye"{{end}}{{end}}`],
  ['range with else', '{{range .X}}true{{else}}false{{end}}', noError, `{{range .X}}"true"{{else}}"false"{{end}}`],
  ['range over pipeline', '{{range .X|.M}}true{{else}}false{{end}}', noError, `{{range .X | .M}}"true"{{else}}"false"{{end}}`],
  ['range []int', '{{range .SI}}{{.}}{{end}}', noError, `{{range .SI}}{{.}}{{end}}`],
  ['range 1 var', '{{range $x := .SI}}{{.}}{{end}}', noError, `{{range $x := .SI}}{{.}}{{end}}`],
  ['range 2 vars', '{{range $x, $y := .SI}}{{.}}{{end}}', noError, `{{range $x, $y := .SI}}{{.}}{{end}}`],
  ['range with break', '{{range .SI}}{{.}}{{break}}{{end}}', noError, `{{range .SI}}{{.}}{{break}}{{end}}`],
  ['range with continue', '{{range .SI}}{{.}}{{continue}}{{end}}', noError, `{{range .SI}}{{.}}{{continue}}{{end}}`],
  ['constants', "{{range .SI 1 -3.2 true false 'a' nil}}{{end}}", noError, "{{range .SI 1 -3.2 true false 'a' nil}}{{end}}"],
  ['template', '{{template `x`}}', noError, `{{template "x"}}`],
  ['template with arg', '{{template `x` .Y}}', noError, `{{template "x" .Y}}`],
  ['with', '{{with .X}}hello{{end}}', noError, `{{with .X}}"hello"{{end}}`],
  ['with with else', '{{with .X}}hello{{else}}goodbye{{end}}', noError, `{{with .X}}"hello"{{else}}"goodbye"{{end}}`],
  ['with with else with', '{{with .X}}hello{{else with .Y}}goodbye{{end}}', noError, `{{with .X}}"hello"{{else}}{{with .Y}}"goodbye"{{end}}{{end}}`],
  ['with else chain', '{{with .X}}X{{else with .Y}}Y{{else with .Z}}Z{{end}}', noError, `{{with .X}}"X"{{else}}{{with .Y}}"Y"{{else}}{{with .Z}}"Z"{{end}}{{end}}{{end}}`],
  // Trimming spaces.
  ['trim left', 'x \r\n\t{{- 3}}', noError, `"x"{{3}}`],
  ['trim right', '{{3 -}}\n\n\ty', noError, `{{3}}"y"`],
  ['trim left and right', 'x \r\n\t{{- 3 -}}\n\n\ty', noError, `"x"{{3}}"y"`],
  ['trim with extra spaces', 'x\n{{-  3   -}}\ny', noError, `"x"{{3}}"y"`],
  ['comment trim left', 'x \r\n\t{{- /* hi */}}', noError, `"x"`],
  ['comment trim right', '{{/* hi */ -}}\n\n\ty', noError, `"y"`],
  ['comment trim left and right', 'x \r\n\t{{- /* */ -}}\n\n\ty', noError, `"x""y"`],
  ['block definition', `{{block "foo" .}}hello{{end}}`, noError, `{{template "foo" .}}`],

  ['newline in assignment', '{{ $x \n := \n 1 \n }}', noError, '{{$x := 1}}'],
  ['newline in empty action', '{{\n}}', hasError, '{{\n}}'],
  ['newline in pipeline', '{{\n"x"\n|\nprintf\n}}', noError, `{{"x" | printf}}`],
  ['newline in comment', '{{/*\nhello\n*/}}', noError, ''],
  ['newline in comment', '{{-\n/*\nhello\n*/\n-}}', noError, ''],
  ['spaces around continue', '{{range .SI}}{{.}}{{ continue }}{{end}}', noError, `{{range .SI}}{{.}}{{continue}}{{end}}`],
  ['spaces around break', '{{range .SI}}{{.}}{{ break }}{{end}}', noError, `{{range .SI}}{{.}}{{break}}{{end}}`],

  // Errors.
  ['unclosed action', 'hello{{range', hasError, ''],
  ['unmatched end', '{{end}}', hasError, ''],
  ['unmatched else', '{{else}}', hasError, ''],
  ['unmatched else after if', '{{if .X}}hello{{end}}{{else}}', hasError, ''],
  ['multiple else', '{{if .X}}1{{else}}2{{else}}3{{end}}', hasError, ''],
  ['missing end', 'hello{{range .x}}', hasError, ''],
  ['missing end after else', 'hello{{range .x}}{{else}}', hasError, ''],
  ['undefined function', 'hello{{undefined}}', hasError, ''],
  ['undefined variable', '{{$x}}', hasError, ''],
  ['variable undefined after end', '{{with $x := 4}}{{end}}{{$x}}', hasError, ''],
  ['variable undefined in template', '{{template $v}}', hasError, ''],
  ['declare with field', '{{with $x.Y := 4}}{{end}}', hasError, ''],
  ['template with field ref', '{{template .X}}', hasError, ''],
  ['template with var', '{{template $v}}', hasError, ''],
  ['invalid punctuation', '{{printf 3, 4}}', hasError, ''],
  ['multidecl outside range', '{{with $v, $u := 3}}{{end}}', hasError, ''],
  ['too many decls in range', '{{range $u, $v, $w := 3}}{{end}}', hasError, ''],
  ['dot applied to parentheses', '{{printf (printf .).}}', hasError, ''],
  ['adjacent args', '{{printf 3`x`}}', hasError, ''],
  ['adjacent args with .', '{{printf `x`.}}', hasError, ''],
  ['extra end after if', '{{if .X}}a{{else if .Y}}b{{end}}{{end}}', hasError, ''],
  ['break outside range', '{{range .}}{{end}} {{break}}', hasError, ''],
  ['continue outside range', '{{range .}}{{end}} {{continue}}', hasError, ''],
  ['break in range else', '{{range .}}{{else}}{{break}}{{end}}', hasError, ''],
  ['continue in range else', '{{range .}}{{else}}{{continue}}{{end}}', hasError, ''],
  // Other kinds of assignments and operators aren't available yet.
  ['bug0a', '{{$x := 0}}{{$x}}', noError, '{{$x := 0}}{{$x}}'],
  ['bug0b', '{{$x += 1}}{{$x}}', hasError, ''],
  ['bug0c', '{{$x ! 2}}{{$x}}', hasError, ''],
  ['bug0d', '{{$x % 3}}{{$x}}', hasError, ''],
  // Check the parse fails for := rather than comma.
  ['bug0e', '{{range $x := $y := 3}}{{end}}', hasError, ''],
  // Another bug: variable read must ignore following punctuation.
  ['bug1a', '{{$x:=.}}{{$x!2}}', hasError, ''], // ! is just illegal here.
  ['bug1b', '{{$x:=.}}{{$x+2}}', hasError, ''], // $x+2 should not parse as ($x) (+2).
  ['bug1c', '{{$x:=.}}{{$x +2}}', noError, '{{$x := .}}{{$x +2}}'], // It's OK with a space.
  // Check the range handles assignment vs. declaration properly.
  ['bug2a', '{{range $x := 0}}{{$x}}{{end}}', noError, '{{range $x := 0}}{{$x}}{{end}}'],
  ['bug2b', '{{range $x = 0}}{{$x}}{{end}}', noError, '{{range $x = 0}}{{$x}}{{end}}'],
  // dot following a literal value
  ['dot after integer', '{{1.E}}', hasError, ''],
  ['dot after float', '{{0.1.E}}', hasError, ''],
  ['dot after boolean', '{{true.E}}', hasError, ''],
  ['dot after char', "{{'a'.any}}", hasError, ''],
  ['dot after string', `{{"hello".guys}}`, hasError, ''],
  ['dot after dot', '{{..E}}', hasError, ''],
  ['dot after nil', '{{nil.E}}', hasError, ''],
  // Wrong pipeline
  ['wrong pipeline dot', '{{12|.}}', hasError, ''],
  ['wrong pipeline number', '{{.|12|printf}}', hasError, ''],
  ['wrong pipeline string', '{{.|printf|"error"}}', hasError, ''],
  ['wrong pipeline char', "{{12|printf|'e'}}", hasError, ''],
  ['wrong pipeline boolean', '{{.|true}}', hasError, ''],
  ['wrong pipeline nil', "{{'c'|nil}}", hasError, ''],
  ['empty pipeline', `{{printf "%d" ( ) }}`, hasError, ''],
  // Missing pipeline in block
  ['block definition', `{{block "foo"}}hello{{end}}`, hasError, ''],
];

describe('parse_test.go TestParse', () => {
  it.each(parseTests)('%s', (name, input, ok, result) => {
    let trees: ReturnType<typeof parseTemplate> | undefined;
    let err: unknown;
    try {
      trees = parseTemplate(name, input, { hasFunction });
    } catch (e) {
      err = e;
    }
    if (!ok) {
      expect(err).toBeInstanceOf(TemplateError);
      return;
    }
    expect(err).toBeUndefined();
    expect(nodeString(trees?.get(name)?.root as ListNode, true)).toBe(result);
  });
});

// All failures, and the result is a string that must appear in the error message.
const errorTests: Array<[name: string, input: string, result: string]> = [
  // Check line numbers are accurate.
  ['unclosed1', 'line1\n{{', `unclosed1:2: unclosed action`],
  ['unclosed2', 'line1\n{{define `x`}}line2\n{{', `unclosed2:3: unclosed action`],
  ['unclosed3', 'line1\n{{"x"\n"y"\n', `unclosed3:4: unclosed action started at unclosed3:2`],
  ['unclosed4', '{{\n\n\n\n\n', `unclosed4:6: unclosed action started at unclosed4:1`],
  ['var1', 'line1\n{{\nx\n}}', `var1:3: function "x" not defined`],
  // Specific errors.
  ['function', '{{foo}}', `function "foo" not defined`],
  ['comment1', '{{/*}}', `comment1:1: unclosed comment`],
  ['comment2', '{{/*\nhello\n}}', `comment2:1: unclosed comment`],
  ['lparen', '{{.X (1 2 3}}', `unclosed left paren`],
  ['rparen', '{{.X 1 2 3 ) }}', 'unexpected right paren'],
  ['rparen2', '{{(.X 1 2 3', `unclosed action`],
  ['space', '{{`x`3}}', `in operand`],
  ['idchar', '{{a#}}', `'#'`],
  ['charconst', "{{'a}}", `unterminated character constant`],
  ['stringconst', `{{"a}}`, `unterminated quoted string`],
  ['rawstringconst', '{{`a}}', `unterminated raw quoted string`],
  ['number', '{{0xi}}', `number syntax`],
  ['multidefine', '{{define `a`}}a{{end}}{{define `a`}}b{{end}}', `multiple definition of template`],
  ['eof', '{{range .X}}', `unexpected EOF`],
  // Declare $x so it's defined, to avoid that error, and then check we don't parse a declaration.
  ['variable', '{{$x := 23}}{{with $x.y := 3}}{{$x 23}}{{end}}', `unexpected ":="`],
  ['multidecl', '{{$a,$b,$c := 23}}', `too many declarations`],
  ['undefvar', '{{$a}}', `undefined variable`],
  ['wrongdot', '{{true.any}}', `unexpected . after term`],
  ['wrongpipeline', '{{12|false}}', `non executable command in pipeline`],
  ['emptypipeline', `{{ ( ) }}`, `missing value for parenthesized pipeline`],
  ['multilinerawstring', '{{ $v := `\n` }} {{', `multilinerawstring:2: unclosed action`],
  ['rangeundefvar', '{{range $k}}{{end}}', `undefined variable`],
  ['rangeundefvars', '{{range $k, $v}}{{end}}', `undefined variable`],
  ['rangemissingvalue1', '{{range $k,}}{{end}}', `missing value for range`],
  ['rangemissingvalue2', '{{range $k, $v := }}{{end}}', `missing value for range`],
  ['rangenotvariable1', '{{range $k, .}}{{end}}', `range can only initialize variables`],
  ['rangenotvariable2', '{{range $k, 123 := .}}{{end}}', `range can only initialize variables`],
];

describe('parse_test.go TestErrors', () => {
  it.each(errorTests)('%s', (name, input, result) => {
    expect(() => parseTemplate(name, input, { hasFunction: () => false })).toThrow(result);
  });

  it('prefixes messages like Go', () => {
    expect(() => parseTemplate('test', '{{', {})).toThrow(new TemplateError('parse', 'test', 'template: test:1: unclosed action'));
    expect(() => parseTemplate('test', '{{ \u00a0}}', {})).toThrow('template: test:1: unrecognized character in action: U+00A0');
  });
});

describe('parse_test.go', () => {
  it('a break function makes break an identifier (TestKeywordsAndFuncs)', () => {
    const inp = '{{range .X}}{{break 20}}{{end}}';
    expect(() => parseTemplate('', inp, { hasFunction: (n) => n === 'break' })).not.toThrow();
    expect(() => parseTemplate('', inp, { hasFunction: () => false })).toThrow(TemplateError);
  });

  it('keeps comments when asked (TestParseWithComments)', () => {
    const tests: Array<[string, string]> = [
      ['{{/*\n\n\n*/}}', '{{/*\n\n\n*/}}'],
      ['x \r\n\t{{- /* hi */}}', `"x"{{/* hi */}}`],
      ['{{/* hi */ -}}\n\n\ty', `{{/* hi */}}"y"`],
      ['x \r\n\t{{- /* */ -}}\n\n\ty', `"x"{{/* */}}"y"`],
    ];
    for (const [input, result] of tests) {
      const root = parseTemplate('c', input, { parseComments: true }).get('c')?.root as ListNode;
      expect(nodeString(root, true)).toBe(result);
    }
  });

  it('tells empty trees (TestIsEmpty)', () => {
    const cases: Array<[string, boolean]> = [
      [``, true],
      [`hello`, false],
      [' \t\n \t\n', true],
      ['{{/* comment */}}', true],
      [`{{define "x"}}something{{end}}`, true],
      ['{{define `x`}}something{{end}}\n\n{{define `y`}}something{{end}}\n\n', true],
      ['{{define `x`}}something{{end}}\nx\n{{define `y`}}something{{end}}\ny\n', false],
      ['{{define `x`}}something{{end}}{{if 3}}foo{{end}}', false],
    ];
    for (const [input, empty] of cases) expect(isEmptyTree(parseTemplate('root', input).get('root')?.root)).toBe(empty);
  });

  it('block defines the inner template (TestBlock)', () => {
    const trees = parseTemplate('outer', `a{{block "inner" .}}bar{{.}}baz{{end}}b`);
    expect(nodeString(trees.get('outer')?.root as ListNode)).toBe(`a{{template "inner" .}}b`);
    expect(nodeString(trees.get('inner')?.root as ListNode)).toBe(`bar{{.}}baz`);
  });

  it('records line numbers (TestLineNum)', () => {
    const root = parseTemplate('bench', '{{printf 1234}}\n'.repeat(3), { hasFunction }).get('bench')?.root as ListNode;
    for (let i = 0; i < root.nodes.length; i += 2) {
      const action = root.nodes[i] as Extract<Node, { type: 'action' }>;
      expect(action.line).toBe(1 + i / 2);
      expect(action.pipe.line).toBe(1 + i / 2);
    }
  });

  it('reports a multi-line unterminated raw string at its opening line (TestUnterminatedStringError)', () => {
    expect(() => parseTemplate('X', 'hello\n\n{{`unterminated\n\n\n\n}}\n some more\n\n')).toThrow('X:3: unterminated raw quoted string');
  });
});
