import type { ListNode, Node } from './ast.ts';
import type { GoString } from './bytes.ts';
import { toText } from './bytes.ts';

/**
 * The templates one source defines, by name: the main body, each {{define}} and each
 * {{block}}. Go's rule (parse.Tree.add): a definition replaces one whose body is empty
 * (only spaces and comments), an empty one never replaces a real one, and two real
 * bodies for one name are an error. So `{{define "k"}}...{{end}}` in a template named k
 * whose main body is empty is what k runs.
 */
export class TemplateSet {
  readonly #trees = new Map<GoString, ListNode>();

  /** Adds a body; returns false if the name already has a non-empty body and so has this one. */
  add(name: GoString, root: ListNode): boolean {
    const existing = this.#trees.get(name);
    if (existing === undefined || isEmptyTree(existing)) {
      this.#trees.set(name, root);
      return true;
    }
    return isEmptyTree(root);
  }

  get trees(): ReadonlyMap<GoString, ListNode> {
    return this.#trees;
  }
}

/** unicode.IsSpace, which Go's bytes.TrimSpace trims. */
const goSpace = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;

/** Go's parse.IsEmptyTree: nothing but white space (comments leave no node here). */
function isEmptyTree(list: ListNode): boolean {
  return list.every((node: Node) => node.kind === 'text' && goSpace.test(toText(node.text)));
}
