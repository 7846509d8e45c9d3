import type { GoString } from './bytes.ts';

/**
 * The parsed template: Go's text/template parse tree. `pos` is the node's
 * offset in the source; operands also keep their source text, which error
 * messages quote. {{define}} and {{block}} leave no node: their bodies become
 * named templates of the set (Template.templates); {{template}} and {{block}}
 * leave a TemplateNode that calls one by name.
 */
interface At {
  pos: number;
}

interface Operand extends At {
  src: string;
}

export interface TextNode extends At { kind: 'text'; text: GoString }
export interface ActionNode extends At { kind: 'action'; pipe: PipeNode }
export interface IfNode extends At { kind: 'if' | 'with'; pipe: PipeNode; list: ListNode; elseList: ListNode | undefined }
export interface RangeNode extends At { kind: 'range'; pipe: PipeNode; list: ListNode; elseList: ListNode | undefined }
export interface BreakNode extends At { kind: 'break' }
export interface ContinueNode extends At { kind: 'continue' }
/** `{{template "name" pipeline}}`: runs the named template with dot set to the pipeline's value (none without one). */
export interface TemplateNode extends At { kind: 'template'; name: GoString; pipe: PipeNode | undefined }

export type Node = TextNode | ActionNode | IfNode | RangeNode | BreakNode | ContinueNode | TemplateNode;
export type ListNode = readonly Node[];

/** `$x := a | b c`: declarations (or assignments) and the commands. */
export interface PipeNode extends Operand {
  kind: 'pipe';
  decl: readonly VariableNode[];
  isAssign: boolean;
  cmds: readonly CommandNode[];
}

/** A function or method and its arguments, or a single operand. */
export interface CommandNode extends At { args: readonly ArgNode[] }

/** `.a.b` (fields of dot). Field names are Go strings: map keys. */
export interface FieldNode extends Operand { kind: 'field'; fields: readonly GoString[] }
/** `$x.a.b`; `$` is the data the template started with. */
export interface VariableNode extends Operand { kind: 'variable'; name: string; fields: readonly GoString[] }
/** `(pipeline).a.b` */
export interface ChainNode extends Operand { kind: 'chain'; node: ArgNode; fields: readonly GoString[] }
export interface IdentifierNode extends Operand { kind: 'identifier'; name: string }
export interface DotNode extends Operand { kind: 'dot' }
export interface NilNode extends Operand { kind: 'nil' }
export interface BoolNode extends Operand { kind: 'bool'; value: boolean }
export interface StringNode extends Operand { kind: 'string'; text: GoString }

/**
 * A number literal means different things by context, as in Go: `1.0` may be
 * passed where an int is wanted, `3` where a float64 is, and printed alone it
 * is the type its spelling suggests.
 */
export interface NumberNode extends Operand {
  kind: 'number';
  int: bigint | undefined;
  float: number | undefined;
  /** Printed as a float64 (spelled with . e p), else as an int. */
  isFloatSyntax: boolean;
}

export type ArgNode =
  | FieldNode | VariableNode | ChainNode | IdentifierNode | DotNode | NilNode | BoolNode | StringNode | NumberNode | PipeNode;

/**
 * A parsed template, reusable for any number of renders. As in Go, one source
 * makes a set of templates: the main one, named `name`, and one per {{define}}
 * and {{block}}; they see each other and no other source's. `root` is what
 * `name` runs: a {{define}} of the template's own name replaces an empty main body.
 */
export interface Template {
  readonly name: string;
  readonly source: string;
  readonly root: ListNode;
  /** Every template of the set by name (bytes, as Go compares names), the main one included. */
  readonly templates: ReadonlyMap<GoString, ListNode>;
}
