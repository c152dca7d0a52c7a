// Cases of Go's text/template exec_test.go, with Go's expected outputs verbatim.
// The data mirror exec_test.go's tVal in the value model of values.ts (bigint for Go ints,
// GoMap for typed maps, GoFunc for func-typed fields). Cases that need Go-only things
// (complex numbers, nil-receiver methods, channels, unsafe pointers, %T of sized ints) are left out.
import { describe, expect, it } from 'vitest';
import { sprintf } from './format.ts';
import { instanceType, stringSliceType, withSignature, type FuncMap } from './functions.ts';
import { TemplateError, TemplateSet } from './template.ts';
import { GoFunc, GoMap, typeName } from './values.ts';

class U {
  V = 'v';
  TrueFalse(b: boolean): string {
    return b ? 'true' : '';
  }
}
withSignature(U.prototype.TrueFalse, ['bool']);

class V {
  j: bigint;
  constructor(j: bigint) {
    this.j = j;
  }
  String(): string {
    return `<${this.j}>`;
  }
}

class W {
  k: bigint;
  constructor(k: bigint) {
    this.k = k;
  }
  Error(): string {
    return `[${this.k}]`;
  }
}

const intMap = (entries: Record<string, bigint>) => new GoMap<bigint>(entries, { zero: 0n, typeName: 'map[string]int' });
const keyedMap = (entries: Array<[bigint, string]>, t: string) => new GoMap<string>(entries, { zero: '', typeName: `map[${t}]string`, keyType: t });

const ptrInt = { name: '*int', nillable: true, accepts: (v: unknown) => typeof v === 'bigint' };

class T {
  True = true;
  I = 17n;
  U16 = 16n;
  X = 'x';
  S = 'xyz';
  FloatZero = 0;
  U = new U();
  V0 = new V(6666n);
  V1 = new V(7777n);
  W0 = new W(888n);
  W1 = new W(999n);
  SI = [3n, 4n, 5n];
  SIEmpty: bigint[] = [];
  SB = [true, false];
  AI = [3n, 4n, 5n];
  MSI = intMap({ one: 1n, two: 2n, three: 3n });
  MSIone = intMap({ one: 1n });
  MSIEmpty = intMap({});
  MXI = new Map<unknown, unknown>([['one', 1n]]);
  MII = new GoMap<bigint>([[1n, 1n]], { zero: 0n, typeName: 'map[int]int', keyType: 'int' });
  MI32S = keyedMap([[1n, 'one'], [2n, 'two']], 'int32');
  MI64S = keyedMap([[2n, 'i642'], [3n, 'i643']], 'int64');
  MUI32S = keyedMap([[2n, 'u322'], [3n, 'u323']], 'uint32');
  MUI64S = keyedMap([[2n, 'ui642'], [3n, 'ui643']], 'uint64');
  MI8S = keyedMap([[2n, 'i82'], [3n, 'i83']], 'int8');
  MUI8S = keyedMap([[2n, 'u82'], [3n, 'u83']], 'uint8');
  SMSI = [intMap({ one: 1n, two: 2n }), intMap({ eleven: 11n, twelve: 12n })];
  Empty0: unknown = undefined;
  Empty1: unknown = 3n;
  Empty2: unknown = 'empty2';
  Empty3: unknown = [7n, 8n];
  Empty4: unknown = Object.assign(new U(), { V: 'UinEmpty' });
  NonEmptyInterface: unknown;
  NonEmptyInterfacePtS: unknown = ['a', 'b'];
  Str = new StringBuffer('foozle');
  Err = new Error('erroozle');
  PI = 23n;
  PS = 'a string';
  PSI = [21n, 22n, 23n];
  NIL = null;
  BinaryFunc = new GoFunc(withSignature((a: string, b: string) => `[${a}=${b}]`, ['string', 'string']));
  VariadicFunc = new GoFunc(withSignature((...s: string[]) => `<${s.join('+')}>`, [], 'string'));
  VariadicFuncInt = new GoFunc(withSignature((a: bigint, ...s: string[]) => `${a}=<${s.join('+')}>`, ['int'], 'string'));
  NilOKFunc = new GoFunc(withSignature((s: unknown) => s === null, [ptrInt]));
  ErrFunc = new GoFunc(withSignature(() => 'bla', []));
  PanicFunc = new GoFunc(withSignature(() => {
    throw new Error('test panic');
  }, []));
  unexported = 0n;
  constructor(nested = true) {
    if (nested) this.NonEmptyInterface = Object.assign(new T(false), { X: 'x' });
  }
  Method0(): string {
    return 'M0';
  }
  Method1(a: bigint): bigint {
    return a;
  }
  Method2(a: bigint, b: string): string {
    return sprintf('Method2: %d %s', [a, b]);
  }
  Method3(v: unknown): string {
    return sprintf('Method3: %v', [v]);
  }
  Copy(): T {
    return Object.assign(new T(false), this);
  }
  MAdd(a: bigint, b: bigint[]): bigint[] {
    return b.map((x) => x + a);
  }
  MyError(error: boolean): boolean {
    if (error) throw new Error('my error');
    return false;
  }
  GetU(): U {
    return this.U;
  }
}
withSignature(T.prototype.Method0, []);
withSignature(T.prototype.Method1, ['int']);
withSignature(T.prototype.Method2, [{ name: 'uint16', literal: 'int', accepts: (v) => typeof v === 'bigint' }, 'string']);
withSignature(T.prototype.Method3, ['any']);
withSignature(T.prototype.Copy, []);
withSignature(T.prototype.MAdd, ['int', { name: '[]int', nillable: true, accepts: (v) => Array.isArray(v) }]);
withSignature(T.prototype.MyError, ['bool']);
withSignature(T.prototype.GetU, []);

// bytes.StringBuffer: a fmt.Stringer.
class StringBuffer {
  private readonly s: string;
  constructor(s: string) {
    this.s = s;
  }
  String(): string {
    return this.s;
  }
}

// "dot struct": struct{a int; b string}{7, "seven"}
class Anon {
  a = 7n;
  b = 'seven';
}

const tVal = new T();
const tSliceOfNil = [new T(false)];

const count = (n: bigint): Iterable<string> | null => {
  if (n === 0n) return null;
  return (function* () {
    for (let i = 0; i < Number(n); i++) yield 'abcdefghijklmnop'.slice(i, i + 1);
  })();
};

const funcs: FuncMap = {
  add: withSignature((...args: bigint[]) => args.reduce((a, b) => a + b, 0n), [], 'int'),
  count: withSignature(count, ['int']),
  dddArg: withSignature((a: bigint, ...b: string[]) => `${a} [${b.join(' ')}]\n`, ['int'], 'string'),
  die: withSignature((): boolean => {
    throw new Error('die');
  }, []),
  echo: withSignature((arg: unknown) => arg, ['any']),
  makemap: withSignature((...arg: string[]) => {
    if (arg.length % 2 !== 0) throw new Error('bad makemap');
    const m: Array<[string, string]> = [];
    for (let i = 0; i < arg.length; i += 2) m.push([arg[i] as string, arg[i + 1] as string]);
    return new GoMap<string>(m, { zero: '', typeName: 'map[string]string' });
  }, [], 'string'),
  mapOfThree: withSignature(() => intMap({ three: 3n }), []),
  oneArg: withSignature((a: string) => `oneArg=${a}`, ['string']),
  returnInt: withSignature(() => 7n, []),
  stringer: withSignature((s: { String(): string }) => s.String(), [{ name: 'fmt.Stringer', accepts: (v) => typeof (v as { String?: unknown })?.String === 'function' }]),
  twoArgs: withSignature((a: string, b: string) => `twoArgs=${a}${b}`, ['string', 'string']),
  typeOf: withSignature((arg: unknown) => typeName(arg), ['any']),
  valueString: withSignature(() => 'value is ignored', ['string']),
  vfunc: withSignature(() => 'vfunc', [instanceType('V', V), instanceType('*V', V, true)]),
  zeroArgs: withSignature(() => 'zeroArgs', []),
};

type Case = [name: string, input: string, output: string, data: unknown, ok: boolean];

const bigInt = '0x7fffffffffffffff';
const bigUint = '0x8000000000000000';

const execTests: Case[] = [
  // Trivial cases.
  ['empty', '', '', null, true],
  ['text', 'some text', 'some text', null, true],
  ['nil action', '{{nil}}', '', null, false],

  // Ideal constants.
  ['ideal int', '{{typeOf 3}}', 'int', 0n, true],
  ['ideal float', '{{typeOf 1.0}}', 'float64', 0n, true],
  ['ideal exp float', '{{typeOf 1e1}}', 'float64', 0n, true],
  ['ideal int', '{{typeOf ' + bigInt + '}}', 'int', 0n, true],
  ['ideal too big', '{{typeOf ' + bigUint + '}}', '', 0n, false],
  ['ideal nil without type', '{{nil}}', '', 0n, false],

  // Fields of structs.
  ['.X', '-{{.X}}-', '-x-', tVal, true],
  ['.U.V', '-{{.U.V}}-', '-v-', tVal, true],
  ['.unexported', '{{.unexported}}', '', tVal, false],

  // Fields on maps.
  ['map .one', '{{.MSI.one}}', '1', tVal, true],
  ['map .two', '{{.MSI.two}}', '2', tVal, true],
  ['map .NO', '{{.MSI.NO}}', '<no value>', tVal, true],
  ['map .one interface', '{{.MXI.one}}', '1', tVal, true],
  ['map .WRONG args', '{{.MSI.one 1}}', '', tVal, false],
  ['map .WRONG type', '{{.MII.one}}', '', tVal, false],

  // Dots of all kinds to test basic evaluation.
  ['dot int', '<{{.}}>', '<13>', 13n, true],
  ['dot uint', '<{{.}}>', '<14>', 14n, true],
  ['dot float', '<{{.}}>', '<15.1>', 15.1, true],
  ['dot bool', '<{{.}}>', '<true>', true, true],
  ['dot string', '<{{.}}>', '<hello>', 'hello', true],
  ['dot slice', '<{{.}}>', '<[-1 -2 -3]>', [-1n, -2n, -3n], true],
  ['dot map', '<{{.}}>', '<map[two:22]>', intMap({ two: 22n }), true],
  ['dot struct', '<{{.}}>', '<{7 seven}>', new Anon(), true],

  // Variables.
  ['$ int', '{{$}}', '123', 123n, true],
  ['$.I', '{{$.I}}', '17', tVal, true],
  ['$.U.V', '{{$.U.V}}', 'v', tVal, true],
  ['declare in action', '{{$x := $.U.V}}{{$x}}', 'v', tVal, true],
  ['simple assignment', '{{$x := 2}}{{$x = 3}}{{$x}}', '3', tVal, true],
  ['nested assignment', '{{$x := 2}}{{if true}}{{$x = 3}}{{end}}{{$x}}', '3', tVal, true],
  ['nested assignment changes the last declaration', '{{$x := 1}}{{if true}}{{$x := 2}}{{if true}}{{$x = 3}}{{end}}{{end}}{{$x}}', '1', tVal, true],

  // Type with String method.
  ['V{6666}.String()', '-{{.V0}}-', '-<6666>-', tVal, true],
  ['&V{7777}.String()', '-{{.V1}}-', '-<7777>-', tVal, true],

  // Type with Error method.
  ['W{888}.Error()', '-{{.W0}}-', '-[888]-', tVal, true],
  ['&W{999}.Error()', '-{{.W1}}-', '-[999]-', tVal, true],

  // Pointers.
  ['*int', '{{.PI}}', '23', tVal, true],
  ['*string', '{{.PS}}', 'a string', tVal, true],
  ['*[]int', '{{.PSI}}', '[21 22 23]', tVal, true],
  ['*[]int[1]', '{{index .PSI 1}}', '22', tVal, true],
  ['NIL', '{{.NIL}}', '<nil>', tVal, true],

  // Empty interfaces holding values.
  ['empty nil', '{{.Empty0}}', '<no value>', tVal, true],
  ['empty with int', '{{.Empty1}}', '3', tVal, true],
  ['empty with string', '{{.Empty2}}', 'empty2', tVal, true],
  ['empty with slice', '{{.Empty3}}', '[7 8]', tVal, true],
  ['empty with struct', '{{.Empty4}}', '{UinEmpty}', tVal, true],
  ['empty with struct, field', '{{.Empty4.V}}', 'UinEmpty', tVal, true],

  // Edge cases with <no value> with an interface value
  ['field on interface', '{{.foo}}', '<no value>', undefined, true],
  ['field on parenthesized interface', '{{(.).foo}}', '<no value>', undefined, true],

  // Issue 31810: Parenthesized first element of pipeline with arguments.
  ['unparenthesized non-function', '{{1 2}}', '', null, false],
  ['parenthesized non-function', '{{(1) 2}}', '', null, false],
  ['parenthesized non-function with no args', '{{(1)}}', '1', null, true], // This is fine.

  // Method calls.
  ['.Method0', '-{{.Method0}}-', '-M0-', tVal, true],
  ['.Method1(1234)', '-{{.Method1 1234}}-', '-1234-', tVal, true],
  ['.Method1(.I)', '-{{.Method1 .I}}-', '-17-', tVal, true],
  ['.Method2(3, .X)', '-{{.Method2 3 .X}}-', '-Method2: 3 x-', tVal, true],
  ['.Method2(.U16, `str`)', '-{{.Method2 .U16 `str`}}-', '-Method2: 16 str-', tVal, true],
  ['.Method2(.U16, $x)', '{{if $x := .X}}-{{.Method2 .U16 $x}}{{end}}-', '-Method2: 16 x-', tVal, true],
  ['.Method3(nil constant)', '-{{.Method3 nil}}-', '-Method3: <nil>-', tVal, true],
  ['.Method3(nil value)', '-{{.Method3 .MXI.unset}}-', '-Method3: <nil>-', tVal, true],
  ['method on var', '{{if $x := .}}-{{$x.Method2 .U16 $x.X}}{{end}}-', '-Method2: 16 x-', tVal, true],
  ['method on chained var', '{{range .MSIone}}{{if $.U.TrueFalse $.True}}{{$.U.TrueFalse $.True}}{{else}}WRONG{{end}}{{end}}', 'true', tVal, true],
  ['chained method', '{{range .MSIone}}{{if $.GetU.TrueFalse $.True}}{{$.U.TrueFalse $.True}}{{else}}WRONG{{end}}{{end}}', 'true', tVal, true],
  ['chained method on variable', '{{with $x := .}}{{with .SI}}{{$.GetU.TrueFalse $.True}}{{end}}{{end}}', 'true', tVal, true],
  ['.NilOKFunc not nil', '{{call .NilOKFunc .PI}}', 'false', tVal, true],
  ['.NilOKFunc nil', '{{call .NilOKFunc nil}}', 'true', tVal, true],
  ['method on nil value from slice', '-{{range .}}{{.Method1 1234}}{{end}}-', '-1234-', tSliceOfNil, true],

  // Function call builtin.
  ['.BinaryFunc', '{{call .BinaryFunc `1` `2`}}', '[1=2]', tVal, true],
  ['.VariadicFunc0', '{{call .VariadicFunc}}', '<>', tVal, true],
  ['.VariadicFunc2', '{{call .VariadicFunc `he` `llo`}}', '<he+llo>', tVal, true],
  ['.VariadicFuncInt', '{{call .VariadicFuncInt 33 `he` `llo`}}', '33=<he+llo>', tVal, true],
  ['if .BinaryFunc call', '{{ if .BinaryFunc}}{{call .BinaryFunc `1` `2`}}{{end}}', '[1=2]', tVal, true],
  ['if not .BinaryFunc call', '{{ if not .BinaryFunc}}{{call .BinaryFunc `1` `2`}}{{else}}No{{end}}', 'No', tVal, true],
  ['Interface Call', '{{stringer .S}}', 'foozle', { S: { String: () => 'foozle' } }, true],
  ['.ErrFunc', '{{call .ErrFunc}}', 'bla', tVal, true],
  ['call nil', '{{call nil}}', '', tVal, false],
  ['empty call', '{{call}}', '', tVal, false],
  ['empty call after pipe valid', '{{.ErrFunc | call}}', 'bla', tVal, true],
  ['empty call after pipe invalid', '{{1 | call}}', '', tVal, false],

  // Erroneous function calls (check args).
  ['.BinaryFuncTooFew', '{{call .BinaryFunc `1`}}', '', tVal, false],
  ['.BinaryFuncTooMany', '{{call .BinaryFunc `1` `2` `3`}}', '', tVal, false],
  ['.BinaryFuncBad0', '{{call .BinaryFunc 1 3}}', '', tVal, false],
  ['.BinaryFuncBad1', '{{call .BinaryFunc `1` 3}}', '', tVal, false],
  ['.VariadicFuncBad0', '{{call .VariadicFunc 3}}', '', tVal, false],
  ['.VariadicFuncIntBad0', '{{call .VariadicFuncInt}}', '', tVal, false],
  ['.VariadicFuncIntBad`', '{{call .VariadicFuncInt `x`}}', '', tVal, false],
  ['.VariadicFuncNilBad', '{{call .VariadicFunc nil}}', '', tVal, false],

  // Pipelines.
  ['pipeline', '-{{.Method0 | .Method2 .U16}}-', '-Method2: 16 M0-', tVal, true],
  ['pipeline func', '-{{call .VariadicFunc `llo` | call .VariadicFunc `he` }}-', '-<he+<llo>>-', tVal, true],

  // Nil values aren't missing arguments.
  ['nil pipeline', '{{ .Empty0 | call .NilOKFunc }}', 'true', tVal, true],
  ['nil call arg', '{{ call .NilOKFunc .Empty0 }}', 'true', tVal, true],
  ['bad nil pipeline', '{{ .Empty0 | .VariadicFunc }}', '', tVal, false],

  // Parenthesized expressions
  ['parens in pipeline', '{{printf `%d %d %d` (1) (2 | add 3) (add 4 (add 5 6))}}', '1 5 15', tVal, true],

  // Parenthesized expressions with field accesses
  ['parens: $ in paren', '{{($).X}}', 'x', tVal, true],
  ['parens: $.GetU in paren', '{{($.GetU).V}}', 'v', tVal, true],
  ['parens: $ in paren in pipe', '{{($ | echo).X}}', 'x', tVal, true],
  ['parens: spaces and args', '{{(makemap "up" "down" "left" "right").left}}', 'right', tVal, true],

  // If.
  ['if true', '{{if true}}TRUE{{end}}', 'TRUE', tVal, true],
  ['if false', '{{if false}}TRUE{{else}}FALSE{{end}}', 'FALSE', tVal, true],
  ['if nil', '{{if nil}}TRUE{{end}}', '', tVal, false],
  ['if 1', '{{if 1}}NON-ZERO{{else}}ZERO{{end}}', 'NON-ZERO', tVal, true],
  ['if 0', '{{if 0}}NON-ZERO{{else}}ZERO{{end}}', 'ZERO', tVal, true],
  ['if 1.5', '{{if 1.5}}NON-ZERO{{else}}ZERO{{end}}', 'NON-ZERO', tVal, true],
  ['if 0.0', '{{if .FloatZero}}NON-ZERO{{else}}ZERO{{end}}', 'ZERO', tVal, true],
  ['if nonNilPointer', '{{if .PI}}NON-ZERO{{else}}ZERO{{end}}', 'NON-ZERO', tVal, true],
  ['if nilPointer', '{{if .NIL}}NON-ZERO{{else}}ZERO{{end}}', 'ZERO', tVal, true],
  ['if emptystring', '{{if ``}}NON-EMPTY{{else}}EMPTY{{end}}', 'EMPTY', tVal, true],
  ['if string', '{{if `notempty`}}NON-EMPTY{{else}}EMPTY{{end}}', 'NON-EMPTY', tVal, true],
  ['if emptyslice', '{{if .SIEmpty}}NON-EMPTY{{else}}EMPTY{{end}}', 'EMPTY', tVal, true],
  ['if slice', '{{if .SI}}NON-EMPTY{{else}}EMPTY{{end}}', 'NON-EMPTY', tVal, true],
  ['if emptymap', '{{if .MSIEmpty}}NON-EMPTY{{else}}EMPTY{{end}}', 'EMPTY', tVal, true],
  ['if map', '{{if .MSI}}NON-EMPTY{{else}}EMPTY{{end}}', 'NON-EMPTY', tVal, true],
  ['if map unset', '{{if .MXI.none}}NON-ZERO{{else}}ZERO{{end}}', 'ZERO', tVal, true],
  ['if map not unset', '{{if not .MXI.none}}ZERO{{else}}NON-ZERO{{end}}', 'ZERO', tVal, true],
  ['if $x with $y int', '{{if $x := true}}{{with $y := .I}}{{$x}},{{$y}}{{end}}{{end}}', 'true,17', tVal, true],
  ['if $x with $x int', '{{if $x := true}}{{with $x := .I}}{{$x}},{{end}}{{$x}}{{end}}', '17,true', tVal, true],
  ['if else if', '{{if false}}FALSE{{else if true}}TRUE{{end}}', 'TRUE', tVal, true],
  ['if else chain', '{{if eq 1 3}}1{{else if eq 2 3}}2{{else if eq 3 3}}3{{end}}', '3', tVal, true],

  // Print etc.
  ['print', '{{print "hello, print"}}', 'hello, print', tVal, true],
  ['print 123', '{{print 1 2 3}}', '1 2 3', tVal, true],
  ['print nil', '{{print nil}}', '<nil>', tVal, true],
  ['println', '{{println 1 2 3}}', '1 2 3\n', tVal, true],
  ['printf int', '{{printf "%04x" 127}}', '007f', tVal, true],
  ['printf float', '{{printf "%g" 3.5}}', '3.5', tVal, true],
  ['printf string', '{{printf "%s" "hello"}}', 'hello', tVal, true],
  ['printf function', '{{printf "%#q" zeroArgs}}', '`zeroArgs`', tVal, true],
  ['printf field', '{{printf "%s" .U.V}}', 'v', tVal, true],
  ['printf method', '{{printf "%s" .Method0}}', 'M0', tVal, true],
  ['printf dot', '{{with .I}}{{printf "%d" .}}{{end}}', '17', tVal, true],
  ['printf var', '{{with $x := .I}}{{printf "%d" $x}}{{end}}', '17', tVal, true],

  // HTML.
  ['html', '{{html "<script>alert(\\"XSS\\");</script>"}}', '&lt;script&gt;alert(&#34;XSS&#34;);&lt;/script&gt;', null, true],
  ['html pipeline', '{{printf "<script>alert(\\"XSS\\");</script>" | html}}', '&lt;script&gt;alert(&#34;XSS&#34;);&lt;/script&gt;', null, true],
  ['html', '{{html .PS}}', 'a string', tVal, true],
  ['html typed nil', '{{html .NIL}}', '&lt;nil&gt;', tVal, true],
  ['html untyped nil', '{{html .Empty0}}', '&lt;no value&gt;', tVal, true],

  // JavaScript.
  ['js', '{{js .}}', "It\\'d be nice.", "It'd be nice.", true],

  // URL query.
  ['urlquery', '{{"http://www.example.org/"|urlquery}}', 'http%3A%2F%2Fwww.example.org%2F', null, true],

  // Booleans
  ['not', '{{not true}} {{not false}}', 'false true', null, true],
  ['and', '{{and false 0}} {{and 1 0}} {{and 0 true}} {{and 1 1}}', 'false 0 0 1', null, true],
  ['or', '{{or 0 0}} {{or 1 0}} {{or 0 true}} {{or 1 1}}', '0 1 true 1', null, true],
  ['or short-circuit', '{{or 0 1 (die)}}', '1', null, true],
  ['and short-circuit', '{{and 1 0 (die)}}', '0', null, true],
  ['or short-circuit2', '{{or 0 0 (die)}}', '', null, false],
  ['and short-circuit2', '{{and 1 1 (die)}}', '', null, false],
  ['and pipe-true', '{{1 | and 1}}', '1', null, true],
  ['and pipe-false', '{{0 | and 1}}', '0', null, true],
  ['or pipe-true', '{{1 | or 0}}', '1', null, true],
  ['or pipe-false', '{{0 | or 0}}', '0', null, true],
  ['and undef', '{{and 1 .Unknown}}', '<no value>', null, true],
  ['or undef', '{{or 0 .Unknown}}', '<no value>', null, true],
  ['boolean if', '{{if and true 1 `hi`}}TRUE{{else}}FALSE{{end}}', 'TRUE', tVal, true],
  ['boolean if not', '{{if and true 1 `hi` | not}}TRUE{{else}}FALSE{{end}}', 'FALSE', null, true],
  ['boolean if pipe', '{{if true | not | and 1}}TRUE{{else}}FALSE{{end}}', 'FALSE', null, true],

  // Indexing.
  ['slice[0]', '{{index .SI 0}}', '3', tVal, true],
  ['slice[1]', '{{index .SI 1}}', '4', tVal, true],
  ['slice[HUGE]', '{{index .SI 10}}', '', tVal, false],
  ['slice[WRONG]', '{{index .SI `hello`}}', '', tVal, false],
  ['slice[nil]', '{{index .SI nil}}', '', tVal, false],
  ['map[one]', '{{index .MSI `one`}}', '1', tVal, true],
  ['map[two]', '{{index .MSI `two`}}', '2', tVal, true],
  ['map[NO]', '{{index .MSI `XXX`}}', '0', tVal, true],
  ['map[nil]', '{{index .MSI nil}}', '', tVal, false],
  ['map[``]', '{{index .MSI ``}}', '0', tVal, true],
  ['map[WRONG]', '{{index .MSI 10}}', '', tVal, false],
  ['double index', '{{index .SMSI 1 `eleven`}}', '11', tVal, true],
  ['nil[1]', '{{index nil 1}}', '', tVal, false],
  ['map MI64S', '{{index .MI64S 2}}', 'i642', tVal, true],
  ['map MI32S', '{{index .MI32S 2}}', 'two', tVal, true],
  ['map MUI64S', '{{index .MUI64S 3}}', 'ui643', tVal, true],
  ['map MI8S', '{{index .MI8S 3}}', 'i83', tVal, true],
  ['map MUI8S', '{{index .MUI8S 2}}', 'u82', tVal, true],
  ['index of an interface field', '{{index .Empty3 0}}', '7', tVal, true],

  // Slicing.
  ['slice[:]', '{{slice .SI}}', '[3 4 5]', tVal, true],
  ['slice[1:]', '{{slice .SI 1}}', '[4 5]', tVal, true],
  ['slice[1:2]', '{{slice .SI 1 2}}', '[4]', tVal, true],
  ['slice[-1:]', '{{slice .SI -1}}', '', tVal, false],
  ['slice[1:-2]', '{{slice .SI 1 -2}}', '', tVal, false],
  ['slice[1:2:-1]', '{{slice .SI 1 2 -1}}', '', tVal, false],
  ['slice[2:1]', '{{slice .SI 2 1}}', '', tVal, false],
  ['slice[2:2:1]', '{{slice .SI 2 2 1}}', '', tVal, false],
  ['out of range', '{{slice .SI 4 5}}', '', tVal, false],
  ['out of range', '{{slice .SI 2 2 5}}', '', tVal, false],
  ['array[:]', '{{slice .AI}}', '[3 4 5]', tVal, true],
  ['array[1:]', '{{slice .AI 1}}', '[4 5]', tVal, true],
  ['array[1:2]', '{{slice .AI 1 2}}', '[4]', tVal, true],
  ['string[:]', '{{slice .S}}', 'xyz', tVal, true],
  ['string[0:1]', '{{slice .S 0 1}}', 'x', tVal, true],
  ['string[1:]', '{{slice .S 1}}', 'yz', tVal, true],
  ['string[1:2]', '{{slice .S 1 2}}', 'y', tVal, true],
  ['out of range', '{{slice .S 1 5}}', '', tVal, false],
  ['3-index slice of string', '{{slice .S 1 2 2}}', '', tVal, false],
  ['slice of an interface field', '{{slice .Empty3 0 1}}', '[7]', tVal, true],

  // Len.
  ['slice', '{{len .SI}}', '3', tVal, true],
  ['map', '{{len .MSI }}', '3', tVal, true],
  ['len of int', '{{len 3}}', '', tVal, false],
  ['len of nothing', '{{len .Empty0}}', '', tVal, false],
  ['len of an interface field', '{{len .Empty3}}', '2', tVal, true],

  // With.
  ['with true', '{{with true}}{{.}}{{end}}', 'true', tVal, true],
  ['with false', '{{with false}}{{.}}{{else}}FALSE{{end}}', 'FALSE', tVal, true],
  ['with 1', '{{with 1}}{{.}}{{else}}ZERO{{end}}', '1', tVal, true],
  ['with 0', '{{with 0}}{{.}}{{else}}ZERO{{end}}', 'ZERO', tVal, true],
  ['with 1.5', '{{with 1.5}}{{.}}{{else}}ZERO{{end}}', '1.5', tVal, true],
  ['with 0.0', '{{with .FloatZero}}{{.}}{{else}}ZERO{{end}}', 'ZERO', tVal, true],
  ['with emptystring', '{{with ``}}{{.}}{{else}}EMPTY{{end}}', 'EMPTY', tVal, true],
  ['with string', '{{with `notempty`}}{{.}}{{else}}EMPTY{{end}}', 'notempty', tVal, true],
  ['with emptyslice', '{{with .SIEmpty}}{{.}}{{else}}EMPTY{{end}}', 'EMPTY', tVal, true],
  ['with slice', '{{with .SI}}{{.}}{{else}}EMPTY{{end}}', '[3 4 5]', tVal, true],
  ['with emptymap', '{{with .MSIEmpty}}{{.}}{{else}}EMPTY{{end}}', 'EMPTY', tVal, true],
  ['with map', '{{with .MSIone}}{{.}}{{else}}EMPTY{{end}}', 'map[one:1]', tVal, true],
  ['with empty interface, struct field', '{{with .Empty4}}{{.V}}{{end}}', 'UinEmpty', tVal, true],
  ['with $x int', '{{with $x := .I}}{{$x}}{{end}}', '17', tVal, true],
  ['with $x struct.U.V', '{{with $x := $}}{{$x.U.V}}{{end}}', 'v', tVal, true],
  ['with variable and action', '{{with $x := $}}{{$y := $.U.V}}{{$y}}{{end}}', 'v', tVal, true],
  ['with else with', '{{with 0}}{{.}}{{else with true}}{{.}}{{end}}', 'true', tVal, true],
  ['with else with chain', '{{with 0}}{{.}}{{else with false}}{{.}}{{else with `notempty`}}{{.}}{{end}}', 'notempty', tVal, true],

  // Range.
  ['range []int', '{{range .SI}}-{{.}}-{{end}}', '-3--4--5-', tVal, true],
  ['range empty no else', '{{range .SIEmpty}}-{{.}}-{{end}}', '', tVal, true],
  ['range []int else', '{{range .SI}}-{{.}}-{{else}}EMPTY{{end}}', '-3--4--5-', tVal, true],
  ['range empty else', '{{range .SIEmpty}}-{{.}}-{{else}}EMPTY{{end}}', 'EMPTY', tVal, true],
  ['range []int break else', '{{range .SI}}-{{.}}-{{break}}NOTREACHED{{else}}EMPTY{{end}}', '-3-', tVal, true],
  ['range []int continue else', '{{range .SI}}-{{.}}-{{continue}}NOTREACHED{{else}}EMPTY{{end}}', '-3--4--5-', tVal, true],
  ['range []bool', '{{range .SB}}-{{.}}-{{end}}', '-true--false-', tVal, true],
  ['range []int method', '{{range .SI | .MAdd .I}}-{{.}}-{{end}}', '-20--21--22-', tVal, true],
  ['range map', '{{range .MSI}}-{{.}}-{{end}}', '-1--3--2-', tVal, true],
  ['range empty map no else', '{{range .MSIEmpty}}-{{.}}-{{end}}', '', tVal, true],
  ['range map else', '{{range .MSI}}-{{.}}-{{else}}EMPTY{{end}}', '-1--3--2-', tVal, true],
  ['range empty map else', '{{range .MSIEmpty}}-{{.}}-{{else}}EMPTY{{end}}', 'EMPTY', tVal, true],
  ['range empty interface', '{{range .Empty3}}-{{.}}-{{else}}EMPTY{{end}}', '-7--8-', tVal, true],
  ['range empty nil', '{{range .Empty0}}-{{.}}-{{end}}', '', tVal, true],
  ['range $x SI', '{{range $x := .SI}}<{{$x}}>{{end}}', '<3><4><5>', tVal, true],
  ['range $x $y SI', '{{range $x, $y := .SI}}<{{$x}}={{$y}}>{{end}}', '<0=3><1=4><2=5>', tVal, true],
  ['range $x MSIone', '{{range $x := .MSIone}}<{{$x}}>{{end}}', '<1>', tVal, true],
  ['range $x $y MSIone', '{{range $x, $y := .MSIone}}<{{$x}}={{$y}}>{{end}}', '<one=1>', tVal, true],
  ['range $x PSI', '{{range $x := .PSI}}<{{$x}}>{{end}}', '<21><22><23>', tVal, true],
  ['declare in range', '{{range $x := .PSI}}<{{$foo:=$x}}{{$x}}>{{end}}', '<21><22><23>', tVal, true],
  ['range count', '{{range $i, $x := count 5}}[{{$i}}]{{$x}}{{end}}', '[0]a[1]b[2]c[3]d[4]e', tVal, true],
  ['range nil count', '{{range $i, $x := count 0}}{{else}}empty{{end}}', 'empty', tVal, true],
  ['range int', '{{range $v := .}}{{printf "%d" $v}}{{end}}', '01234', 5n, true],
  ['range 5', '{{range $v := 5}}{{printf "%T%d" $v $v}}{{end}}', 'int0int1int2int3int4', null, true],
  ['range int over two vars', '{{range $i, $v := 5}}{{end}}', '', null, false],

  // Cute examples.
  ['or as if true', '{{or .SI "slice is empty"}}', '[3 4 5]', tVal, true],
  ['or as if false', '{{or .SIEmpty "slice is empty"}}', 'slice is empty', tVal, true],

  // Error handling.
  ['error method, error', '{{.MyError true}}', '', tVal, false],
  ['error method, no error', '{{.MyError false}}', 'false', tVal, true],

  // Numbers
  ['decimal', '{{print 1234}}', '1234', tVal, true],
  ['decimal _', '{{print 12_34}}', '1234', tVal, true],
  ['binary', '{{print 0b101}}', '5', tVal, true],
  ['binary _', '{{print 0b_1_0_1}}', '5', tVal, true],
  ['BINARY', '{{print 0B101}}', '5', tVal, true],
  ['octal0', '{{print 0377}}', '255', tVal, true],
  ['octal', '{{print 0o377}}', '255', tVal, true],
  ['octal _', '{{print 0o_3_7_7}}', '255', tVal, true],
  ['OCTAL', '{{print 0O377}}', '255', tVal, true],
  ['hex', '{{print 0x123}}', '291', tVal, true],
  ['hex _', '{{print 0x1_23}}', '291', tVal, true],
  ['HEX', '{{print 0X123ABC}}', '1194684', tVal, true],
  ['float', '{{print 123.4}}', '123.4', tVal, true],
  ['float _', '{{print 0_0_1_2_3.4}}', '123.4', tVal, true],
  ['hex float', '{{print +0x1.ep+2}}', '7.5', tVal, true],
  ['hex float _', '{{print +0x_1.e_0p+0_2}}', '7.5', tVal, true],
  ['HEX float', '{{print +0X1.EP+2}}', '7.5', tVal, true],
  ['print multi', '{{print 1_2_3_4 7.5_00_00_00}}', '1234 7.5', tVal, true],
  ['print multi2', '{{print 1234 0x0_1.e_0p+02}}', '1234 7.5', tVal, true],

  // Fixed bugs.
  // Must separate dot and receiver; otherwise args are evaluated with dot set to variable.
  ['bug0', '{{range .MSIone}}{{if $.Method1 .}}X{{end}}{{end}}', 'X', tVal, true],
  // Was taking address of interface field, so method set was empty.
  ['bug2', '{{$.NonEmptyInterface.Method0}}', 'M0', tVal, true],
  // Struct values were not legal in with - mere oversight.
  ['bug3', '{{with $}}{{.Method0}}{{end}}', 'M0', tVal, true],
  // Nil interface values in if.
  ['bug4', '{{if .Empty0}}non-nil{{else}}nil{{end}}', 'nil', tVal, true],
  // Stringer.
  ['bug5', '{{.Str}}', 'foozle', tVal, true],
  ['bug5a', '{{.Err}}', 'erroozle', tVal, true],
  // Args need to be indirected and dereferenced sometimes.
  ['bug6a', '{{vfunc .V0 .V1}}', 'vfunc', tVal, true],
  ['bug6b', '{{vfunc .V0 .V0}}', 'vfunc', tVal, true],
  ['bug6c', '{{vfunc .V1 .V0}}', 'vfunc', tVal, true],
  ['bug6d', '{{vfunc .V1 .V1}}', 'vfunc', tVal, true],
  // Legal parse but illegal execution: non-function should have no arguments.
  ['bug7a', '{{3 2}}', '', tVal, false],
  ['bug7b', '{{$x := 1}}{{$x 2}}', '', tVal, false],
  ['bug7c', '{{$x := 1}}{{3 | $x}}', '', tVal, false],
  // Pipelined arg was not being type-checked.
  ['bug8a', '{{3|oneArg}}', '', tVal, false],
  ['bug8b', '{{4|dddArg 3}}', '', tVal, false],
  // A bug was introduced that broke map lookups for lower-case names.
  ['bug9', '{{.cause}}', 'neglect', { cause: 'neglect' }, true],
  // Field chain starting with function did not work.
  ['bug10', '{{mapOfThree.three}}-{{(mapOfThree).three}}', '3-3', 0n, true],
  // 0xef gave constant type float64. Issue 8622.
  ['bug12xe', '{{printf `%T` 0xef}}', 'int', null, true],
  ['bug12xE', '{{printf `%T` 0xEE}}', 'int', null, true],
  ['bug12Xe', '{{printf `%T` 0Xef}}', 'int', null, true],
  ['bug12XE', '{{printf `%T` 0XEE}}', 'int', null, true],
  // Chained nodes did not work as arguments. Issue 8473.
  ['bug13', '{{print (.Copy).I}}', '17', tVal, true],
  // Didn't protect against nil or literal values in field chains.
  ['bug14a', '{{(nil).True}}', '', tVal, false],
  ['bug14b', '{{$x := nil}}{{$x.anything}}', '', tVal, false],
  ['bug14c', '{{$x := (1.0)}}{{$y := ("hello")}}{{$x.anything}}{{$y.true}}', '', tVal, false],
  // Didn't call validateType on function results. Issue 10800.
  ['bug15', '{{valueString returnInt}}', '', tVal, false],
  // Variadic function corner cases. Issue 10946.
  ['bug16a', '{{true|printf}}', '', tVal, false],
  ['bug16b', '{{1|printf}}', '', tVal, false],
  ['bug16c', '{{1.1|printf}}', '', tVal, false],
  ['bug16d', "{{'x'|printf}}", '', tVal, false],
  ['bug16f', '{{true|twoArgs "xxx"}}', '', tVal, false],
  ['bug16g', '{{"aaa" |twoArgs "bbb"}}', 'twoArgs=bbbaaa', tVal, true],
  ['bug16h', '{{1|oneArg}}', '', tVal, false],
  ['bug16i', '{{"aaa"|oneArg}}', 'oneArg=aaa', tVal, true],
  ['bug16k', '{{"aaa"|printf }}', 'aaa', tVal, true],
  ['bug17a', '{{.NonEmptyInterface.X}}', 'x', tVal, true],
  ['bug17b', '-{{.NonEmptyInterface.Method1 1234}}-', '-1234-', tVal, true],
  ['bug17c', '{{len .NonEmptyInterfacePtS}}', '2', tVal, true],
  ['bug17d', '{{index .NonEmptyInterfacePtS 0}}', 'a', tVal, true],
  ['bug17e', '{{range .NonEmptyInterfacePtS}}-{{.}}-{{end}}', '-a--b-', tVal, true],

  // More variadic function corner cases. Some runes would get evaluated
  // as constant floats instead of ints. Issue 34483.
  ['bug18a', "{{eq . '.'}}", 'true', 46n, true],
  ['bug18b', "{{eq . 'e'}}", 'true', 101n, true],
  ['bug18c', "{{eq . 'P'}}", 'true', 80n, true],

  ['issue56490', '{{$i := 0}}{{$x := 0}}{{range $i = .AI}}{{end}}{{$i}}', '5', tVal, true],
  ['issue60801', '{{$k := 0}}{{$v := 0}}{{range $k, $v = .AI}}{{$k}}={{$v}} {{end}}', '0=3 1=4 2=5 ', tVal, true],
];

function run(name: string, input: string, data: unknown, set?: TemplateSet): { out?: string; err?: unknown } {
  const tmpl = (set ?? new TemplateSet({ funcs })).parse(name, input);
  try {
    return { out: tmpl.executeSync(name, data) };
  } catch (err) {
    return { err };
  }
}

describe('text/template exec_test.go', () => {
  it.each(execTests.map((c, i): Case => [`${i} ${c[0]}`, c[1], c[2], c[3], c[4]]))('%s', (name, input, output, data, ok) => {
    // Go's nil data in this table is an untyped nil: an invalid value, undefined here.
    const { out, err } = run(name, input, data === null ? undefined : data);
    if (ok) {
      expect(err).toBeUndefined();
      expect(out).toBe(output);
    } else {
      expect(err).toBeInstanceOf(TemplateError);
      expect((err as TemplateError).kind).toBe('exec');
    }
  });

  it('an error from a method flows back to the top (TestExecuteError)', () => {
    const { err } = run('error', '{{.MyError true}}', tVal);
    expect((err as Error).message).toContain('my error');
    expect((err as Error).message).toBe('template: error:1:2: executing "error" at <.MyError>: error calling MyError: my error');
  });

  it('an error from a nested template has all the relevant information (TestExecError)', () => {
    const execErrorText = `line 1
line 2
line 3
{{template "one" .}}
{{define "one"}}{{template "two" .}}{{end}}
{{define "two"}}{{template "three" .}}{{end}}
{{define "three"}}{{index "hi" $}}{{end}}`;
    const { err } = run('top', execErrorText, 5n);
    expect((err as Error).message).toBe('template: top:7:20: executing "three" at <index "hi" $>: error calling index: index out of range: 5');
  });

  it('JSEscapeString (TestJSEscaping)', () => {
    const cases: Array<[string, string]> = [
      ['a', 'a'],
      ["'foo", "\\'foo"],
      ['Go "jump" \\', 'Go \\"jump\\" \\\\'],
      ['Yukihiro says "今日は世界"', 'Yukihiro says \\"今日は世界\\"'],
      ['unprintable \uFFFE', 'unprintable \\uFFFE'],
      ['<html>', '\\u003Chtml\\u003E'],
      ['no = in attributes', 'no \\u003D in attributes'],
      ['&#x27; does not become HTML entity', '\\u0026#x27; does not become HTML entity'],
    ];
    for (const [input, exp] of cases) expect(run('js', '{{js .}}', input).out).toBe(exp);
  });

  it('walks a binary tree with other delimiters and trim markers (TestTree)', () => {
    type Tree = { Val: bigint; Left: Tree | null; Right: Tree | null };
    const t = (Val: bigint, Left: Tree | null = null, Right: Tree | null = null): Tree => ({ Val, Left, Right });
    const tree = t(1n, t(2n, t(3n, t(4n)), t(5n, t(6n))), t(7n, t(8n, t(9n)), t(10n, t(11n))));
    const treeTemplate = `
\t(- define "tree" -)
\t[
\t\t(- .Val -)
\t\t(- with .Left -)
\t\t\t(template "tree" . -)
\t\t(- end -)
\t\t(- with .Right -)
\t\t\t(- template "tree" . -)
\t\t(- end -)
\t]
\t(- end -)
`;
    const set = new TemplateSet({ leftDelim: '(', rightDelim: ')' }).parse('root', treeTemplate);
    expect(set.executeSync('tree', tree)).toBe('[1[2[3[4]][5[6]]][7[8[9]][10[11]]]]');
  });

  it('delimiters (TestDelims)', () => {
    const pairs: Array<[string, string]> = [
      ['', ''],
      ['{{', '}}'],
      ['<<', '>>'],
      ['|', '|'],
      ['(日)', '(本)'],
    ];
    for (const [left, right] of pairs) {
      const l = left || '{{';
      const r = right || '}}';
      const text = `${l}.Str${r}${l}/*comment*/${r}${l}"${l}"${r}`;
      const set = new TemplateSet({ leftDelim: left, rightDelim: right }).parse('delims', text);
      expect(set.executeSync('delims', { Str: 'Hello, world' })).toBe(`Hello, world${l}`);
    }
  });

  it('an empty template is an error (TestMessageForExecuteEmpty)', () => {
    const set = new TemplateSet().parse('', '{{define "one"}}one{{end}}{{define "two"}}two{{end}}');
    expect(() => set.executeSync('empty', 0n)).toThrow(TemplateError);
    expect(set.executeSync('two', 0n)).toBe('two');
  });

  it('"x" | printf works (TestFinalForPrintf)', () => {
    expect(run('', '{{"x" | printf}}', 0n).out).toBe('x');
  });

  it('block defines a template that can be overlaid (TestBlock)', () => {
    const set = new TemplateSet().parse('outer', 'a({{block "inner" .}}bar({{.}})baz{{end}})b');
    expect(set.executeSync('outer', 'hello')).toBe('a(bar(hello)baz)b');
    const overlay = set.clone().parse('overlay', '{{define "inner"}}foo({{.}})bar{{end}}');
    expect(overlay.executeSync('outer', 'goodbye')).toBe('a(foo(goodbye)bar)b');
    expect(set.executeSync('outer', 'hello')).toBe('a(bar(hello)baz)b');
  });

  it('missingkey option (TestMissingMapKey)', () => {
    const data = intMap({ x: 99n });
    const set = new TemplateSet().parse('t1', '{{.x}} {{.y}}');
    expect(set.executeSync('t1', data)).toBe('99 <no value>');
    set.setMissingKey('default');
    expect(set.executeSync('t1', data)).toBe('99 <no value>');
    set.setMissingKey('zero');
    expect(set.executeSync('t1', data)).toBe('99 0');
    set.setMissingKey('error');
    expect(() => set.executeSync('t1', data)).toThrow('map has no entry for key "y"');
    // same Option, but now a nil interface: ask for an error
    expect(() => set.executeSync('t1', undefined)).toThrow('nil data; no entry for key "x"');
  });

  it('the error names the field and type (TestExecuteGivesExecError)', () => {
    const { err } = run('X', 'hello, {{.X.Y}}', 0n);
    expect(err).toBeInstanceOf(TemplateError);
    expect((err as Error).message).toContain('field X in type int');
  });

  it('field errors (TestEvalFieldErrors)', () => {
    expect((run('tmpl', '{{.MissingField}}', new T(false)).err as Error).message).toMatch(/can't evaluate field MissingField in type T$/);
    expect((run('tmpl', '{{.X}}', null).err as Error).message).toMatch(/nil pointer evaluating <nil>\.X$/);
    expect(run('tmpl', '{{.MissingKey}}', { }).out).toBe('<no value>');
  });

  it('stops runaway recursion (TestMaxExecDepth)', () => {
    const set = new TemplateSet({ maxExecDepth: 1000 }).parse('tmpl', '{{template "tmpl" .}}');
    expect(() => set.executeSync('tmpl', null)).toThrow('exceeded maximum template depth');
  });

  it('interface values (TestInterfaceValues)', () => {
    const data = {
      PlusOne: new GoFunc(withSignature((n: bigint) => n + 1n, ['int'])),
      Slice: [0n, 1n, 2n, 3n],
      One: 1n,
      Two: 2n,
      Nil: undefined,
      Zero: 0n,
    };
    const tests: Array<[string, string]> = [
      ['{{index .Nil 1}}', 'ERROR: index of untyped nil'],
      ['{{index .Slice 2}}', '2'],
      ['{{index .Slice .Two}}', '2'],
      ['{{call .Nil 1}}', 'ERROR: call of nil'],
      ['{{call .PlusOne 1}}', '2'],
      ['{{call .PlusOne .One}}', '2'],
      ['{{and (index .Slice 0) true}}', '0'],
      ['{{and .Zero true}}', '0'],
      ['{{and (index .Slice 1) false}}', 'false'],
      ['{{and .One false}}', 'false'],
      ['{{or (index .Slice 0) false}}', 'false'],
      ['{{or .Zero false}}', 'false'],
      ['{{or (index .Slice 1) true}}', '1'],
      ['{{or .One true}}', '1'],
      ['{{not (index .Slice 0)}}', 'true'],
      ['{{not .Zero}}', 'true'],
      ['{{not (index .Slice 1)}}', 'false'],
      ['{{not .One}}', 'false'],
      ['{{eq (index .Slice 0) .Zero}}', 'true'],
      ['{{eq (index .Slice 1) .One}}', 'true'],
      ['{{ne (index .Slice 0) .Zero}}', 'false'],
      ['{{ne (index .Slice 1) .One}}', 'false'],
      ['{{ge (index .Slice 0) .One}}', 'false'],
      ['{{ge (index .Slice 1) .Zero}}', 'true'],
      ['{{gt (index .Slice 0) .One}}', 'false'],
      ['{{gt (index .Slice 1) .Zero}}', 'true'],
      ['{{le (index .Slice 0) .One}}', 'true'],
      ['{{le (index .Slice 1) .Zero}}', 'false'],
      ['{{lt (index .Slice 0) .One}}', 'true'],
      ['{{lt (index .Slice 1) .Zero}}', 'false'],
    ];
    for (const [text, out] of tests) {
      const { out: got, err } = run('tmpl', text, data);
      if (out.startsWith('ERROR:')) expect((err as Error).message).toContain(out.slice('ERROR:'.length).trim());
      else expect(got).toBe(out);
    }
  });

  it('panics during calls are errors (TestExecutePanicDuringCall)', () => {
    const set = () =>
      new TemplateSet({
        funcs: {
          doPanic: withSignature((): string => {
            throw new Error('custom panic string');
          }, []),
        },
      });
    expect((run('t', '{{doPanic}}', null, set()).err as Error).message).toBe('template: t:1:2: executing "t" at <doPanic>: error calling doPanic: custom panic string');
    expect((run('t', '{{call doPanic}}', null, set()).err as Error).message).toBe('template: t:1:7: executing "t" at <doPanic>: error calling doPanic: custom panic string');
    expect((run('t', '{{call .PanicFunc}}', tVal, set()).err as Error).message).toBe('template: t:1:2: executing "t" at <call .PanicFunc>: error calling call: test panic');
  });

  it('checks functions during call (TestFunctionCheckDuringCall)', () => {
    const cases: Array<[string, unknown, string]> = [
      ['{{call}}', tVal, 'wrong number of args for call: want at least 1 got 0'],
      ['{{call .True}}', tVal, 'error calling call: non-function .True of type bool'],
      ['{{call .BinaryFunc 1}}', tVal, 'error calling call: wrong number of args for .BinaryFunc: got 1 want 2'],
      ['{{call .VariadicFuncInt}}', tVal, 'error calling call: wrong number of args for .VariadicFuncInt: got 0 want at least 1'],
      ['{{call (len "test")}}', null, 'error calling call: non-function len "test" of type int'],
    ];
    for (const [input, data, want] of cases) expect((run('t', input, data).err as Error).message).toContain(want);
  });

  it('a parenthesized first argument (TestIssue31810)', () => {
    expect(run('', '{{ (.)  }}', 'result').out).toBe('result');
    const f = withSignature(() => 'result', []);
    expect(run('', '{{ (.)  }}', f).err).toBeInstanceOf(TemplateError);
    expect(run('', '{{ (call .)  }}', f).out).toBe('result');
  });
});

const cmpStruct = {
  Uthree: 3n,
  Ufour: 4n,
  NegOne: -1n,
  Three: 3n,
  Ptr: 0n,
  NilPtr: null,
  NonNilMap: new GoMap([], { typeName: 'map[int]int', keyType: 'int' }),
  Map: null,
  V1: new V(0n),
  V2: new V(0n),
  Iface1: new StringBuffer(''),
  NilIface: undefined,
};

const cmpTests: Array<[expr: string, truth: string, ok: boolean]> = [
  ['eq true true', 'true', true],
  ['eq true false', 'false', true],
  ['eq 1.5 1.5', 'true', true],
  ['eq 1.5 2.5', 'false', true],
  ['eq 1 1', 'true', true],
  ['eq 1 2', 'false', true],
  ['eq `xy` `xy`', 'true', true],
  ['eq `xy` `xyz`', 'false', true],
  ['eq .Uthree .Uthree', 'true', true],
  ['eq .Uthree .Ufour', 'false', true],
  ['eq 3 4 5 6 3', 'true', true],
  ['eq 3 4 5 6 7', 'false', true],
  ['ne true true', 'false', true],
  ['ne true false', 'true', true],
  ['ne 1.5 1.5', 'false', true],
  ['ne 1.5 2.5', 'true', true],
  ['ne 1 1', 'false', true],
  ['ne 1 2', 'true', true],
  ['ne `xy` `xy`', 'false', true],
  ['ne `xy` `xyz`', 'true', true],
  ['ne .Uthree .Uthree', 'false', true],
  ['ne .Uthree .Ufour', 'true', true],
  ['lt 1.5 1.5', 'false', true],
  ['lt 1.5 2.5', 'true', true],
  ['lt 1 1', 'false', true],
  ['lt 1 2', 'true', true],
  ['lt `xy` `xy`', 'false', true],
  ['lt `xy` `xyz`', 'true', true],
  ['lt .Uthree .Uthree', 'false', true],
  ['lt .Uthree .Ufour', 'true', true],
  ['le 1.5 1.5', 'true', true],
  ['le 1.5 2.5', 'true', true],
  ['le 2.5 1.5', 'false', true],
  ['le 1 1', 'true', true],
  ['le 1 2', 'true', true],
  ['le 2 1', 'false', true],
  ['le `xy` `xy`', 'true', true],
  ['le `xy` `xyz`', 'true', true],
  ['le `xyz` `xy`', 'false', true],
  ['le .Uthree .Uthree', 'true', true],
  ['le .Uthree .Ufour', 'true', true],
  ['le .Ufour .Uthree', 'false', true],
  ['gt 1.5 1.5', 'false', true],
  ['gt 1.5 2.5', 'false', true],
  ['gt 1 1', 'false', true],
  ['gt 2 1', 'true', true],
  ['gt 1 2', 'false', true],
  ['gt `xy` `xy`', 'false', true],
  ['gt `xy` `xyz`', 'false', true],
  ['gt .Uthree .Uthree', 'false', true],
  ['gt .Uthree .Ufour', 'false', true],
  ['gt .Ufour .Uthree', 'true', true],
  ['ge 1.5 1.5', 'true', true],
  ['ge 1.5 2.5', 'false', true],
  ['ge 2.5 1.5', 'true', true],
  ['ge 1 1', 'true', true],
  ['ge 1 2', 'false', true],
  ['ge 2 1', 'true', true],
  ['ge `xy` `xy`', 'true', true],
  ['ge `xy` `xyz`', 'false', true],
  ['ge `xyz` `xy`', 'true', true],
  ['ge .Uthree .Uthree', 'true', true],
  ['ge .Uthree .Ufour', 'false', true],
  ['ge .Ufour .Uthree', 'true', true],
  // Mixing signed and unsigned integers.
  ['eq .Uthree .Three', 'true', true],
  ['eq .Three .Uthree', 'true', true],
  ['le .Uthree .Three', 'true', true],
  ['le .Three .Uthree', 'true', true],
  ['ge .Uthree .Three', 'true', true],
  ['ge .Three .Uthree', 'true', true],
  ['lt .Uthree .Three', 'false', true],
  ['lt .Three .Uthree', 'false', true],
  ['gt .Uthree .Three', 'false', true],
  ['gt .Three .Uthree', 'false', true],
  ['eq .Ufour .Three', 'false', true],
  ['lt .Ufour .Three', 'false', true],
  ['gt .Ufour .Three', 'true', true],
  ['eq .NegOne .Uthree', 'false', true],
  ['eq .Uthree .NegOne', 'false', true],
  ['ne .NegOne .Uthree', 'true', true],
  ['ne .Uthree .NegOne', 'true', true],
  ['lt .NegOne .Uthree', 'true', true],
  ['lt .Uthree .NegOne', 'false', true],
  ['le .NegOne .Uthree', 'true', true],
  ['le .Uthree .NegOne', 'false', true],
  ['gt .NegOne .Uthree', 'false', true],
  ['gt .Uthree .NegOne', 'true', true],
  ['ge .NegOne .Uthree', 'false', true],
  ['ge .Uthree .NegOne', 'true', true],
  ["eq (index `x` 0) 'x'", 'true', true], // The example that triggered this rule.
  ["eq (index `x` 0) 'y'", 'false', true],
  ['eq .NilPtr .NilPtr', 'true', true],
  ['eq .Iface1 .Iface1', 'true', true],
  ['eq .Iface1 .NilIface', 'false', true],
  ['eq .NilIface .NilIface', 'true', true],
  ['eq .NilIface .Iface1', 'false', true],
  ['eq .NilIface 0', 'false', true],
  ['eq 0 .NilIface', 'false', true],
  ['eq .Map .Map', 'true', true], // Uncomparable types but nil is OK.
  ['eq .Map nil', 'true', true], // Uncomparable types but nil is OK.
  ['eq nil .Map', 'true', true], // Uncomparable types but nil is OK.
  ['eq .Map .NonNilMap', 'false', true], // Uncomparable types but nil is OK.
  // Errors
  ['eq `xy` 1', '', false], // Different types.
  ['eq 2 2.0', '', false], // Different types.
  ['lt true true', '', false], // Unordered types.
  // Left out: eq .Ptr 1, eq .Ptr .NegOne and eq .Map .V1 need Go pointers and typed nil maps.
  ['eq .NonNilMap .NonNilMap', '', false], // Uncomparable types.
];

describe('text/template comparisons (exec_test.go cmpTests)', () => {
  it.each(cmpTests)('%s', (expr, truth, ok) => {
    const text = `{{if ${expr}}}true{{else}}false{{end}}`;
    const { out, err } = run('empty', text, cmpStruct);
    if (ok) {
      expect(err).toBeUndefined();
      expect(out).toBe(truth);
    } else expect(err).toBeInstanceOf(TemplateError);
  });
});

describe('async execution', () => {
  it('awaits Promises returned by functions', async () => {
    const set = new TemplateSet({ funcs: { later: withSignature(async (x: string) => `<${x}>`, ['string']) } }).parse('a', '{{ later "x" | printf "%s!" }}');
    await expect(set.execute('a')).resolves.toBe('<x>!');
  });

  it('reports a rejected Promise as an error of the call', async () => {
    const set = new TemplateSet({
      funcs: {
        later: withSignature(async () => {
          throw new Error('boom');
        }, []),
      },
    }).parse('a', '{{ later }}');
    await expect(set.execute('a')).rejects.toThrow('template: a:1:3: executing "a" at <later>: error calling later: boom');
  });

  it('refuses a Promise in synchronous execution', () => {
    const set = new TemplateSet({ funcs: { later: async () => 'x' } }).parse('a', '{{ later }}');
    expect(() => set.executeSync('a')).toThrow('error calling later: function returned a Promise');
  });
});

describe('methods and typed parameters', () => {
  it('calls function-valued properties of plain objects as methods', () => {
    const alerts = [{ Status: 'firing' }, { Status: 'resolved' }];
    const data = { Alerts: Object.assign(alerts, { Firing: () => alerts.filter((a) => a.Status === 'firing') }) };
    expect(run('m', '{{ len .Alerts.Firing }} {{ range .Alerts.Firing }}{{ .Status }}{{ end }}', data).out).toBe('1 firing');
  });

  it('reports a wrong argument type like Go', () => {
    const set = new TemplateSet({ funcs: { up: withSignature((s: string) => s.toUpperCase(), ['string']), join: withSignature((sep: string, s: string[]) => s.join(sep), ['string', stringSliceType]) } });
    expect((run('t', '{{ 3 | up }}', null, set).err as Error).message).toBe('template: t:1:7: executing "t" at <up>: wrong type for value; expected string; got int');
    expect(run('t', '{{ . | join "," }}', ['a', 'b'], set).out).toBe('a,b');
  });
});
