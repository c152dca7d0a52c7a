// Cases of Go's html/template escape_test.go (TestEscape) within the supported contexts
// (HTML text, RCDATA, attributes, URLs, comments), expected outputs verbatim.
import { describe, expect, it } from 'vitest';
import { SafeHTML, TemplateError, TemplateSet } from './template.ts';

const data = {
  F: false,
  T: true,
  C: '<Cincinnati>',
  G: '<Goodbye>',
  H: '<Hello>',
  A: ['<a>', '<b>'],
  E: [] as string[],
  N: 42n,
  U: undefined, // untyped nil
  Z: null, // typed nil
  W: new SafeHTML(`&iexcl;<b class="foo">Hello</b>, <textarea>O'World</textarea>!`),
};

const escapeTests: Array<[name: string, input: string, output: string]> = [
  ['if', '{{if .T}}Hello{{end}}, {{.C}}!', 'Hello, &lt;Cincinnati&gt;!'],
  ['else', '{{if .F}}{{.H}}{{else}}{{.G}}{{end}}!', '&lt;Goodbye&gt;!'],
  ['overescaping1', 'Hello, {{.C | html}}!', 'Hello, &lt;Cincinnati&gt;!'],
  ['overescaping2', 'Hello, {{html .C}}!', 'Hello, &lt;Cincinnati&gt;!'],
  ['overescaping3', '{{with .C}}{{$msg := .}}Hello, {{$msg}}!{{end}}', 'Hello, &lt;Cincinnati&gt;!'],
  ['assignment', '{{if $x := .H}}{{$x}}{{end}}', '&lt;Hello&gt;'],
  ['withBody', '{{with .H}}{{.}}{{end}}', '&lt;Hello&gt;'],
  ['withElse', '{{with .E}}{{.}}{{else}}{{.H}}{{end}}', '&lt;Hello&gt;'],
  ['rangeBody', '{{range .A}}{{.}}{{end}}', '&lt;a&gt;&lt;b&gt;'],
  ['rangeElse', '{{range .E}}{{.}}{{else}}{{.H}}{{end}}', '&lt;Hello&gt;'],
  ['nonStringValue', '{{.T}}', 'true'],
  ['untypedNilValue', '{{.U}}', ''],
  ['typedNilValue', '{{.Z}}', '&lt;nil&gt;'],
  ['constant', `<a href="/search?q={{"'a<b'"}}">`, `<a href="/search?q=%27a%3cb%27">`],
  ['multipleAttrs', '<a b=1 c={{.H}}>', '<a b=1 c=&lt;Hello&gt;>'],
  ['urlStartRel', `<a href='{{"/foo/bar?a=b&c=d"}}'>`, `<a href='/foo/bar?a=b&amp;c=d'>`],
  ['urlStartAbsOk', `<a href='{{"http://example.com/foo/bar?a=b&c=d"}}'>`, `<a href='http://example.com/foo/bar?a=b&amp;c=d'>`],
  ['protocolRelativeURLStart', `<a href='{{"//example.com:8000/foo/bar?a=b&c=d"}}'>`, `<a href='//example.com:8000/foo/bar?a=b&amp;c=d'>`],
  ['pathRelativeURLStart', `<a href="{{"/javascript:80/foo/bar"}}">`, `<a href="/javascript:80/foo/bar">`],
  ['dangerousURLStart', `<a href='{{"javascript:alert(%22pwned%22)"}}'>`, `<a href='#ZgotmplZ'>`],
  ['dangerousURLStart2', `<a href='  {{"javascript:alert(%22pwned%22)"}}'>`, `<a href='  #ZgotmplZ'>`],
  ['nonHierURL', `<a href={{"mailto:Muhammed \\"The Greatest\\" Ali <m.ali@example.com>"}}>`, `<a href=mailto:Muhammed%20%22The%20Greatest%22%20Ali%20%3cm.ali@example.com%3e>`],
  ['urlPath', `<a href='http://{{"javascript:80"}}/foo'>`, `<a href='http://javascript:80/foo'>`],
  ['urlQuery', `<a href='/search?q={{.H}}'>`, `<a href='/search?q=%3cHello%3e'>`],
  ['urlFragment', `<a href='/faq#{{.H}}'>`, `<a href='/faq#%3cHello%3e'>`],
  ['urlBranch', `<a href="{{if .F}}/foo?a=b{{else}}/bar{{end}}">`, `<a href="/bar">`],
  ['urlBranchConflictMoot', `<a href="{{if .T}}/foo?a={{else}}/bar#{{end}}{{.C}}">`, `<a href="/foo?a=%3cCincinnati%3e">`],
  ['HTML comment', '<b>Hello, <!-- name of world -->{{.C}}</b>', '<b>Hello, &lt;Cincinnati&gt;</b>'],
  ['HTML comment not first < in text node.', '<<!-- -->!--', '&lt;!--'],
  ['HTML normalization 1', 'a < b', 'a &lt; b'],
  ['HTML normalization 2', 'a << b', 'a &lt;&lt; b'],
  ['HTML normalization 3', 'a<<!-- --><!-- -->b', 'a&lt;b'],
  ['HTML doctype not normalized', '<!DOCTYPE html>Hello, World!', '<!DOCTYPE html>Hello, World!'],
  ['HTML doctype not case-insensitive', '<!doCtYPE htMl>Hello, World!', '<!doCtYPE htMl>Hello, World!'],
  ['No doctype injection', `<!{{"DOCTYPE"}}`, '&lt;!DOCTYPE'],
  ['Split HTML comment', '<b>Hello, <!-- name of {{if .T}}city -->{{.C}}{{else}}world -->{{.W}}{{end}}</b>', '<b>Hello, &lt;Cincinnati&gt;</b>'],
  ['typed HTML in text', '{{.W}}', `&iexcl;<b class="foo">Hello</b>, <textarea>O'World</textarea>!`],
  ['typed HTML in attribute', `<div title="{{.W}}">`, `<div title="&iexcl;Hello, O&#39;World!">`],
  ['typed HTML in RCDATA', `<textarea>{{.W}}</textarea>`, `<textarea>&iexcl;&lt;b class=&#34;foo&#34;&gt;Hello&lt;/b&gt;, &lt;textarea&gt;O&#39;World&lt;/textarea&gt;!</textarea>`],
  ['range in RCDATA', `<textarea>{{range .A}}{{.}}{{end}}</textarea>`, `<textarea>&lt;a&gt;&lt;b&gt;</textarea>`],
  ['No tag injection', `{{"10$"}}<{{"script src,evil.org/pwnd.js"}}...`, `10$&lt;script src,evil.org/pwnd.js...`],
  ['No comment injection', `<{{"!--"}}`, `&lt;!--`],
  ['quoted attr', `<div title="{{.H}}">`, `<div title="&lt;Hello&gt;">`],
  ['plus in text', `{{"a+b"}}`, `a&#43;b`],
];

describe('html/template escape_test.go TestEscape', () => {
  it.each(escapeTests)('%s', (name, input, output) => {
    const set = new TemplateSet().parse(name, input);
    expect(set.executeHTMLSync(name, data)).toBe(output);
  });
});

describe('html/template contexts across {{template}} calls', () => {
  it('escapes a called template for the context of the call', () => {
    const set = new TemplateSet().parse('t', '{{define "u"}}{{.}}/x?q={{. | urlquery}}{{end}}<a href="{{template "u" "a b"}}">{{template "u" "a b"}}</a>');
    expect(set.executeHTMLSync('t')).toBe('<a href="a%20b/x?q=a&#43;b">a b/x?q=a&#43;b</a>');
    // The text mode is unaffected by the HTML copies.
    expect(set.executeSync('t')).toBe('<a href="a b/x?q=a+b">a b/x?q=a+b</a>');
  });

  it('fails on branches that end in different contexts', () => {
    const set = new TemplateSet().parse('t', '{{if .}}<a href="{{else}}<b>{{end}}');
    expect(() => set.executeHTMLSync('t', true)).toThrow(TemplateError);
  });

  it('refuses actions in unsupported contexts instead of mis-escaping', () => {
    const set = new TemplateSet().parse('t', '<script>var x = {{.}};</script>');
    expect(() => set.executeHTMLSync('t', 'a')).toThrow('actions in js contexts are not supported');
  });
});
