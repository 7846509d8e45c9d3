/**
 * Executes a parsed template over ESO's data, following text/template's
 * exec.go: the same truth, scoping, argument conversion and error texts,
 * with missingkey=error as ESO sets it. Bounded by limits.ts: steps,
 * iterations and work are counted in the caller's RenderBudget, and every
 * function builds its result through a CallContext that stops it at the bound.
 */
import type { ArgNode, ChainNode, CommandNode, IdentifierNode, ListNode, Node, NumberNode, PipeNode, RangeNode, Template, TemplateNode } from './ast.ts';
import { CallContext, type RenderBudget } from './budget.ts';
import { toText, utf8, type GoString } from './bytes.ts';
import { FuncError, LimitError, lineColumn, TemplateError } from './errors.ts';
import { printInto } from './format.ts';
import { goType, type FuncDef, type Param } from './func-def.ts';
import { lookupFunction } from './functions.ts';
import { limits } from './limits.ts';
import { quoted } from './quote.ts';
import { versionFields, versionMethod } from './semver-value.ts';
import { GoMap, GoSlice, GoTime, SemverVersion, SprigCertificate, isTrue, typeName, type Evaluated, type GoValue } from './values.ts';

/** No value came down the pipeline (the first command of a pipeline). */
const MISSING: unique symbol = Symbol('missing');
type Final = Evaluated | typeof MISSING;

/** Control flow of {{break}} and {{continue}}, caught by the enclosing range. */
const BREAK: unique symbol = Symbol('break');
const CONTINUE: unique symbol = Symbol('continue');

interface Variable {
  name: string;
  value: Evaluated;
}

type At = { pos: number };

class Execution {
  readonly #template: Template;
  /** The variables of the template running now: a called template starts with only `$`. */
  #vars: Variable[];
  readonly #out: GoString[] = [];
  readonly #budget: RenderBudget;
  #outBytes = 0;
  /** The template running now, named in errors when it is not the main one. */
  #running: GoString;
  /** Template calls and the control structures they sit in, open now (limits.callNesting). */
  #nesting = 0;

  constructor(template: Template, data: GoMap, budget: RenderBudget) {
    this.#template = template;
    this.#vars = [{ name: '$', value: data }];
    this.#budget = budget;
    this.#running = utf8(template.name);
  }

  /** Walks the template with dot (and $) set to the data. */
  run(): GoString {
    this.#walkList(this.#vars[0]!.value, this.#template.root);
    return this.#out.join('');
  }

  #fail(at: At, reason: string, limit = false): never {
    const { line, column } = lineColumn(this.#template.source, at.pos);
    const running = this.#running === utf8(this.#template.name) ? '' : ` ${quoted(this.#running)}`;
    throw new TemplateError(this.#template.name, line, column, `executing${running}: ${reason}`, { limit });
  }

  /** A bound of limits.ts was hit at `at`: a TemplateError marked as a limit. */
  #limit(at: At, reason: string): never {
    return this.#fail(at, reason, true);
  }

  #step(at: At): void {
    if (!this.#budget.step()) this.#limit(at, `evaluation exceeds the limit of ${limits.steps} steps`);
  }

  #write(at: At, s: GoString): void {
    this.#outBytes += s.length;
    if (this.#outBytes > limits.outputBytes) this.#limit(at, `output exceeds the limit of ${limits.outputBytes} bytes`);
    this.#out.push(s);
  }

  /** An action's value as fmt prints it; a list or map is printed into a bounded builder. */
  #print(at: At, v: Evaluated): GoString {
    if (v === undefined) return '<no value>';
    if (typeof v === 'string') return v;
    const outputLimit = `output exceeds the limit of ${limits.outputBytes} bytes`;
    try {
      const b = new CallContext(this.#budget).builder(Math.min(limits.stringBytes, limits.outputBytes - this.#outBytes + 1), outputLimit);
      printInto(b, v);
      return b.toString();
    } catch (e) {
      if (e instanceof LimitError) this.#limit(at, e.message);
      throw e;
    }
  }

  #walkList(dot: Evaluated, list: ListNode): void {
    for (const node of list) this.#walk(dot, node);
  }

  #walk(dot: Evaluated, node: Node): void {
    this.#step(node);
    switch (node.kind) {
      case 'text':
        this.#write(node, node.text);
        return;
      case 'action': {
        const v = this.#evalPipeline(dot, node.pipe);
        // An action that declares variables prints nothing.
        if (node.pipe.decl.length === 0) this.#write(node, this.#print(node, v));
        return;
      }
      case 'if': case 'with': {
        const mark = this.#vars.length;
        const v = this.#evalPipeline(dot, node.pipe);
        this.#enter(node);
        try {
          if (isTrue(v)) this.#walkList(node.kind === 'with' ? v : dot, node.list);
          else if (node.elseList) this.#walkList(dot, node.elseList);
        } finally {
          // Also when {{break}} or {{continue}} leaves through it.
          this.#nesting--;
        }
        this.#vars.length = mark;
        return;
      }
      case 'range':
        this.#enter(node);
        try {
          this.#walkRange(dot, node);
        } finally {
          this.#nesting--;
        }
        return;
      case 'template':
        this.#walkTemplate(dot, node);
        return;
      case 'break':
        throw BREAK;
      case 'continue':
        throw CONTINUE;
    }
  }

  /**
   * One more level of nesting. A template's own structures nest at most limits.nesting
   * deep (the parser checks), but a template may call itself: Go stops at 100,000 calls,
   * far past what the JS stack holds, so we count calls with the structures around them.
   */
  #enter(at: At): void {
    if (++this.#nesting > limits.callNesting) {
      this.#limit(at, `template calls nest deeper than the limit of ${limits.callNesting} (counting the if, with and range around each)`);
    }
  }

  /** {{template "name" pipeline}}: the named template with dot set, and only `$` as a variable. */
  #walkTemplate(dot: Evaluated, node: TemplateNode): void {
    const body = this.#template.templates.get(node.name);
    if (!body) this.#fail(node, `template ${quoted(node.name)} not defined`);
    // Variables the pipeline declares stay in the caller's scope, as in Go.
    const value = node.pipe ? this.#evalPipeline(dot, node.pipe) : undefined;
    this.#enter(node);
    const caller = { vars: this.#vars, running: this.#running };
    this.#vars = [{ name: '$', value }];
    this.#running = node.name;
    try {
      this.#walkList(value, body);
    } finally {
      ({ vars: this.#vars, running: this.#running } = caller);
      this.#nesting--;
    }
  }

  #walkRange(dot: Evaluated, r: RangeNode): void {
    const mark = this.#vars.length;
    const val = this.#evalPipeline(dot, r.pipe);
    const bodyMark = this.#vars.length;
    const decl = r.pipe.decl;
    const setVar = (i: number, v: Evaluated): void => {
      if (r.pipe.isAssign) this.#setVar(r, decl[i]!.name, v);
      else this.#vars[bodyMark - decl.length + i]!.value = v;
    };
    const iterate = (index: Evaluated, elem: Evaluated): void => {
      if (!this.#budget.iterate()) this.#limit(r, `range loops exceed the limit of ${limits.rangeIterations} iterations`);
      // With one variable it gets the element; with two, the index and the element.
      if (decl.length === 1) setVar(0, elem);
      if (decl.length === 2) {
        setVar(0, index);
        setVar(1, elem);
      }
      try {
        this.#walkList(elem, r.list);
      } catch (e) {
        if (e !== CONTINUE) throw e;
      } finally {
        this.#vars.length = bodyMark;
      }
    };
    let ran = false;
    try {
      if (typeof val === 'bigint') {
        // Go prints the value here; it may be secret data, so we name its type instead.
        if (decl.length > 1) this.#fail(r.pipe, `can't use a value of type ${typeName(val)} to iterate over more than one variable`);
        for (let i = 0n; i < val; i++) {
          ran = true;
          iterate(undefined, i);
        }
      } else if (val instanceof GoSlice) {
        val.items.forEach((item, i) => {
          ran = true;
          iterate(BigInt(i), item);
        });
      } else if (val instanceof GoMap) {
        for (const key of val.sortedKeys()) {
          ran = true;
          iterate(key, val.entries.get(key) ?? null);
        }
      } else if (val !== undefined) {
        this.#fail(r.pipe, `range can't iterate over a value of type ${typeName(val)}`);
      }
    } catch (e) {
      if (e !== BREAK) throw e;
    }
    if (!ran && r.elseList) this.#walkList(dot, r.elseList);
    this.#vars.length = mark;
  }

  #varValue(at: At, name: string): Evaluated {
    for (let i = this.#vars.length - 1; i >= 0; i--) if (this.#vars[i]!.name === name) return this.#vars[i]!.value;
    this.#fail(at, `undefined variable: ${name}`);
  }

  #setVar(at: At, name: string, value: Evaluated): void {
    for (let i = this.#vars.length - 1; i >= 0; i--) {
      if (this.#vars[i]!.name === name) {
        this.#vars[i]!.value = value;
        return;
      }
    }
    this.#fail(at, `undefined variable: ${name}`);
  }

  #evalPipeline(dot: Evaluated, pipe: PipeNode): Evaluated {
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) {
      value = this.#evalCommand(dot, cmd, value);
      // A nil interface{} coming out of a command is no value at all.
      if (value === null) value = undefined;
    }
    const result = value === MISSING ? undefined : value;
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.#setVar(v, v.name, result);
      else this.#vars.push({ name: v.name, value: result });
    }
    return result;
  }

  #notAFunction(args: readonly ArgNode[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.#fail(args[0]!, `can't give argument to non-function ${args[0]!.src}`);
  }

  #evalCommand(dot: Evaluated, cmd: CommandNode, final: Final): Evaluated {
    this.#step(cmd);
    const first = cmd.args[0]!;
    switch (first.kind) {
      case 'field': return this.#evalFieldChain(dot, dot, first, first.fields, cmd.args, final);
      case 'chain': return this.#evalChain(dot, first, cmd.args, final);
      case 'identifier': return this.#evalFunction(dot, first, cmd.args, final);
      case 'pipe':
        this.#notAFunction(cmd.args, final);
        return this.#evalPipeline(dot, first);
      case 'variable': {
        const v = this.#varValue(first, first.name);
        if (first.fields.length === 0) {
          this.#notAFunction(cmd.args, final);
          return v;
        }
        return this.#evalFieldChain(dot, v, first, first.fields, cmd.args, final);
      }
    }
    this.#notAFunction(cmd.args, final);
    switch (first.kind) {
      case 'bool': return first.value;
      case 'dot': return dot;
      case 'nil': return this.#fail(first, 'nil is not a command');
      case 'number': return this.#idealConstant(first);
      case 'string': return first.text;
    }
  }

  /** A number printed or passed as interface{}: its spelling decides int or float64. */
  #idealConstant(n: NumberNode): GoValue {
    if (n.isFloatSyntax && n.float !== undefined) return n.float;
    if (n.int !== undefined) return n.int;
    return this.#fail(n, `${n.src} overflows int`);
  }

  #evalChain(dot: Evaluated, chain: ChainNode, args: readonly ArgNode[], final: Final): Evaluated {
    if (chain.node.kind === 'nil') this.#fail(chain, `indirection through explicit nil in ${chain.src}`);
    const receiver = this.#evalArg(dot, 'value', chain.node);
    return this.#evalFieldChain(dot, receiver, chain, chain.fields, args, final);
  }

  #evalFieldChain(dot: Evaluated, receiver: Evaluated, at: At, fields: readonly GoString[], args: readonly ArgNode[], final: Final): Evaluated {
    let v = receiver;
    // Only the last field gets the command's arguments: a method before it is called with none.
    fields.forEach((name, i) => {
      const last = i === fields.length - 1;
      v = this.#evalField(dot, at, name, v, last ? args : [], last ? final : MISSING);
    });
    return v;
  }

  /** `args` holds the field itself first, as the command's words do. */
  #evalField(dot: Evaluated, at: At, name: GoString, receiver: Evaluated, args: readonly ArgNode[], final: Final): Evaluated {
    const hasArgs = args.length > 1 || final !== MISSING;
    if (receiver === undefined) this.#fail(at, `nil data; no entry for key ${quoted(name)}`);
    if (receiver === null) this.#fail(at, `nil pointer evaluating interface {}.${toText(name)}`);
    if (receiver instanceof SemverVersion) {
      const method = versionMethod(receiver, toText(name));
      if (method?.kind === 'method') return this.#evalCall(dot, method.def, at, toText(name), args.slice(1), final);
      if (method?.kind === 'unsupported') this.#fail(at, `method ${toText(name)} of ${typeName(receiver)} is not supported by this operator`);
      if (versionFields.has(name)) this.#fail(at, `${toText(name)} is an unexported field of struct type ${typeName(receiver)}`);
    }
    if (receiver instanceof GoMap) {
      if (hasArgs) this.#fail(at, `${toText(name)} is not a method but has arguments`);
      const v = receiver.entries.get(name);
      // ESO executes with missingkey=error.
      if (v === undefined) this.#fail(at, `map has no entry for key ${quoted(name)}`);
      return v;
    }
    if (receiver instanceof SprigCertificate && (name === 'Cert' || name === 'Key')) {
      if (hasArgs) this.#fail(at, `${toText(name)} has arguments but cannot be invoked as function`);
      return name === 'Cert' ? receiver.cert : receiver.key;
    }
    return this.#fail(at, `can't evaluate field ${toText(name)} in type ${typeName(receiver)}`);
  }

  #evalFunction(dot: Evaluated, node: IdentifierNode, args: readonly ArgNode[], final: Final): Evaluated {
    const def = lookupFunction(node.name);
    if (!def) return this.#fail(node, `${JSON.stringify(node.name)} is not a defined function`);
    return this.#evalCall(dot, def, node, node.name, args.slice(1), final);
  }

  /** Calls a function, or a method with its receiver bound, named `name` in errors. */
  #evalCall(dot: Evaluated, def: FuncDef, node: At, name: string, args: readonly ArgNode[], final: Final): Evaluated {
    const numIn = args.length + (final === MISSING ? 0 : 1);
    const numFixed = def.params.length;
    if (def.variadic !== undefined) {
      if (numIn < numFixed) this.#fail(node, `wrong number of args for ${name}: want at least ${numFixed} got ${args.length}`);
    } else if (numIn !== numFixed) {
      this.#fail(node, `wrong number of args for ${name}: want ${numFixed} got ${numIn}`);
    }
    const paramAt = (i: number): Param => def.params[i] ?? def.variadic!;
    if (name === 'and' || name === 'or') {
      // Short-circuit: the first false (and) or true (or) argument, else the last.
      let v: Evaluated;
      for (const arg of args) {
        v = this.#evalArg(dot, 'value', arg);
        if (isTrue(v) === (name === 'or')) return v;
      }
      if (final !== MISSING) v = final;
      return v;
    }
    const argv = args.map((arg, i) => this.#evalArg(dot, paramAt(i), arg));
    if (final !== MISSING) argv.push(this.#validateType(node, final, paramAt(args.length)));
    const ctx = new CallContext(this.#budget);
    // Go's call names its callee in errors: the first argument's source, or a piped value's text.
    if (name === 'call') ctx.callee = args.length > 0 ? args[0]!.src : typeof final === 'string' ? final : '';
    let result: Evaluated;
    try {
      // Work: the bytes of the string arguments (a function may scan them all; comparing
      // two long strings in a loop costs as much), what the call builds as it builds it,
      // and the rest of its result after.
      this.#budget.charge(argv.reduce((n: number, a) => n + (typeof a === 'string' ? a.length : 0), 0));
      result = def.call(argv, ctx);
      // The bound every builder enforces, checked again for a result made without one.
      if (typeof result === 'string' && result.length > limits.stringBytes) {
        throw new LimitError(`result exceeds the limit of ${limits.stringBytes} bytes`);
      }
      const size = typeof result === 'string' ? result.length : result instanceof GoSlice || result instanceof GoMap ? result.size : 0;
      if (size > ctx.built) this.#budget.charge(size - ctx.built);
    } catch (e) {
      if (e instanceof FuncError) this.#fail(node, `error calling ${name}: ${e.message}`, e instanceof LimitError);
      throw e;
    }
    return result;
  }

  /** Checks a computed value against a parameter type, as Go's validateType. */
  #validateType(at: At, v: Evaluated, param: Param): Evaluated {
    if (param === 'value') return v;
    if (v === undefined) {
      if (param === 'any' || param === 'list' || param === 'version') return null;
      if (param === 'dict') return new GoMap('any', new Map());
      this.#fail(at, `invalid value; expected ${goType[param]}`);
    }
    const ok =
      param === 'any' ||
      (param === 'string' && typeof v === 'string') ||
      (param === 'int' && typeof v === 'bigint') ||
      (param === 'float' && typeof v === 'number') ||
      (param === 'bool' && typeof v === 'boolean') ||
      (param === 'dict' && v instanceof GoMap && v.elem === 'any') ||
      (param === 'time' && v instanceof GoTime) ||
      (param === 'list' && (v === null || (v instanceof GoSlice && v.elem === 'any'))) ||
      (param === 'certificate' && v instanceof SprigCertificate) ||
      // A plain Version is not addressable, so Go cannot pass its address.
      (param === 'version' && v instanceof SemverVersion && v.pointer);
    if (!ok) this.#fail(at, `wrong type for value; expected ${goType[param]}; got ${typeName(v)}`);
    return v;
  }

  #evalArg(dot: Evaluated, param: Param, n: ArgNode): Evaluated {
    this.#step(n);
    switch (n.kind) {
      case 'dot': return this.#validateType(n, dot, param);
      case 'nil':
        if (param === 'any' || param === 'list' || param === 'version') return null;
        if (param === 'value') return undefined;
        if (param === 'dict') return new GoMap('any', new Map());
        return this.#fail(n, `cannot assign nil to ${goType[param]}`);
      case 'field': return this.#validateType(n, this.#evalFieldChain(dot, dot, n, n.fields, [n], MISSING), param);
      case 'variable': {
        const v = this.#varValue(n, n.name);
        const value = n.fields.length === 0 ? v : this.#evalFieldChain(dot, v, n, n.fields, [n], MISSING);
        return this.#validateType(n, value, param);
      }
      case 'pipe': return this.#validateType(n, this.#evalPipeline(dot, n), param);
      case 'identifier': return this.#validateType(n, this.#evalFunction(dot, n, [n], MISSING), param);
      case 'chain': return this.#validateType(n, this.#evalChain(dot, n, [n], MISSING), param);
    }
    // A literal: converted to the parameter's type at compile time in Go.
    switch (param) {
      case 'bool':
        if (n.kind === 'bool') return n.value;
        return this.#fail(n, `expected bool; found ${n.src}`);
      case 'string':
        if (n.kind === 'string') return n.text;
        return this.#fail(n, `expected string; found ${n.src}`);
      case 'int':
        if (n.kind === 'number' && n.int !== undefined) return n.int;
        return this.#fail(n, `expected integer; found ${n.src}`);
      case 'float':
        if (n.kind === 'number' && n.float !== undefined) return n.float;
        return this.#fail(n, `expected float; found ${n.src}`);
      case 'uint32':
        // Go sets the literal's value into a uint32 by reflection, which keeps the low 32 bits.
        if (n.kind === 'number' && n.int !== undefined && n.int >= 0n) return BigInt.asUintN(32, n.int);
        return this.#fail(n, `expected unsigned integer; found ${n.src}`);
      case 'dict':
      case 'time':
      case 'list':
      case 'certificate':
      case 'version':
        return this.#fail(n, `can't handle ${n.src} for arg of type ${goType[param]}`);
    }
    if (n.kind === 'bool') return n.value;
    if (n.kind === 'string') return n.text;
    return this.#idealConstant(n);
  }
}

/** Renders a template over the data map, ESO's `.`, spending from `budget`. */
export const execute = (template: Template, data: GoMap, budget: RenderBudget): GoString => new Execution(template, data, budget).run();
