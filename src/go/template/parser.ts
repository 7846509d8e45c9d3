import type { ArgNode, CommandNode, ListNode, Node, PipeNode, Template, TemplateNode, VariableNode } from './ast.ts';
import type { RenderBudget } from './budget.ts';
import { utf8, type GoString } from './bytes.ts';
import { lineColumn, TemplateError } from './errors.ts';
import { isFunction, unknownFunctionMessage } from './functions.ts';
import { Lexer, type Token, type TokenKind } from './lexer.ts';
import { limits } from './limits.ts';
import { LiteralError, parseNumber, unquoteCharConstant, unquoteString } from './literals.ts';
import { quoted } from './quote.ts';
import { TemplateSet } from './template-set.ts';

/** Marks the {{end}} or {{else}} that closes a list. */
interface Terminator {
  kind: 'end' | 'else';
  pos: number;
}

const keywordKinds = new Set<TokenKind>(['block', 'break', 'continue', 'define', 'dot', 'else', 'end', 'if', 'nil', 'range', 'template', 'with']);
const operandStarts = new Set<TokenKind>(['bool', 'charConstant', 'dot', 'field', 'identifier', 'number', 'nil', 'rawString', 'string', 'variable', 'leftParen']);

/** A token as Go's parser names it in "unexpected ..." messages. */
function describe(token: Token): string {
  if (token.kind === 'eof') return 'EOF';
  if (keywordKinds.has(token.kind)) return `<${token.value}>`;
  const runes = [...token.value];
  if (runes.length > 10) return quoted(utf8(runes.slice(0, 10).join(''))) + '...';
  return quoted(utf8(token.value));
}

const fieldsOf = (text: string): string[] => text.slice(1).split('.').map(utf8);

/**
 * Parses template source into a Template, following Go's text/template
 * grammar and its error messages. Functions are checked while parsing, as Go
 * does: an unknown function is a parse error. Every node is counted in the
 * budget as it is made: a tree costs far more memory than its source.
 */
class Parser {
  readonly #name: string;
  readonly #src: string;
  readonly #lexer: Lexer;
  readonly #budget: RenderBudget;
  /** Tokens put back, the next one last (Go's parser needs at most three). */
  readonly #stack: Token[] = [];
  /** Variables in scope, innermost last; `$` is always there. */
  #vars: string[] = ['$'];
  /** How often each name is in #vars, for a quick lookup. */
  #varCount = new Map<string, number>([['$', 1]]);
  #rangeDepth = 0;
  #depth = 0;
  /** Start of each open control structure, for "unexpected EOF". */
  #open: { kind: string; pos: number }[] = [];
  /** The templates this source defines, the main one added last. */
  readonly #set = new TemplateSet();
  /** Where the last pipeline's closing }} or ) ends. */
  #pipeEnd = 0;

  constructor(name: string, src: string, budget: RenderBudget) {
    this.#name = name;
    this.#src = src;
    this.#lexer = new Lexer(src);
    this.#budget = budget;
  }

  #fail(pos: number, message: string, limit = false): never {
    const { line, column } = lineColumn(this.#src, pos);
    throw new TemplateError(this.#name, line, column, message, { limit });
  }

  /** Counts one node of the tree about to be made. */
  #node(pos: number): void {
    if (!this.#budget.parseNode()) this.#fail(pos, `parse tree exceeds the limit of ${limits.parseNodes} nodes`, true);
  }

  #next(): Token {
    return this.#stack.pop() ?? this.#lexer.next();
  }

  /** Puts a token back; the next #next returns it. */
  #backup(token: Token): void {
    this.#stack.push(token);
  }

  #peek(): Token {
    const top = this.#stack.at(-1);
    if (top) return top;
    const token = this.#lexer.next();
    this.#stack.push(token);
    return token;
  }

  #nextNonSpace(): Token {
    let token: Token;
    do token = this.#next();
    while (token.kind === 'space');
    return token;
  }

  #peekNonSpace(): Token {
    const token = this.#nextNonSpace();
    this.#backup(token);
    return token;
  }

  #unexpected(token: Token, context: string): never {
    if (token.kind === 'error') this.#fail(token.pos, token.value);
    this.#fail(token.pos, `unexpected ${describe(token)} in ${context}`);
  }

  #expect(kind: TokenKind, context: string): Token {
    const token = this.#nextNonSpace();
    if (token.kind !== kind) this.#unexpected(token, context);
    return token;
  }

  #declare(name: string): void {
    this.#vars.push(name);
    this.#varCount.set(name, (this.#varCount.get(name) ?? 0) + 1);
  }

  #popVars(mark: number): void {
    while (this.#vars.length > mark) {
      const name = this.#vars.pop()!;
      this.#varCount.set(name, this.#varCount.get(name)! - 1);
    }
  }

  #isDeclared(name: string): boolean {
    return (this.#varCount.get(name) ?? 0) > 0;
  }

  #enter(pos: number): void {
    if (++this.#depth > limits.nesting) this.#fail(pos, `nesting exceeds the limit of ${limits.nesting}`, true);
  }

  parse(): Template {
    const root: Node[] = [];
    while (this.#peek().kind !== 'eof') {
      const n = this.#textOrAction(true);
      if (n === undefined) continue;
      if (n.kind === 'end' || n.kind === 'else') this.#fail(n.pos, `unexpected {{${n.kind}}}`);
      root.push(n as Node);
    }
    const name = utf8(this.#name);
    // Go adds the main body last, so a conflict with it is found at the end of the source.
    if (!this.#set.add(name, root)) this.#fail(this.#src.length, `multiple definition of template ${quoted(name)}`);
    return { name: this.#name, source: this.#src, root: this.#set.trees.get(name)!, templates: this.#set.trees };
  }

  /**
   * Parses the body of a {{define}} or {{block}} as Go does, as a tree of its own: it
   * sees none of the enclosing variables, and {{break}} and nesting start afresh.
   */
  #body(kind: 'block' | 'define', start: number): ListNode {
    const saved = { vars: this.#vars, varCount: this.#varCount, rangeDepth: this.#rangeDepth, depth: this.#depth, open: this.#open };
    this.#vars = ['$'];
    this.#varCount = new Map([['$', 1]]);
    this.#rangeDepth = 0;
    this.#depth = 0;
    this.#open = [{ kind, pos: start }];
    const [list, end] = this.#itemList();
    if (end.kind !== 'end') this.#fail(end.pos, `unexpected {{else}} in ${kind} clause`);
    ({ vars: this.#vars, varCount: this.#varCount, rangeDepth: this.#rangeDepth, depth: this.#depth, open: this.#open } = saved);
    return list;
  }

  #addTemplate(name: GoString, root: ListNode, pos: number): void {
    if (!this.#set.add(name, root)) this.#fail(pos, `multiple definition of template ${quoted(name)}`);
  }

  /** The quoted name after define, template or block. */
  #templateName(context: string): GoString {
    const token = this.#nextNonSpace();
    if (token.kind !== 'string' && token.kind !== 'rawString') this.#unexpected(token, context);
    return this.#literal(token, () => unquoteString(token.value));
  }

  /** {{define "name"}} body {{end}}, at the top level only; the keyword is past. */
  #define(start: number): void {
    const name = this.#templateName('define clause');
    this.#expect('rightDelim', 'define clause');
    this.#addTemplate(name, this.#body('define', start), start);
  }

  /** {{template "name"}} or {{template "name" pipeline}}; the keyword is past. */
  #template(start: number): TemplateNode {
    const name = this.#templateName('template clause');
    const next = this.#nextNonSpace();
    let pipe: PipeNode | undefined;
    if (next.kind !== 'rightDelim') {
      this.#backup(next);
      // Variables it declares stay in scope after it, as in Go.
      pipe = this.#pipeline('template clause', 'rightDelim');
    }
    return { kind: 'template', pos: start, name, pipe };
  }

  /** {{block "name" pipeline}} body {{end}}: defines the body and calls it at once. */
  #block(start: number): TemplateNode {
    const name = this.#templateName('block clause');
    const pipe = this.#pipeline('block clause', 'rightDelim');
    this.#addTemplate(name, this.#body('block', start), start);
    return { kind: 'template', pos: start, name, pipe };
  }

  /** Nodes up to the {{end}} or {{else}} that closes them. */
  #itemList(): [ListNode, Terminator] {
    const list: Node[] = [];
    while (this.#peekNonSpace().kind !== 'eof') {
      const n = this.#textOrAction(false)!;
      if (n.kind === 'end' || n.kind === 'else') return [list, n as Terminator];
      list.push(n as Node);
    }
    const open = this.#open.at(-1);
    if (open) this.#fail(open.pos, `unexpected EOF: {{${open.kind}}} has no {{end}}`);
    this.#fail(this.#src.length, 'unexpected EOF');
  }

  /** A node; undefined for a {{define}}, which Go allows only at the top level. */
  #textOrAction(topLevel: boolean): Node | Terminator | undefined {
    const token = this.#nextNonSpace();
    this.#node(token.pos);
    if (token.kind === 'text') return { kind: 'text', pos: token.pos, text: utf8(token.value) };
    if (token.kind === 'leftDelim') {
      if (topLevel && this.#peekNonSpace().kind === 'define') {
        this.#nextNonSpace();
        this.#define(token.pos);
        return undefined;
      }
      return this.#action(token.pos);
    }
    this.#unexpected(token, 'input');
  }

  #action(start: number): Node | Terminator {
    const token = this.#nextNonSpace();
    switch (token.kind) {
      case 'block':
        return this.#block(start);
      case 'template':
        return this.#template(start);
      case 'break': case 'continue': {
        const close = this.#nextNonSpace();
        if (close.kind !== 'rightDelim') this.#unexpected(close, `{{${token.kind}}}`);
        if (this.#rangeDepth === 0) this.#fail(token.pos, `{{${token.kind}}} outside {{range}}`);
        return { kind: token.kind, pos: start };
      }
      case 'else': {
        // {{else if ...}} and {{else with ...}} leave the if or with pending.
        const peek = this.#peekNonSpace();
        if (peek.kind !== 'if' && peek.kind !== 'with') this.#expect('rightDelim', 'else');
        return { kind: 'else', pos: start };
      }
      case 'end':
        this.#expect('rightDelim', 'end');
        return { kind: 'end', pos: start };
      case 'if': case 'range': case 'with':
        return this.#control(token.kind, start);
    }
    this.#backup(token);
    const pipe = this.#pipeline('command', 'rightDelim');
    return { kind: 'action', pos: start, pipe };
  }

  #control(kind: 'if' | 'range' | 'with', start: number): Node {
    this.#enter(start);
    this.#open.push({ kind, pos: start });
    const mark = this.#vars.length;
    const pipe = this.#pipeline(kind, 'rightDelim');
    if (kind === 'range') this.#rangeDepth++;
    const [list, next] = this.#itemList();
    if (kind === 'range') this.#rangeDepth--;
    let elseList: ListNode | undefined;
    if (next.kind === 'else') {
      const chained = this.#peek();
      if (kind !== 'range' && chained.kind === kind) {
        // {{if a}}x{{else if b}}y{{end}} is {{if a}}x{{else}}{{if b}}y{{end}}{{end}}.
        this.#next();
        elseList = [this.#control(kind, chained.pos)];
      } else {
        const [list2, end] = this.#itemList();
        if (end.kind !== 'end') this.#fail(end.pos, 'expected end; found {{else}}');
        elseList = list2;
      }
    }
    this.#popVars(mark);
    this.#open.pop();
    this.#depth--;
    return kind === 'range' ? { kind, pos: start, pipe, list, elseList } : { kind, pos: start, pipe, list, elseList };
  }

  /** declarations? command ('|' command)* up to `end` (}} or ")"). */
  #pipeline(context: string, end: TokenKind): PipeNode {
    const start = this.#peekNonSpace().pos;
    this.#node(start);
    const decl: VariableNode[] = [];
    let isAssign = false;
    for (;;) {
      if (this.#peekNonSpace().kind !== 'variable') break;
      const v = this.#next();
      const afterVariable = this.#peek();
      const next = this.#peekNonSpace();
      const variable: VariableNode = { kind: 'variable', pos: v.pos, src: v.value, name: v.value, fields: [] };
      if (next.kind === 'assign' || next.kind === 'declare') {
        this.#nextNonSpace();
        isAssign = next.kind === 'assign';
        if (isAssign && !this.#isDeclared(v.value)) this.#fail(v.pos, `undefined variable ${JSON.stringify(v.value)}`);
        decl.push(variable);
        this.#declare(v.value);
        break;
      }
      if (next.kind === 'char' && next.value === ',') {
        this.#nextNonSpace();
        decl.push(variable);
        this.#declare(v.value);
        if (context === 'range' && decl.length < 2) {
          const k = this.#peekNonSpace().kind;
          if (k === 'variable' || k === 'rightDelim' || k === 'rightParen') continue;
          this.#fail(next.pos, 'range can only initialize variables');
        }
        this.#fail(next.pos, `too many declarations in ${context}`);
      }
      if (afterVariable.kind === 'space') this.#backup(afterVariable);
      this.#backup(v);
      break;
    }
    const cmds: CommandNode[] = [];
    for (;;) {
      const token = this.#nextNonSpace();
      if (token.kind === end) {
        this.#pipeEnd = token.pos + token.value.length;
        break;
      }
      if (!operandStarts.has(token.kind)) this.#unexpected(token, context);
      this.#backup(token);
      cmds.push(this.#command());
    }
    if (cmds.length === 0) this.#fail(start, `missing value for ${context}`);
    cmds.slice(1).forEach((cmd, i) => {
      const k = cmd.args[0]?.kind;
      if (k === 'bool' || k === 'dot' || k === 'nil' || k === 'number' || k === 'string') {
        this.#fail(cmd.pos, `non executable command in pipeline stage ${i + 2}`);
      }
    });
    return { kind: 'pipe', pos: start, src: this.#src.slice(start, this.#pipeEnd), decl, isAssign, cmds };
  }

  #command(): CommandNode {
    const start = this.#peekNonSpace().pos;
    this.#node(start);
    const args: ArgNode[] = [];
    for (;;) {
      this.#peekNonSpace();
      const operand = this.#operand();
      if (operand) args.push(operand);
      const token = this.#next();
      if (token.kind === 'space') continue;
      if (token.kind === 'rightDelim' || token.kind === 'rightParen') this.#backup(token);
      else if (token.kind !== 'pipe') this.#unexpected(token, 'operand');
      break;
    }
    if (args.length === 0) this.#fail(start, 'empty command');
    return { pos: start, args };
  }

  /** A term, possibly followed by .Field accesses. */
  #operand(): ArgNode | undefined {
    const node = this.#term();
    if (!node || this.#peek().kind !== 'field') return node;
    const fields: string[] = [];
    let end = node.pos;
    while (this.#peek().kind === 'field') {
      const token = this.#next();
      fields.push(...fieldsOf(token.value));
      end = token.pos + token.value.length;
    }
    const src = this.#src.slice(node.pos, end);
    switch (node.kind) {
      case 'field': return { ...node, src, fields: [...node.fields, ...fields] };
      case 'variable': return { ...node, src, fields: [...node.fields, ...fields] };
      case 'bool': case 'string': case 'number': case 'nil': case 'dot':
        this.#fail(node.pos, `unexpected . after term ${JSON.stringify(node.src)}`);
      // eslint-disable-next-line no-fallthrough
      default: return { kind: 'chain', pos: node.pos, src, node, fields };
    }
  }

  #literal<T>(token: Token, read: () => T): T {
    try {
      return read();
    } catch (e) {
      if (e instanceof LiteralError) this.#fail(token.pos, e.message);
      throw e;
    }
  }

  #term(): ArgNode | undefined {
    const token = this.#nextNonSpace();
    this.#node(token.pos);
    const at = { pos: token.pos, src: token.value };
    switch (token.kind) {
      case 'identifier':
        if (!isFunction(token.value)) this.#fail(token.pos, unknownFunctionMessage(token.value));
        return { kind: 'identifier', ...at, name: token.value };
      case 'dot': return { kind: 'dot', ...at };
      case 'nil': return { kind: 'nil', ...at };
      case 'variable': {
        const [name = '$'] = token.value.split('.');
        if (!this.#isDeclared(name)) this.#fail(token.pos, `undefined variable ${JSON.stringify(name)}`);
        return { kind: 'variable', ...at, name, fields: [] };
      }
      case 'field': return { kind: 'field', ...at, fields: fieldsOf(token.value) };
      case 'bool': return { kind: 'bool', ...at, value: token.value === 'true' };
      case 'charConstant': {
        const r = this.#literal(token, () => unquoteCharConstant(token.value));
        return { kind: 'number', ...at, int: BigInt(r), float: r, isFloatSyntax: false };
      }
      case 'number': {
        const n = this.#literal(token, () => parseNumber(token.value));
        const hexInt = /^0[xX]/.test(token.value) && !/[pP]/.test(token.value);
        const isFloatSyntax = n.float !== undefined && !hexInt && /[.eEpP]/.test(token.value);
        if (n.overflowsInt) return { kind: 'number', ...at, int: undefined, float: n.float, isFloatSyntax: false };
        return { kind: 'number', ...at, int: n.int, float: n.float, isFloatSyntax };
      }
      case 'leftParen': {
        this.#enter(token.pos);
        const pipe = this.#pipeline('parenthesized pipeline', 'rightParen');
        this.#depth--;
        return { ...pipe, pos: token.pos, src: this.#src.slice(token.pos, this.#pipeEnd) };
      }
      case 'string': case 'rawString':
        return { kind: 'string', ...at, text: this.#literal(token, () => unquoteString(token.value)) };
    }
    this.#backup(token);
    return undefined;
  }
}

/** Parses a template; throws a TemplateError naming the line and column of the first problem. */
export function parseTemplate(name: string, text: string, budget: RenderBudget): Template {
  return new Parser(name, text, budget).parse();
}
