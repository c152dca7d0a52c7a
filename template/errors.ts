// The one error type the template engine throws, worded as Go's text/template words its errors.

export type TemplateErrorKind = 'parse' | 'exec' | 'lookup';

/**
 * A parse error ("template: name:3: unexpected EOF"), an execution error
 * ("template: name:1:5: executing \"name\" at <.foo>: ...") or a missing template.
 * `cause` keeps the error a template function threw, when that is what failed.
 */
export class TemplateError extends Error {
  readonly kind: TemplateErrorKind;
  /** The template being parsed or executed. */
  readonly templateName: string;
  constructor(kind: TemplateErrorKind, templateName: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TemplateError';
    this.kind = kind;
    this.templateName = templateName;
  }
}
