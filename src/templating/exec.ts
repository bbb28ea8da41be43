/**
 * The executor of Go's `text/template` over this package's value model, with `missingkey=zero`,
 * Go's error texts and positions, and checks for time and output limits.
 * Every step counts as work on the call's meter (which checks the deadline), and every value a
 * function builds counts against its memory budget.
 * @module
 */

import { compareCodePoints } from "../json/go-json.ts";
import { shallowSize } from "./budget.ts";
import { TemplateLimitError } from "./errors.ts";
import { formatV } from "./fmt.ts";
import {
  type CallContext,
  FuncError,
  type FuncMap,
  type GoFunc,
  PARAM_TYPE_NAME,
  type ParamType,
} from "./func-types.ts";
import { callMethod, hasMethod } from "./methods.ts";
import type {
  ArgNode,
  ChainNode,
  CommandNode,
  FieldNode,
  IdentifierNode,
  ListNode,
  Node,
  NumberNode,
  PipeNode,
  VariableNode,
} from "./nodes.ts";
import { nodeString } from "./nodes.ts";
import { errorContext, type ParsedTemplate } from "./parse.ts";
import {
  GoComplex,
  GoError,
  GoInt,
  GoMap,
  type GoSlice,
  GoTime,
  GoVersion,
  hasKey,
  isObject,
  sliceItems,
  typeName,
} from "./values.ts";

/** An execution error (`template: name:line:col: executing "name" at <node>: …`). */
export class TemplateExecError extends Error {
  override readonly name: string = "TemplateExecError";
  /** The function error that caused it, if any (for `instanceof` checks on BubuStack errors). */
  readonly inner: unknown;
  constructor(message: string, inner?: unknown) {
    super(message);
    this.inner = inner;
  }
}

/** Raised by the writer or the clock; propagates unwrapped, like Go's `writeError`. */
export class TemplateWriteError extends Error {
  override readonly name: string = "TemplateWriteError";
  readonly kind: "output" | "timeout" | "canceled";
  constructor(message: string, kind: "output" | "timeout" | "canceled") {
    super(message);
    this.kind = kind;
  }
}

/** Where output goes; `write` throws {@link TemplateWriteError} to stop execution. */
export interface TemplateWriter {
  write(s: string): void;
}

/** Execution options. */
export interface ExecOptions {
  readonly funcs: FuncMap;
  /** The call context; its meter's deadline check throws {@link TemplateWriteError} to stop. */
  readonly ctx: CallContext;
}

const MISSING: unique symbol = Symbol("missing");
type Final = unknown | typeof MISSING;

/** A value with Go's interface-kind flag (values read out of `map[string]interface {}`). */
interface RV {
  readonly v: unknown;
  readonly iface: boolean;
}

interface Variable {
  name: string;
  value: RV;
}

class BreakSignal {}
class ContinueSignal {}
const BREAK = new BreakSignal();
const CONTINUE = new ContinueSignal();

const MAX_EXEC_DEPTH = 1000;

/** Executes the main tree of `tmpl` with `data` as dot. */
export function execute(tmpl: ParsedTemplate, data: unknown, out: TemplateWriter, opts: ExecOptions): void {
  const root = tmpl.trees.get(tmpl.name);
  const s = new State(tmpl, tmpl.name, out, opts, [{ name: "$", value: { v: data, iface: false } }], 0);
  if (root === undefined) return s.errorf(`${JSON.stringify(tmpl.name)} is an incomplete or empty template`);
  s.walk({ v: data, iface: false }, root);
}

class State {
  readonly tmpl: ParsedTemplate;
  /** The template being executed (a `define`d one inside `{{template}}`). */
  readonly name: string;
  readonly out: TemplateWriter;
  readonly opts: ExecOptions;
  vars: Variable[];
  node: Node | undefined;
  readonly depth: number;

  constructor(
    tmpl: ParsedTemplate,
    name: string,
    out: TemplateWriter,
    opts: ExecOptions,
    vars: Variable[],
    depth: number,
  ) {
    this.tmpl = tmpl;
    this.name = name;
    this.out = out;
    this.opts = opts;
    this.vars = vars;
    this.depth = depth;
  }

  at(n: Node): void {
    this.node = n;
  }

  tick(): void {
    this.opts.ctx.meter.work();
  }

  errorf(msg: string, inner?: unknown): never {
    const name = this.name;
    if (this.node === undefined) throw new TemplateExecError(`template: ${name}: ${msg}`, inner);
    const [location, context] = errorContext(this.tmpl.name, this.tmpl.text, this.node);
    throw new TemplateExecError(
      `template: ${location}: executing ${JSON.stringify(name)} at <${context}>: ${msg}`,
      inner,
    );
  }

  push(name: string, value: RV): void {
    this.vars.push({ name, value });
  }
  mark(): number {
    return this.vars.length;
  }
  pop(mark: number): void {
    this.vars.length = mark;
  }
  setVar(name: string, value: RV): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }
  setTopVar(n: number, value: RV): void {
    this.vars[this.vars.length - n]!.value = value;
  }
  varValue(name: string): RV {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!.value;
    this.errorf(`undefined variable: ${name}`);
  }

  write(s: string): void {
    this.out.write(s);
  }

  walk(dot: RV, node: Node): void {
    this.at(node);
    this.tick();
    switch (node.type) {
      case "action": {
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case "break":
        throw BREAK;
      case "continue":
        throw CONTINUE;
      case "comment":
        return;
      case "if":
      case "with":
        return this.walkIfOrWith(node.type, dot, node.pipe, node.list, node.elseList);
      case "list":
        for (const n of node.nodes) this.walk(dot, n);
        return;
      case "range":
        return this.walkRange(dot, node.pipe, node.list, node.elseList, node);
      case "template":
        return this.walkTemplate(dot, node.name, node.pipe, node);
      case "text":
        this.write(node.text);
        return;
      default:
        this.errorf(`unknown node: ${nodeString(node)}`);
    }
  }

  walkIfOrWith(typ: "if" | "with", dot: RV, pipe: PipeNode, list: ListNode, elseList: ListNode | undefined): void {
    const mark = this.mark();
    try {
      const val = this.evalPipeline(dot, pipe);
      const [truth, ok] = isTrue(val);
      if (!ok) this.errorf(`if/with can't use ${this.show(val)}`);
      if (truth) {
        if (typ === "with") this.walk({ v: val, iface: false }, list);
        else this.walk(dot, list);
      } else if (elseList !== undefined) this.walk(dot, elseList);
    } finally {
      this.pop(mark);
    }
  }

  walkRange(dot: RV, pipe: PipeNode, list: ListNode, elseList: ListNode | undefined, node: Node): void {
    this.at(node);
    const outerMark = this.mark();
    try {
      const val = this.evalPipeline(dot, pipe);
      const mark = this.mark();
      const oneIteration = (index: RV | undefined, elem: RV): void => {
        if (pipe.decl.length > 0) {
          if (pipe.isAssign) {
            if (pipe.decl.length > 1) this.setVar(pipe.decl[0]!.ident[0]!, index ?? { v: undefined, iface: false });
            else this.setVar(pipe.decl[0]!.ident[0]!, elem);
          } else this.setTopVar(1, elem);
        }
        if (pipe.decl.length > 1) {
          if (pipe.isAssign) this.setVar(pipe.decl[1]!.ident[0]!, elem);
          else this.setTopVar(2, index ?? { v: undefined, iface: false });
        }
        try {
          this.walk(elem, list);
        } catch (e) {
          if (e !== CONTINUE) throw e;
        } finally {
          this.pop(mark);
        }
      };
      let ran = false;
      try {
        if (val instanceof GoInt) {
          if (pipe.decl.length > 1) this.errorf(`can't use ${this.show(val)} to iterate over more than one variable`);
          for (let i = 0n; i < val.v; i++) {
            ran = true;
            this.tick();
            oneIteration(undefined, { v: new GoInt(val.kind, i), iface: false });
          }
        } else if (val === undefined || val === null) {
          // An invalid value acts like an empty map.
        } else {
          const items = sliceItems(val);
          if (items !== undefined) {
            const iface = Array.isArray(val) || (val as GoSlice).elem === "interface {}";
            for (let i = 0; i < items.length; i++) {
              ran = true;
              oneIteration({ v: new GoInt("int", BigInt(i)), iface: false }, { v: items[i], iface });
            }
          } else if (isObject(val) || val instanceof GoMap) {
            const entries: [string, unknown][] = val instanceof GoMap ? [...val.entries] : Object.entries(val);
            entries.sort((a, b) => compareCodePoints(a[0], b[0]));
            const iface = isObject(val);
            for (const [k, v] of entries) {
              ran = true;
              oneIteration({ v: k, iface: false }, { v, iface });
            }
          } else {
            this.errorf(`range can't iterate over ${this.show(val)}`);
          }
        }
      } catch (e) {
        if (e !== BREAK) throw e;
        return;
      }
      if (ran) return;
      if (elseList !== undefined) this.walk(dot, elseList);
    } finally {
      this.pop(outerMark);
    }
  }

  walkTemplate(dot: RV, name: string, pipe: PipeNode | undefined, node: Node): void {
    this.at(node);
    const tree = this.tmpl.trees.get(name);
    if (tree === undefined) this.errorf(`template ${JSON.stringify(name)} not defined`);
    if (this.depth === MAX_EXEC_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    const d = pipe === undefined ? undefined : this.evalPipeline(dot, pipe);
    const nd: RV = pipe === undefined ? { v: undefined, iface: false } : { v: d, iface: false };
    const s = new State(this.tmpl, name, this.out, this.opts, [{ name: "$", value: nd }], this.depth + 1);
    s.walk(nd, tree);
  }

  /** Returns the pipeline's value with one interface level removed (`undefined` for nil). */
  evalPipeline(dot: RV, pipe: PipeNode): unknown {
    this.at(pipe);
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) {
      const r = this.evalCommand(dot, cmd, value);
      value = r.v === null ? undefined : r.v;
    }
    const result = value === MISSING ? undefined : value;
    for (const variable of pipe.decl) {
      if (pipe.isAssign) this.setVar(variable.ident[0]!, { v: result, iface: false });
      else this.push(variable.ident[0]!, { v: result, iface: false });
    }
    return result;
  }

  notAFunction(args: readonly ArgNode[], final: Final): void {
    if (args.length > 1 || final !== MISSING)
      this.errorf(`can't give argument to non-function ${nodeString(args[0]!)}`);
  }

  evalCommand(dot: RV, cmd: CommandNode, final: Final): RV {
    const first = cmd.args[0]!;
    switch (first.type) {
      case "field":
        return this.evalFieldNode(dot, first, cmd.args, final);
      case "chain":
        return this.evalChainNode(dot, first, cmd.args, final);
      case "identifier":
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case "pipe":
        this.notAFunction(cmd.args, final);
        return { v: this.evalPipeline(dot, first), iface: false };
      case "variable":
        return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case "bool":
        return { v: first.value, iface: false };
      case "dot":
        return dot;
      case "nil":
        this.errorf("nil is not a command");
      // falls through (unreachable)
      case "number":
        return { v: this.idealConstant(first), iface: false };
      case "string":
        return { v: first.text, iface: false };
    }
    this.errorf(`can't evaluate command ${JSON.stringify(nodeString(first))}`);
  }

  idealConstant(c: NumberNode): unknown {
    this.at(c);
    if (c.isComplex) return new GoComplex(c.real, c.imag);
    const isHex =
      c.text.length > 2 && c.text[0] === "0" && (c.text[1] === "x" || c.text[1] === "X") && !/[pP]/.test(c.text);
    const isRune = c.text[0] === "'";
    if (c.isFloat && !isHex && !isRune && /[.eEpP]/.test(c.text)) return c.float64;
    if (c.isInt) return new GoInt("int", c.int64);
    if (c.isUint) this.errorf(`${c.text} overflows int`);
    return undefined;
  }

  evalFieldNode(dot: RV, field: FieldNode, args: readonly ArgNode[], final: Final): RV {
    this.at(field);
    return this.evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  evalChainNode(dot: RV, chain: ChainNode, args: readonly ArgNode[], final: Final): RV {
    this.at(chain);
    if (chain.field.length === 0) this.errorf("internal error: no fields in evalChainNode");
    if (chain.node.type === "nil") this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const pipe = this.evalArg(dot, "any", chain.node);
    return this.evalFieldChain(dot, pipe, chain, chain.field, args, final);
  }

  evalVariableNode(dot: RV, variable: VariableNode, args: readonly ArgNode[], final: Final): RV {
    this.at(variable);
    const value = this.varValue(variable.ident[0]!);
    if (variable.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, variable, variable.ident.slice(1), args, final);
  }

  evalFieldChain(
    dot: RV,
    receiver: RV,
    node: Node,
    ident: readonly string[],
    args: readonly ArgNode[],
    final: Final,
  ): RV {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++) receiver = this.evalField(dot, ident[i]!, node, [], MISSING, receiver);
    return this.evalField(dot, ident[n - 1]!, node, args, final, receiver);
  }

  evalField(dot: RV, fieldName: string, node: Node, args: readonly ArgNode[], final: Final, receiver: RV): RV {
    const rv = receiver.v;
    if (rv === undefined) return { v: undefined, iface: false };
    const typ = receiver.iface ? "interface {}" : typeName(rv);
    if (rv === null) this.errorf(`nil pointer evaluating ${typ}.${fieldName}`);
    if (hasMethod(rv, fieldName)) {
      return { v: this.evalMethod(dot, rv, fieldName, node, args, final), iface: false };
    }
    const hasArgs = args.length > 1 || final !== MISSING;
    if (isObject(rv)) {
      if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
      return { v: hasKey(rv, fieldName) ? rv[fieldName] : null, iface: true };
    }
    if (rv instanceof GoMap) {
      if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
      return { v: rv.entries.has(fieldName) ? rv.entries.get(fieldName) : "", iface: false };
    }
    this.errorf(`can't evaluate field ${fieldName} in type ${typ}`);
  }

  evalMethod(dot: RV, recv: unknown, name: string, node: Node, args: readonly ArgNode[], final: Final): unknown {
    const fn = callMethod(recv, name);
    return this.evalCall(dot, fn, node, name, args, final);
  }

  evalFunction(dot: RV, node: IdentifierNode, cmd: Node, args: readonly ArgNode[], final: Final): RV {
    this.at(node);
    const fn = this.opts.funcs.get(node.ident);
    if (fn === undefined) this.errorf(`${JSON.stringify(node.ident)} is not a defined function`);
    const v = this.evalCall(dot, fn, cmd, node.ident, args, final);
    return { v, iface: fn.iface === true && v === null };
  }

  evalCall(dot: RV, fn: GoFunc, node: Node, name: string, argNodes: readonly ArgNode[], final: Final): unknown {
    const args = argNodes.slice(1);
    let numIn = args.length;
    if (final !== MISSING) numIn++;
    const nparams = fn.params.length + (fn.variadic !== undefined ? 1 : 0);
    let numFixed = args.length;
    if (fn.variadic !== undefined) {
      numFixed = fn.params.length;
      if (numIn < numFixed) {
        this.errorf(`wrong number of args for ${name}: want at least ${fn.params.length} got ${args.length}`);
      }
    } else if (numIn !== nparams) {
      this.errorf(`wrong number of args for ${name}: want ${nparams} got ${numIn}`);
    }
    if (fn.special === "and" || fn.special === "or") {
      let v: unknown = undefined;
      for (const arg of args) {
        v = this.evalArg(dot, "value", arg).v;
        if (isTrue(v === null ? undefined : v)[0] === (fn.special === "or")) return v;
      }
      if (final !== MISSING) v = this.validateType(final, "value");
      return v;
    }
    const argv: unknown[] = [];
    let i = 0;
    for (; i < numFixed && i < args.length; i++) argv.push(this.evalArg(dot, fn.params[i]!, args[i]!).v);
    if (fn.variadic !== undefined) {
      for (; i < args.length; i++) argv.push(this.evalArg(dot, fn.variadic, args[i]!).v);
    }
    if (final !== MISSING) {
      let t: ParamType;
      if (fn.variadic !== undefined) t = numIn - 1 < numFixed ? fn.params[numIn - 1]! : fn.variadic;
      else t = fn.params[fn.params.length - 1]!;
      argv.push(this.validateType(final, t));
    }
    if (fn.special === "call") {
      const callee = args.length === 0 ? this.show(final) : nodeString(args[0]!);
      return this.builtinCall(callee, argv, node, name);
    }
    let result: unknown;
    try {
      result = fn.call(argv, this.opts.ctx);
      // A new value counts against the memory budget (its parts were counted when built).
      if (fn.passThrough !== true && !argv.includes(result)) this.opts.ctx.meter.alloc(shallowSize(result));
    } catch (e) {
      if (e instanceof TemplateWriteError || e instanceof TemplateExecError) throw e;
      this.at(node);
      if (e instanceof FuncError) this.errorf(`error calling ${name}: ${e.message}`, e.inner ?? e);
      if (e instanceof RangeError) throw e;
      this.errorf(`error calling ${name}: ${(e as Error).message}`, e);
    }
    return result;
  }

  /** `%v` of a value, within the per-value limit (errors quote values; a list may hold a lot). */
  show(v: unknown): string {
    return formatV(v, this.opts.ctx.meter);
  }

  builtinCall(callee: string, argv: unknown[], node: Node, name: string): never {
    const fnv = argv[0];
    this.at(node);
    if (fnv === undefined || fnv === null) this.errorf(`error calling ${name}: call of nil`);
    this.errorf(`error calling ${name}: non-function ${callee} of type ${typeName(fnv)}`);
  }

  /** Go `validateType` for a value computed at run time. */
  validateType(value: unknown, t: ParamType): unknown {
    if (value === undefined || value === MISSING) {
      if (t === "any" || t === "map") return null;
      if (t === "value") return undefined;
      this.errorf(`invalid value; expected ${PARAM_TYPE_NAME[t]}`);
    }
    if (t === "any" || t === "value") return value;
    if (assignable(value, t)) return value;
    const got = value === null ? "interface {}" : typeName(value);
    this.errorf(`wrong type for value; expected ${PARAM_TYPE_NAME[t]}; got ${got}`);
  }

  evalArg(dot: RV, t: ParamType, n: ArgNode): RV {
    this.at(n);
    switch (n.type) {
      case "dot":
        return this.typed(dot, t);
      case "nil":
        if (t === "any" || t === "map" || t === "value") return { v: t === "value" ? null : null, iface: true };
        this.errorf(`cannot assign nil to ${PARAM_TYPE_NAME[t]}`);
      // falls through (unreachable)
      case "field":
        return this.typed(this.evalFieldNode(dot, n, [n], MISSING), t);
      case "variable":
        return this.typed(this.evalVariableNode(dot, n, [], MISSING), t);
      case "pipe":
        return { v: this.validateType(this.evalPipeline(dot, n), t), iface: false };
      case "identifier":
        return this.typed(this.evalFunction(dot, n, n, [], MISSING), t);
      case "chain":
        return this.typed(this.evalChainNode(dot, n, [], MISSING), t);
    }
    switch (t) {
      case "bool":
        if (n.type === "bool") return { v: n.value, iface: false };
        this.errorf(`expected bool; found ${nodeString(n)}`);
      // falls through (unreachable)
      case "float64":
        if (n.type === "number" && n.isFloat && !n.isComplex) return { v: n.float64, iface: false };
        if (n.type === "number" && n.isComplex && n.isFloat) return { v: n.float64, iface: false };
        this.errorf(`expected float; found ${nodeString(n)}`);
      // falls through (unreachable)
      case "int":
      case "int64":
        if (n.type === "number" && n.isInt) return { v: new GoInt(t, n.int64), iface: false };
        this.errorf(`expected integer; found ${nodeString(n)}`);
      // falls through (unreachable)
      case "any":
      case "value":
        return { v: this.evalEmptyInterface(dot, n), iface: false };
      case "string":
        if (n.type === "string") return { v: n.text, iface: false };
        this.errorf(`expected string; found ${nodeString(n)}`);
    }
    this.errorf(`can't handle ${nodeString(n)} for arg of type ${PARAM_TYPE_NAME[t]}`);
  }

  /** `validateType` on a reflect-like value: interface values are unwrapped when non-nil. */
  typed(r: RV, t: ParamType): RV {
    if (t === "value") return r;
    if (r.v === undefined) return { v: this.validateType(undefined, t), iface: false };
    if (t === "any") return r;
    if (r.v === null) {
      if (t === "map") this.errorf(`wrong type for value; expected ${PARAM_TYPE_NAME[t]}; got interface {}`);
      this.errorf(`wrong type for value; expected ${PARAM_TYPE_NAME[t]}; got interface {}`);
    }
    return { v: this.validateType(r.v, t), iface: false };
  }

  evalEmptyInterface(_dot: RV, n: ArgNode): unknown {
    this.at(n);
    switch (n.type) {
      case "bool":
        return n.value;
      case "number":
        return this.idealConstant(n);
      case "string":
        return n.text;
    }
    this.errorf(`can't handle assignment of ${nodeString(n)} to empty interface argument`);
  }

  printValue(n: Node, v: unknown): void {
    this.at(n);
    let text: string;
    try {
      text = v === undefined || v === null ? "<no value>" : this.show(v);
    } catch (e) {
      if (e instanceof TemplateLimitError) this.errorf(e.message, e);
      throw e;
    }
    this.write(text);
  }
}

function assignable(v: unknown, t: ParamType): boolean {
  switch (t) {
    case "string":
      return typeof v === "string";
    case "bool":
      return typeof v === "boolean";
    case "float64":
      return typeof v === "number";
    case "int":
    case "int64":
      return v instanceof GoInt && v.kind === t;
    case "time":
      return v instanceof GoTime;
    case "map":
      return isObject(v);
    default:
      return true;
  }
}

/** Go `isTrue` (after removing one interface level). */
export function isTrue(v: unknown): [boolean, boolean] {
  if (v === undefined || v === null) return [false, true];
  switch (typeof v) {
    case "string":
      return [v.length > 0, true];
    case "boolean":
      return [v, true];
    case "number":
      return [v !== 0, true];
  }
  if (v instanceof GoInt) return [v.v !== 0n, true];
  if (v instanceof GoComplex) return [v.re !== 0 || v.im !== 0, true];
  const items = sliceItems(v);
  if (items !== undefined) return [items.length > 0, true];
  if (v instanceof GoMap) return [v.entries.size > 0, true];
  if (isObject(v)) return [Object.keys(v).length > 0, true];
  if (v instanceof GoTime || v instanceof GoVersion || v instanceof GoError) return [true, true];
  return [false, false];
}
