import { describe, expect, it } from 'vitest';
import {
  decimalPrefixEnd,
  FLOAT_INVALID_SYNTAX,
  FLOAT_OK,
  FLOAT_OUT_OF_RANGE,
  FLOAT_UNSUPPORTED_CHARACTER,
  floatParseStatus,
  parseDecimalPrefix,
  parseGoFloat,
} from './float-parser.ts';

const encoder = new TextEncoder();

function parse(text: string): { value: number; status: number } {
  const b = encoder.encode(text);
  const value = parseGoFloat(b, 0, b.length);
  return { value, status: floatParseStatus() };
}

// A deterministic generator, so a failure can be reproduced.
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomDigits(random: () => number, count: number): string {
  let s = '';
  for (let k = 0; k < count; k++) s += String.fromCharCode(0x30 + Math.floor(random() * 10));
  return s;
}

describe('parseGoFloat', () => {
  it.each([
    ['0', 0],
    ['1', 1],
    ['-1', -1],
    ['+1', 1],
    ['1.5', 1.5],
    ['.5', 0.5],
    ['5.', 5],
    ['-.5', -0.5],
    ['1e3', 1000],
    ['1E3', 1000],
    ['1e+3', 1000],
    ['1e-3', 0.001],
    ['1.e3', 1000],
    ['4.9351e-05', 4.9351e-5],
    ['7.424100000000001e-05', 7.424100000000001e-5],
    ['1.445929e+06', 1445929],
    ['0.000115314', 0.000115314],
    ['00012', 12],
    ['1e22', 1e22],
    ['1e23', 1e23],
    ['9007199254740991', 9007199254740991],
    ['9007199254740993', 9007199254740992],
    ['1.7953746965762677e+09', 1.7953746965762677e9],
    ['1.8446744073709552e+19', 1.8446744073709552e19],
    ['18.650000000000002', 18.650000000000002],
    ['1e-400', 0],
    ['4.9e-324', 5e-324],
    ['1.7976931348623157e308', 1.7976931348623157e308],
    ['0e99999999999', 0],
  ])('%s', (text, expected) => {
    const { value, status } = parse(text);
    expect(status).toBe(FLOAT_OK);
    expect(value).toBe(expected);
  });

  it('keeps the sign of zero', () => {
    expect(Object.is(parse('-0').value, -0)).toBe(true);
    expect(Object.is(parse('-0.0e5').value, -0)).toBe(true);
    expect(Object.is(parse('0').value, 0)).toBe(true);
  });

  it.each([
    ['NaN', NaN],
    ['nan', NaN],
    ['NAN', NaN],
    ['Inf', Infinity],
    ['+Inf', Infinity],
    ['-Inf', -Infinity],
    ['inf', Infinity],
    ['-inf', -Infinity],
    ['INF', Infinity],
    ['Infinity', Infinity],
    ['-infinity', -Infinity],
    ['+INFINITY', Infinity],
  ])('special value %s', (text, expected) => {
    const { value, status } = parse(text);
    expect(status).toBe(FLOAT_OK);
    expect(Object.is(value, expected)).toBe(true);
  });

  it.each([
    '',
    '+',
    '-',
    '.',
    '-.',
    'e5',
    '1e',
    '1e+',
    '1.2.3',
    '1 ',
    ' 1',
    '1,5',
    '0x10',
    '0b1',
    '0o7',
    'true',
    '+NaN',
    '-nan',
    'infi',
    'infinit',
    'infinityy',
    'nana',
    '1z',
    '1\t2',
    '1\r',
    '--1',
    '+-1',
    '١',
  ])('rejects %j as invalid syntax', (text) => {
    expect(parse(text).status).toBe(FLOAT_INVALID_SYNTAX);
  });

  it.each(['1_000', '0x1p-3', '0x1P-3', '_1', 'p'])('rejects %j as an unsupported character, as Prometheus does', (text) => {
    expect(parse(text).status).toBe(FLOAT_UNSUPPORTED_CHARACTER);
  });

  it.each(['1e400', '-1e400', '1.8e308', '179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792'])(
    'rejects %j as out of range (Go returns ErrRange)',
    (text) => {
      expect(parse(text).status).toBe(FLOAT_OUT_OF_RANGE);
    },
  );

  it('parses within the given range only', () => {
    const b = encoder.encode('xx12.5yy');
    expect(parseGoFloat(b, 2, 6)).toBe(12.5);
    expect(floatParseStatus()).toBe(FLOAT_OK);
  });

  it('is bit-exact with Number() on random decimals of every shape', () => {
    const random = mulberry32(42);
    const b = new Uint8Array(64);
    for (let n = 0; n < 200_000; n++) {
      const intDigits = Math.floor(random() * 12);
      const fracDigits = Math.floor(random() * 12);
      let text = (random() < 0.3 ? '-' : '') + randomDigits(random, intDigits);
      if (fracDigits > 0 || intDigits === 0) text += '.' + randomDigits(random, Math.max(fracDigits, intDigits === 0 ? 1 : 0));
      if (random() < 0.5) {
        const exponent = Math.floor(random() * 700) - 350;
        text += (random() < 0.5 ? 'e' : 'E') + (exponent >= 0 && random() < 0.5 ? '+' : '') + String(exponent);
      }
      const bytes = encoder.encodeInto(text, b);
      const got = parseGoFloat(b, 0, bytes.written);
      const expected = Number(text);
      const expectedStatus = expected === Infinity || expected === -Infinity ? FLOAT_OUT_OF_RANGE : FLOAT_OK;
      if (floatParseStatus() !== expectedStatus) expect.fail(`${text}: status ${floatParseStatus()}, expected ${expectedStatus}`);
      if (expectedStatus === FLOAT_OK && !Object.is(got, expected)) expect.fail(`${text}: got ${got}, Number() gives ${expected}`);
    }
  });

  it('is bit-exact with Number() around the fast path limits (16-17 digits, powers of ten near 22)', () => {
    const random = mulberry32(7);
    const b = new Uint8Array(64);
    for (let n = 0; n < 200_000; n++) {
      const digits = 14 + Math.floor(random() * 5);
      const mantissa = randomDigits(random, digits);
      const point = Math.floor(random() * (digits + 1));
      const exponent = Math.floor(random() * 60) - 30;
      const text = `${mantissa.slice(0, point)}.${mantissa.slice(point)}e${exponent}`;
      const bytes = encoder.encodeInto(text, b);
      const got = parseGoFloat(b, 0, bytes.written);
      if (!Object.is(got, Number(text))) expect.fail(`${text}: got ${got}, Number() gives ${Number(text)}`);
    }
  });

  it('is bit-exact on the shortest representations of random doubles (what Go and JS print)', () => {
    const random = mulberry32(99);
    const view = new DataView(new ArrayBuffer(8));
    const b = new Uint8Array(64);
    for (let n = 0; n < 100_000; n++) {
      view.setUint32(0, Math.floor(random() * 2 ** 32));
      view.setUint32(4, Math.floor(random() * 2 ** 32));
      const x = view.getFloat64(0);
      if (!Number.isFinite(x)) continue;
      const text = String(x);
      const bytes = encoder.encodeInto(text, b);
      const got = parseGoFloat(b, 0, bytes.written);
      if (!Object.is(got, x)) expect.fail(`${text}: got ${got}`);
    }
  });
});

describe('parseDecimalPrefix', () => {
  it('reads a plain decimal up to the first byte that cannot continue it', () => {
    const b = encoder.encode('12.5e3 rest');
    expect(parseDecimalPrefix(b, 0, b.length)).toBe(12500);
    expect(decimalPrefixEnd()).toBe(6);
  });

  it.each(['NaN', '+Inf', '12345678901234567', '1e23', '1e-23', 'x', '', '-', '1e', '.'])('declines %j', (text) => {
    const b = encoder.encode(text);
    parseDecimalPrefix(b, 0, b.length);
    expect(decimalPrefixEnd()).toBe(-1);
  });
});
