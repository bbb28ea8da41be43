/**
 * The parse tree of Go's `text/template/parse`, with Go's `String()` forms (they appear in
 * execution error messages as `at <…>`).
 * @module
 */

/** A parsed numeric constant (Go `NumberNode`). */
export interface NumberNode {
  readonly type: "number";
  readonly pos: number;
  readonly text: string;
  readonly isInt: boolean;
  readonly isUint: boolean;
  readonly isFloat: boolean;
  readonly isComplex: boolean;
  readonly int64: bigint;
  readonly uint64: bigint;
  readonly float64: number;
  /** Real and imaginary parts of a complex constant. */
  readonly real: number;
  readonly imag: number;
}

export interface TextNode {
  readonly type: "text";
  readonly pos: number;
  readonly text: string;
}
export interface CommentNode {
  readonly type: "comment";
  readonly pos: number;
  readonly text: string;
}
export interface BoolNode {
  readonly type: "bool";
  readonly pos: number;
  readonly value: boolean;
}
export interface StringNode {
  readonly type: "string";
  readonly pos: number;
  readonly quoted: string;
  readonly text: string;
}
export interface DotNode {
  readonly type: "dot";
  readonly pos: number;
}
export interface NilNode {
  readonly type: "nil";
  readonly pos: number;
}
export interface FieldNode {
  readonly type: "field";
  readonly pos: number;
  readonly ident: readonly string[];
}
export interface VariableNode {
  readonly type: "variable";
  readonly pos: number;
  readonly ident: readonly string[];
}
export interface IdentifierNode {
  readonly type: "identifier";
  readonly pos: number;
  readonly ident: string;
}
export interface ChainNode {
  readonly type: "chain";
  readonly pos: number;
  readonly node: ArgNode;
  readonly field: string[];
}
export interface CommandNode {
  readonly type: "command";
  readonly pos: number;
  readonly args: ArgNode[];
}
export interface PipeNode {
  readonly type: "pipe";
  readonly pos: number;
  isAssign: boolean;
  readonly decl: VariableNode[];
  readonly cmds: CommandNode[];
}
export interface ActionNode {
  readonly type: "action";
  readonly pos: number;
  readonly pipe: PipeNode;
}
export interface BranchNode {
  readonly type: "if" | "range" | "with";
  readonly pos: number;
  readonly pipe: PipeNode;
  readonly list: ListNode;
  readonly elseList: ListNode | undefined;
}
export interface TemplateNode {
  readonly type: "template";
  readonly pos: number;
  readonly name: string;
  readonly pipe: PipeNode | undefined;
}
export interface BreakNode {
  readonly type: "break" | "continue";
  readonly pos: number;
}
export interface ListNode {
  readonly type: "list";
  readonly pos: number;
  readonly nodes: Node[];
}
/** `{{end}}` and `{{else}}` markers; never left in a tree. */
export interface MarkerNode {
  readonly type: "end" | "else";
  readonly pos: number;
}

/** A node that can appear as a command argument. */
export type ArgNode =
  | BoolNode
  | StringNode
  | DotNode
  | NilNode
  | FieldNode
  | VariableNode
  | IdentifierNode
  | ChainNode
  | PipeNode
  | NumberNode;

/** Any tree node. */
export type Node =
  | ArgNode
  | TextNode
  | CommentNode
  | CommandNode
  | ActionNode
  | BranchNode
  | TemplateNode
  | BreakNode
  | ListNode
  | MarkerNode;

/** Go's `Node.String()`. */
export function nodeString(n: Node): string {
  switch (n.type) {
    case "text":
      return n.text;
    case "comment":
      return `{{${n.text}}}`;
    case "bool":
      return n.value ? "true" : "false";
    case "string":
      return n.quoted;
    case "number":
      return n.text;
    case "dot":
      return ".";
    case "nil":
      return "nil";
    case "field":
      return n.ident.map((id) => `.${id}`).join("");
    case "variable":
      return n.ident.join(".");
    case "identifier":
      return n.ident;
    case "chain": {
      const head = n.node.type === "pipe" ? `(${nodeString(n.node)})` : nodeString(n.node);
      return head + n.field.map((f) => `.${f}`).join("");
    }
    case "command":
      return n.args.map((a) => (a.type === "pipe" ? `(${nodeString(a)})` : nodeString(a))).join(" ");
    case "pipe": {
      let s = "";
      if (n.decl.length > 0) {
        s = n.decl.map(nodeString).join(", ") + (n.isAssign ? " = " : " := ");
      }
      return s + n.cmds.map(nodeString).join(" | ");
    }
    case "action":
      return `{{${nodeString(n.pipe)}}}`;
    case "if":
    case "range":
    case "with": {
      let s = `{{${n.type} ${nodeString(n.pipe)}}}${nodeString(n.list)}`;
      if (n.elseList !== undefined) s += `{{else}}${nodeString(n.elseList)}`;
      return `${s}{{end}}`;
    }
    case "template":
      return n.pipe === undefined
        ? `{{template ${quoteName(n.name)}}}`
        : `{{template ${quoteName(n.name)} ${nodeString(n.pipe)}}}`;
    case "break":
      return "{{break}}";
    case "continue":
      return "{{continue}}";
    case "list":
      return n.nodes.map(nodeString).join("");
    case "end":
      return "{{end}}";
    case "else":
      return "{{else}}";
  }
}

function quoteName(s: string): string {
  return JSON.stringify(s);
}
