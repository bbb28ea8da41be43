/**
 * The parser of Go's `text/template/parse`: the same grammar, checks and error texts
 * (`template: <name>:<line>: …`), including `define`/`template`/`block`.
 * @module
 */
import { I, type Item, itemString, Lexer, quoteGo } from "./lex.ts";
import type {
  ArgNode,
  BranchNode,
  ChainNode,
  CommandNode,
  ListNode,
  MarkerNode,
  Node,
  NumberNode,
  PipeNode,
  VariableNode,
} from "./nodes.ts";
import { nodeString } from "./nodes.ts";
import { parseFloatLiteral, parseIntLiteral, unquote, unquoteRune } from "./strconv.ts";

/** A template parse failure; `message` is `template: <name>:<line>: …`, as Go's parser words it. */
export class TemplateParseError extends Error {
  override readonly name: string = "TemplateParseError";
}

/** A parsed template: the named trees (the main one under `name`). */
export interface ParsedTemplate {
  readonly name: string;
  readonly text: string;
  readonly trees: Map<string, ListNode>;
}

/** Go allows 10000 nested parentheses; JavaScript stacks hold about 1000 safely on every runtime. */
const MAX_STACK_DEPTH = 1000;

class Abort {
  readonly err: TemplateParseError;
  constructor(err: TemplateParseError) {
    this.err = err;
  }
}

/** Parses `text` as template `name`; `hasFunction` tells which identifiers are functions. */
export function parseTemplate(name: string, text: string, hasFunction: (name: string) => boolean): ParsedTemplate {
  const trees = new Map<string, ListNode>();
  const p = new Parser(name, text, hasFunction, trees, new Lexer(text));
  try {
    const root = p.parse();
    addTree(p, trees, name, root);
  } catch (e) {
    if (e instanceof Abort) throw e.err;
    throw e;
  }
  return { name, text, trees };
}

function isEmptyTree(n: Node): boolean {
  switch (n.type) {
    case "comment":
      return true;
    case "list":
      return n.nodes.every(isEmptyTree);
    case "text":
      return n.text.trim() === "" || /^[\s]*$/.test(n.text);
    default:
      return false;
  }
}

function addTree(p: Parser, trees: Map<string, ListNode>, name: string, root: ListNode): void {
  const existing = trees.get(name);
  if (existing === undefined || isEmptyTree(existing)) {
    trees.set(name, root);
    return;
  }
  if (!isEmptyTree(root)) p.errorf(`template: multiple definition of template ${quoteGo(name)}`);
}

class Parser {
  readonly parseName: string;
  readonly text: string;
  readonly hasFunction: (name: string) => boolean;
  readonly trees: Map<string, ListNode>;
  readonly lex: Lexer;
  token: Item[] = [EMPTY, EMPTY, EMPTY];
  peekCount = 0;
  vars: string[] = ["$"];
  actionLine = 0;
  rangeDepth = 0;
  stackDepth = 0;

  constructor(
    parseName: string,
    text: string,
    hasFunction: (name: string) => boolean,
    trees: Map<string, ListNode>,
    lex: Lexer,
  ) {
    this.parseName = parseName;
    this.text = text;
    this.hasFunction = hasFunction;
    this.trees = trees;
    this.lex = lex;
  }

  errorf(msg: string): never {
    throw new Abort(new TemplateParseError(`template: ${this.parseName}:${this.token[0]!.line}: ${msg}`));
  }

  next(): Item {
    if (this.peekCount > 0) this.peekCount--;
    else this.token[0] = this.lex.nextItem();
    return this.token[this.peekCount]!;
  }
  backup(): void {
    this.peekCount++;
  }
  backup2(t1: Item): void {
    this.token[1] = t1;
    this.peekCount = 2;
  }
  backup3(t2: Item, t1: Item): void {
    this.token[1] = t1;
    this.token[2] = t2;
    this.peekCount = 3;
  }
  peek(): Item {
    if (this.peekCount > 0) return this.token[this.peekCount - 1]!;
    this.peekCount = 1;
    this.token[0] = this.lex.nextItem();
    return this.token[0];
  }
  nextNonSpace(): Item {
    let t: Item;
    do t = this.next();
    while (t.typ === I.Space);
    return t;
  }
  peekNonSpace(): Item {
    const t = this.nextNonSpace();
    this.backup();
    return t;
  }
  expect(expected: number, context: string): Item {
    const t = this.nextNonSpace();
    if (t.typ !== expected) this.unexpected(t, context);
    return t;
  }
  unexpected(token: Item, context: string): never {
    if (token.typ === I.Error) {
      let extra = "";
      if (this.actionLine !== 0 && this.actionLine !== token.line) {
        extra = ` in action started at ${this.parseName}:${this.actionLine}`;
        if (token.val.endsWith(" action")) extra = extra.slice(" in action".length);
      }
      this.errorf(`${itemString(token)}${extra}`);
    }
    this.errorf(`unexpected ${itemString(token)} in ${context}`);
  }

  parse(): ListNode {
    const root: ListNode = { type: "list", pos: this.peek().pos, nodes: [] };
    while (this.peek().typ !== I.EOF) {
      if (this.peek().typ === I.LeftDelim) {
        const delim = this.next();
        if (this.nextNonSpace().typ === I.Define) {
          this.parseDefinition();
          continue;
        }
        this.backup2(delim);
      }
      const n = this.textOrAction();
      if (n.type === "end" || n.type === "else") this.errorf(`unexpected ${nodeString(n)}`);
      root.nodes.push(n);
    }
    return root;
  }

  parseDefinition(): void {
    const context = "define clause";
    const nameTok = this.nextNonSpace();
    if (nameTok.typ !== I.String && nameTok.typ !== I.RawString) this.unexpected(nameTok, context);
    const name = this.unquoteOrFail(nameTok.val);
    this.expect(I.RightDelim, context);
    const savedVars = this.vars;
    this.vars = ["$"];
    const [list, end] = this.itemList();
    this.vars = savedVars;
    if (end.type !== "end") this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    addTree(this, this.trees, name, list);
  }

  unquoteOrFail(s: string): string {
    try {
      return unquote(s);
    } catch (e) {
      this.errorf((e as Error).message);
    }
  }

  itemList(): [ListNode, Node] {
    const list: ListNode = { type: "list", pos: this.peekNonSpace().pos, nodes: [] };
    while (this.peekNonSpace().typ !== I.EOF) {
      const n = this.textOrAction();
      if (n.type === "end" || n.type === "else") return [list, n];
      list.nodes.push(n);
    }
    this.errorf("unexpected EOF");
  }

  textOrAction(): Node {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case I.Text:
        return { type: "text", pos: token.pos, text: token.val };
      case I.LeftDelim: {
        this.actionLine = token.line;
        try {
          return this.action();
        } finally {
          this.actionLine = 0;
        }
      }
      case I.Comment:
        return { type: "comment", pos: token.pos, text: token.val };
      default:
        this.unexpected(token, "input");
    }
  }

  action(): Node {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case I.Block:
        return this.blockControl();
      case I.Break:
        return this.breakControl(token.pos, "break");
      case I.Continue:
        return this.breakControl(token.pos, "continue");
      case I.Else:
        return this.elseControl();
      case I.End:
        return { type: "end", pos: this.expect(I.RightDelim, "end").pos } satisfies MarkerNode;
      case I.If:
        return this.branch("if");
      case I.Range:
        return this.branch("range");
      case I.Template:
        return this.templateControl();
      case I.With:
        return this.branch("with");
    }
    this.backup();
    const t = this.peek();
    return { type: "action", pos: t.pos, pipe: this.pipeline("command", I.RightDelim) };
  }

  breakControl(pos: number, kind: "break" | "continue"): Node {
    const token = this.nextNonSpace();
    if (token.typ !== I.RightDelim) this.unexpected(token, `{{${kind}}}`);
    if (this.rangeDepth === 0) this.errorf(`{{${kind}}} outside {{range}}`);
    return { type: kind, pos };
  }

  pipeline(context: string, end: number): PipeNode {
    const token = this.peekNonSpace();
    const pipe: PipeNode = { type: "pipe", pos: token.pos, isAssign: false, decl: [], cmds: [] };
    decls: for (;;) {
      const v = this.peekNonSpace();
      if (v.typ === I.Variable) {
        this.next();
        const tokenAfterVariable = this.peek();
        const next = this.peekNonSpace();
        if (next.typ === I.Assign || next.typ === I.Declare) {
          pipe.isAssign = next.typ === I.Assign;
          this.nextNonSpace();
          pipe.decl.push(newVariable(v.pos, v.val));
          this.vars.push(v.val);
        } else if (next.typ === I.Char && next.val === ",") {
          this.nextNonSpace();
          pipe.decl.push(newVariable(v.pos, v.val));
          this.vars.push(v.val);
          if (context === "range" && pipe.decl.length < 2) {
            const pk = this.peekNonSpace().typ;
            if (pk === I.Variable || pk === I.RightDelim || pk === I.RightParen) continue decls;
            this.errorf("range can only initialize variables");
          }
          this.errorf(`too many declarations in ${context}`);
        } else if (tokenAfterVariable.typ === I.Space) {
          this.backup3(v, tokenAfterVariable);
        } else {
          this.backup2(v);
        }
      }
      break;
    }
    for (;;) {
      const token = this.nextNonSpace();
      switch (token.typ) {
        case end:
          this.checkPipeline(pipe, context);
          return pipe;
        case I.Bool:
        case I.CharConstant:
        case I.Complex:
        case I.Dot:
        case I.Field:
        case I.Identifier:
        case I.Number:
        case I.Nil:
        case I.RawString:
        case I.String:
        case I.Variable:
        case I.LeftParen:
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(token, context);
      }
    }
  }

  checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    for (let i = 1; i < pipe.cmds.length; i++) {
      const t = pipe.cmds[i]!.args[0]!.type;
      if (t === "bool" || t === "dot" || t === "nil" || t === "number" || t === "string") {
        this.errorf(`non executable command in pipeline stage ${i + 1}`);
      }
    }
  }

  branch(context: "if" | "range" | "with"): BranchNode {
    const mark = this.vars.length;
    try {
      const pipe = this.pipeline(context, I.RightDelim);
      if (context === "range") this.rangeDepth++;
      let [list, next] = this.itemList();
      if (context === "range") this.rangeDepth--;
      let elseList: ListNode | undefined;
      if (next.type === "else") {
        if (context === "if" && this.peek().typ === I.If) {
          this.next();
          elseList = { type: "list", pos: next.pos, nodes: [this.branch("if")] };
        } else if (context === "with" && this.peek().typ === I.With) {
          this.next();
          elseList = { type: "list", pos: next.pos, nodes: [this.branch("with")] };
        } else {
          [elseList, next] = this.itemList();
          if (next.type !== "end") this.errorf(`expected end; found ${nodeString(next)}`);
        }
      }
      void list;
      return { type: context, pos: pipe.pos, pipe, list, elseList };
    } finally {
      this.vars.length = mark;
    }
  }

  elseControl(): Node {
    const peek = this.peekNonSpace();
    if (peek.typ === I.If || peek.typ === I.With) return { type: "else", pos: peek.pos };
    const token = this.expect(I.RightDelim, "else");
    return { type: "else", pos: token.pos };
  }

  blockControl(): Node {
    const context = "block clause";
    const token = this.nextNonSpace();
    const name = this.templateName(token, context);
    const pipe = this.pipeline(context, I.RightDelim);
    const savedVars = this.vars;
    const savedRange = this.rangeDepth;
    this.vars = ["$"];
    this.rangeDepth = 0;
    const [list, end] = this.itemList();
    this.vars = savedVars;
    this.rangeDepth = savedRange;
    if (end.type !== "end") this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    addTree(this, this.trees, name, list);
    return { type: "template", pos: token.pos, name, pipe };
  }

  templateControl(): Node {
    const context = "template clause";
    const token = this.nextNonSpace();
    const name = this.templateName(token, context);
    let pipe: PipeNode | undefined;
    if (this.nextNonSpace().typ !== I.RightDelim) {
      this.backup();
      pipe = this.pipeline(context, I.RightDelim);
    }
    return { type: "template", pos: token.pos, name, pipe };
  }

  templateName(token: Item, context: string): string {
    if (token.typ === I.String || token.typ === I.RawString) return this.unquoteOrFail(token.val);
    this.unexpected(token, context);
  }

  command(): CommandNode {
    const cmd: CommandNode = { type: "command", pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand !== undefined) cmd.args.push(operand);
      const token = this.next();
      if (token.typ === I.Space) continue;
      if (token.typ === I.RightDelim || token.typ === I.RightParen) this.backup();
      else if (token.typ !== I.Pipe) this.unexpected(token, "operand");
      break;
    }
    if (cmd.args.length === 0) this.errorf("empty command");
    return cmd;
  }

  operand(): ArgNode | undefined {
    let node = this.term();
    if (node === undefined) return undefined;
    if (this.peek().typ === I.Field) {
      const chain: ChainNode = { type: "chain", pos: this.peek().pos, node, field: [] };
      while (this.peek().typ === I.Field) chain.field.push(this.next().val.slice(1));
      switch (node.type) {
        case "field":
          node = { type: "field", pos: chain.pos, ident: nodeString(chain).split(".").slice(1) };
          break;
        case "variable":
          node = newVariable(chain.pos, nodeString(chain));
          break;
        case "bool":
        case "string":
        case "number":
        case "nil":
        case "dot":
          this.errorf(`unexpected . after term ${quoteGo(nodeString(node))}`);
        // falls through (unreachable)
        default:
          node = chain;
      }
    }
    return node;
  }

  term(): ArgNode | undefined {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case I.Identifier:
        if (!this.hasFunction(token.val)) this.errorf(`function ${quoteGo(token.val)} not defined`);
        return { type: "identifier", pos: token.pos, ident: token.val };
      case I.Dot:
        return { type: "dot", pos: token.pos };
      case I.Nil:
        return { type: "nil", pos: token.pos };
      case I.Variable:
        return this.useVar(token.pos, token.val);
      case I.Field:
        return { type: "field", pos: token.pos, ident: token.val.split(".").slice(1) };
      case I.Bool:
        return { type: "bool", pos: token.pos, value: token.val === "true" };
      case I.CharConstant:
      case I.Complex:
      case I.Number:
        return this.newNumber(token.pos, token.val, token.typ);
      case I.LeftParen: {
        if (this.stackDepth >= MAX_STACK_DEPTH) this.errorf("max expression depth exceeded");
        this.stackDepth++;
        try {
          return this.pipeline("parenthesized pipeline", I.RightParen);
        } finally {
          this.stackDepth--;
        }
      }
      case I.String:
      case I.RawString:
        return { type: "string", pos: token.pos, quoted: token.val, text: this.unquoteOrFail(token.val) };
    }
    this.backup();
    return undefined;
  }

  useVar(pos: number, name: string): VariableNode {
    const v = newVariable(pos, name);
    if (this.vars.includes(v.ident[0]!)) return v;
    this.errorf(`undefined variable ${quoteGo(v.ident[0]!)}`);
  }

  newNumber(pos: number, text: string, typ: number): NumberNode {
    const base = {
      type: "number" as const,
      pos,
      text,
      isInt: false,
      isUint: false,
      isFloat: false,
      isComplex: false,
      int64: 0n,
      uint64: 0n,
      float64: 0,
      real: 0,
      imag: 0,
    };
    if (typ === I.CharConstant) {
      let r: number;
      try {
        r = unquoteRune(text);
      } catch (e) {
        this.errorf((e as Error).message);
      }
      return { ...base, isInt: true, isUint: true, isFloat: true, int64: BigInt(r), uint64: BigInt(r), float64: r };
    }
    if (typ === I.Complex) {
      const m = /^([+-]?[^+-]*?(?:[eEpP][+-]?[^+-]*)?)([+-].*)i$/.exec(text);
      const re = m ? parseFloatLiteral(m[1]!) : undefined;
      const im = m ? parseFloatLiteral(m[2]!) : undefined;
      if (re === undefined || im === undefined) this.errorf(`expected integer`);
      return simplifyComplex({ ...base, isComplex: true, real: re, imag: im });
    }
    if (text.endsWith("i")) {
      const f = parseFloatLiteral(text.slice(0, -1));
      if (f !== undefined) return simplifyComplex({ ...base, isComplex: true, real: 0, imag: f });
    }
    const n = { ...base };
    const iv = parseIntLiteral(text);
    if (iv !== undefined) {
      if (iv >= 0n && iv <= 0xffffffffffffffffn) {
        n.isUint = true;
        n.uint64 = iv;
      }
      if (iv >= -(1n << 63n) && iv < 1n << 63n) {
        n.isInt = true;
        n.int64 = iv;
        if (iv === 0n) {
          n.isUint = true;
          n.uint64 = 0n;
        }
      }
    }
    if (n.isInt) {
      n.isFloat = true;
      n.float64 = Number(n.int64);
    } else if (n.isUint) {
      n.isFloat = true;
      n.float64 = Number(n.uint64);
    } else {
      const f = parseFloatLiteral(text);
      if (f !== undefined) {
        if (!/[.eEpP]/.test(text)) this.errorf(`integer overflow: ${quoteGo(text)}`);
        n.isFloat = true;
        n.float64 = f;
        if (Number.isFinite(f) && Number.isInteger(f)) {
          if (f >= -(2 ** 63) && f < 2 ** 63) {
            n.isInt = true;
            n.int64 = BigInt(f);
          }
          if (f >= 0 && f < 2 ** 64) {
            n.isUint = true;
            n.uint64 = BigInt(f);
          }
        }
      }
    }
    if (!n.isInt && !n.isUint && !n.isFloat) this.errorf(`illegal number syntax: ${quoteGo(text)}`);
    return n;
  }
}

function simplifyComplex(n: NumberNode): NumberNode {
  if (n.imag !== 0) return n;
  const f = n.real;
  const isInt = Number.isInteger(f) && f >= -(2 ** 63) && f < 2 ** 63;
  const isUint = Number.isInteger(f) && f >= 0 && f < 2 ** 64;
  return {
    ...n,
    isFloat: true,
    float64: f,
    isInt,
    int64: isInt ? BigInt(f) : 0n,
    isUint,
    uint64: isUint ? BigInt(f) : 0n,
  };
}

const EMPTY: Item = { typ: I.EOF, pos: 0, val: "", line: 0 };

function newVariable(pos: number, ident: string): VariableNode {
  return { type: "variable", pos, ident: ident.split(".") };
}

const ENCODER = new TextEncoder();

/** Go's `ErrorContext`: `name:line:col` (col in bytes) and the node's text. */
export function errorContext(name: string, text: string, n: Node): [string, string] {
  const before = text.slice(0, n.pos);
  const nl = before.lastIndexOf("\n");
  const lineNum = 1 + before.split("\n").length - 1;
  const col = nl === -1 ? ENCODER.encode(before).length : ENCODER.encode(before.slice(nl + 1)).length;
  return [`${name}:${lineNum}:${col}`, nodeString(n)];
}
