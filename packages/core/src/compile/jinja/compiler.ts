/*
 * nunjucks' parser and compiler, changed where Jinja means something else:
 * - `{% for %}`: each iteration is a fresh scope, so a `set` inside the loop does not leak out
 *   (nor into the next iteration); `for x in xs if cond` filters; a dict walks its keys; `loop`
 *   is Jinja's loop object.
 * - `{% set ns.attr = … %}` assigns a namespace attribute; `{% do expr %}` evaluates and prints nothing.
 * - macros catch `return(value)` and return that value; errors remember the macro's file and line.
 * - `if`/`and`/`or`/`not` use Python truthiness; `==` compares by value; `+ - * / // % ~` follow
 *   Python; `(a, b)` is a tuple; `x[1:-1]` slices; `True`/`False`/`None` are constants;
 *   `{name: v}` keys a dict by the variable's value.
 * Everything else compiles as in nunjucks. The generated code calls `runtime.*` (see runtime.ts).
 */
import type { Environment } from 'nunjucks';
import { type Any, Compiler as BaseCompiler, Frame, lexer, nodes, Parser as BaseParser } from './nunjucksInternals.js';

const Do: Any = nodes.Node.extend('Do', { fields: ['expr'] });
const SliceLookup: Any = nodes.Node.extend('SliceLookup', { fields: ['target', 'start', 'stop', 'step'] });
const Truthy: Any = nodes.Node.extend('Truthy', { fields: ['expr'] });
const Tuple: Any = nodes.NodeList.extend('Tuple');
/** Generated JS (an already computed value), for rewrites inside the compiler. */
const RawJs: Any = nodes.Node.extend('RawJs', { fields: ['code'] });

const OPENERS = new Set([lexer.TOKEN_LEFT_PAREN, lexer.TOKEN_LEFT_BRACKET, lexer.TOKEN_LEFT_CURLY]);
const CLOSERS = new Set([lexer.TOKEN_RIGHT_PAREN, lexer.TOKEN_RIGHT_BRACKET, lexer.TOKEN_RIGHT_CURLY]);
/** Tokens that may start a test's argument written without parentheses (`x is divisibleby 3`). */
const TEST_ARG_START = new Set([lexer.TOKEN_SYMBOL, lexer.TOKEN_STRING, lexer.TOKEN_INT, lexer.TOKEN_FLOAT, lexer.TOKEN_BOOLEAN, lexer.TOKEN_NONE, ...OPENERS]);
const NOT_A_TEST_ARG = new Set(['else', 'or', 'and', 'if', 'is', 'in', 'not']);

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', "'": "'", '"': '"', '\n': '' };

/** A string literal with Python's escapes: an unknown escape such as `\d` keeps its backslash. */
function pyStringLiteral(t: Any, quote: string): string {
  t.forward();
  let out = '';
  while (!t.isFinished() && t.current() !== quote) {
    const ch = t.current();
    t.forward();
    if (ch !== '\\' || t.isFinished()) {
      out += ch;
      continue;
    }
    const e = t.current();
    t.forward();
    if (Object.prototype.hasOwnProperty.call(SIMPLE_ESCAPES, e)) {
      out += SIMPLE_ESCAPES[e];
      continue;
    }
    const hexLen = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (hexLen) {
      const hex = t.str.substr(t.index, hexLen);
      if (hex.length === hexLen && /^[0-9a-fA-F]+$/.test(hex)) {
        for (let i = 0; i < hexLen; i++) t.forward();
        out += String.fromCodePoint(parseInt(hex, 16));
        continue;
      }
    }
    if (/[0-7]/.test(e)) {
      let oct = e;
      while (oct.length < 3 && /[0-7]/.test(t.current())) {
        oct += t.current();
        t.forward();
      }
      out += String.fromCharCode(parseInt(oct, 8));
      continue;
    }
    out += '\\' + e;
  }
  t.forward();
  return out;
}

/**
 * nunjucks' tokenizer, with Python's string literals (`'\d+'` keeps its backslash), Jinja's bracket balancing (`}}` inside `{...}` closes the dict, not
 * the tag: `{{ config(meta={'a': {'b': 1}}) }}`) and without nunjucks' `r/regex/` literals.
 */
function jinjaLex(src: string, opts: Any): Any {
  const t = lexer.lex(src, opts);
  const next = t.nextToken;
  let depth = 0;
  t.nextToken = function (this: Any): Any {
    if (this.in_code && !this.isFinished()) {
      const lineno = this.lineno;
      const colno = this.colno;
      if (depth > 0 && this.str.startsWith('}}', this.index)) {
        this.forward();
        depth--;
        return { type: lexer.TOKEN_RIGHT_CURLY, value: '}', lineno, colno };
      }
      const cur = this.current();
      if (cur === '"' || cur === "'") return { type: lexer.TOKEN_STRING, value: pyStringLiteral(this, cur), lineno, colno };
      if (cur === 'r' && this.str.charAt(this.index + 1) === '/') {
        this.forward();
        return { type: lexer.TOKEN_SYMBOL, value: 'r', lineno, colno };
      }
    }
    const tok = next.call(this);
    if (tok) {
      if (OPENERS.has(tok.type)) depth++;
      else if (CLOSERS.has(tok.type)) depth = Math.max(0, depth - 1);
      else if (tok.type === lexer.TOKEN_BLOCK_END || tok.type === lexer.TOKEN_VARIABLE_END) depth = 0;
    }
    return tok;
  };
  return t;
}

const CONSTANTS: Record<string, string> = { True: 'true', False: 'false', None: 'null' };

/** The parser with `{% do %}` and slices. */
class JinjaParser extends (BaseParser as { new (tokens: Any): Any }) {
  parseStatement(): Any {
    const tok = this.peekToken();
    if (tok && tok.type === lexer.TOKEN_SYMBOL && tok.value === 'do' && !(this.breakOnBlocks && this.breakOnBlocks.includes('do'))) {
      this.nextToken();
      const expr = this.parseExpression();
      this.advanceAfterBlockEnd(tok.value);
      return new Do(tok.lineno, tok.colno, expr);
    }
    return super.parseStatement();
  }

  /** Adjacent string literals join: `'a' 'b'` is `'ab'`. */
  parsePrimary(noPostfix?: boolean): Any {
    const tok = this.peekToken();
    if (!tok || tok.type !== lexer.TOKEN_STRING) return super.parsePrimary(noPostfix);
    this.nextToken();
    let value = tok.value;
    while (this.peekToken()?.type === lexer.TOKEN_STRING) value += this.nextToken().value;
    const node = new nodes.Literal(tok.lineno, tok.colno, value);
    return noPostfix ? node : this.parsePostfix(node);
  }

  /*
   * Jinja's operator precedence below comparisons: `+ -` (one level) bind looser than `~`, which
   * binds looser than `* / // %` (one level); nunjucks has `~` loosest and each operator on its
   * own level (so `2 * 7 // 2` was `2 * (7 // 2)`).
   */
  parseConcat(): Any {
    let node = this.parseTilde();
    for (;;) {
      const tok = this.peekToken();
      if (this.skipValue(lexer.TOKEN_OPERATOR, '+')) node = new nodes.Add(tok.lineno, tok.colno, node, this.parseTilde());
      else if (this.skipValue(lexer.TOKEN_OPERATOR, '-')) node = new nodes.Sub(tok.lineno, tok.colno, node, this.parseTilde());
      else return node;
    }
  }

  parseTilde(): Any {
    let node = this.parseMath2();
    for (;;) {
      const tok = this.peekToken();
      if (this.skipValue(lexer.TOKEN_TILDE, '~')) node = new nodes.Concat(tok.lineno, tok.colno, node, this.parseMath2());
      else return node;
    }
  }

  parseMath2(): Any {
    let node = this.parsePow();
    for (;;) {
      const tok = this.peekToken();
      if (this.skipValue(lexer.TOKEN_OPERATOR, '*')) node = new nodes.Mul(tok.lineno, tok.colno, node, this.parsePow());
      else if (this.skipValue(lexer.TOKEN_OPERATOR, '/')) node = new nodes.Div(tok.lineno, tok.colno, node, this.parsePow());
      else if (this.skipValue(lexer.TOKEN_OPERATOR, '//')) node = new nodes.FloorDiv(tok.lineno, tok.colno, node, this.parsePow());
      else if (this.skipValue(lexer.TOKEN_OPERATOR, '%')) node = new nodes.Mod(tok.lineno, tok.colno, node, this.parsePow());
      else return node;
    }
  }

  /** `(a, b)`, `(a,)` and `()` are tuples; trailing commas are allowed in lists, dicts and tuples. */
  parseAggregate(): Any {
    const tok = this.nextToken();
    let node: Any;
    switch (tok.type) {
      case lexer.TOKEN_LEFT_PAREN:
        node = new nodes.Group(tok.lineno, tok.colno);
        break;
      case lexer.TOKEN_LEFT_BRACKET:
        node = new nodes.Array(tok.lineno, tok.colno);
        break;
      case lexer.TOKEN_LEFT_CURLY:
        node = new nodes.Dict(tok.lineno, tok.colno);
        break;
      default:
        return null;
    }
    let comma = false;
    for (;;) {
      if (CLOSERS.has(this.peekToken().type)) {
        this.nextToken();
        break;
      }
      if (node.children.length > 0) {
        if (!this.skip(lexer.TOKEN_COMMA)) this.fail('parseAggregate: expected comma after expression', tok.lineno, tok.colno);
        comma = true;
        if (CLOSERS.has(this.peekToken().type)) {
          this.nextToken();
          break;
        }
      }
      if (node instanceof nodes.Dict) {
        const key = this.parsePrimary();
        if (!this.skip(lexer.TOKEN_COLON)) this.fail('parseAggregate: expected colon after dict key', tok.lineno, tok.colno);
        const value = this.parseExpression();
        node.addChild(new nodes.Pair(key.lineno, key.colno, key, value));
      } else {
        node.addChild(this.parseExpression());
      }
    }
    if (node instanceof nodes.Group && (comma || node.children.length === 0)) return new Tuple(node.lineno, node.colno, node.children);
    return node;
  }

  /** `x is test`, `x is test(args)` and `x is test arg`. */
  parseIs(): Any {
    let node = this.parseCompare();
    if (!this.skipSymbol('is')) return node;
    const not = this.skipSymbol('not');
    const tok = this.peekToken();
    let test = this.parsePrimary(true);
    if (this.peekToken().type === lexer.TOKEN_LEFT_PAREN) {
      test = new nodes.FunCall(tok.lineno, tok.colno, test, this.parseSignature());
    } else {
      const nt = this.peekToken();
      if (nt && TEST_ARG_START.has(nt.type) && !(nt.type === lexer.TOKEN_SYMBOL && NOT_A_TEST_ARG.has(nt.value))) {
        const arg = this.parsePrimary();
        test = new nodes.FunCall(tok.lineno, tok.colno, test, new nodes.NodeList(nt.lineno, nt.colno, [arg]));
      }
    }
    node = new nodes.Is(node.lineno, node.colno, node, test);
    return not ? new nodes.Not(node.lineno, node.colno, node) : node;
  }

  /** As nunjucks' parseSet, but `{% set x -%}` trims the start of the block's body. */
  parseSet(): Any {
    const tag = this.peekToken();
    if (!this.skipSymbol('set')) this.fail('parseSet: expected set', tag.lineno, tag.colno);
    const node = new nodes.Set(tag.lineno, tag.colno, []);
    let target;
    while ((target = this.parsePrimary())) {
      node.targets.push(target);
      if (!this.skip(lexer.TOKEN_COMMA)) break;
    }
    if (this.skipValue(lexer.TOKEN_OPERATOR, '=')) {
      node.value = this.parseExpression();
      // `{% set a, b = 1, 2 %}` / `{% set t = 1, 2 %}`: the value is a tuple.
      if (this.peekToken().type === lexer.TOKEN_COMMA) {
        const items = [node.value];
        while (this.skip(lexer.TOKEN_COMMA)) {
          if (this.peekToken().type === lexer.TOKEN_BLOCK_END) break;
          items.push(this.parseExpression());
        }
        node.value = new Tuple(node.value.lineno, node.value.colno, items);
      }
      this.advanceAfterBlockEnd(tag.value);
      return node;
    }
    const end = this.peekToken();
    if (!end || end.type !== lexer.TOKEN_BLOCK_END) this.fail('parseSet: expected = or block end in set tag', tag.lineno, tag.colno);
    this.nextToken();
    if (end.value.charAt(0) === '-') this.dropLeadingWhitespace = true;
    node.body = new nodes.Capture(tag.lineno, tag.colno, this.parseUntilBlocks('endset'));
    node.value = null;
    this.advanceAfterBlockEnd();
    return node;
  }

  parsePostfix(node: Any): Any {
    let tok = this.peekToken();
    while (tok) {
      if (tok.type === lexer.TOKEN_LEFT_PAREN) {
        node = new nodes.FunCall(tok.lineno, tok.colno, node, this.parseSignature());
      } else if (tok.type === lexer.TOKEN_LEFT_BRACKET) {
        node = this.parseSubscript(node, tok);
      } else if (tok.type === lexer.TOKEN_OPERATOR && tok.value === '.') {
        this.nextToken();
        const val = this.nextToken();
        if (val.type !== lexer.TOKEN_SYMBOL) this.fail('expected name as lookup value, got ' + val.value, val.lineno, val.colno);
        node = new nodes.LookupVal(tok.lineno, tok.colno, node, new nodes.Literal(val.lineno, val.colno, val.value));
      } else {
        break;
      }
      tok = this.peekToken();
    }
    return node;
  }

  /** `x[i]` or `x[start:stop:step]`. */
  parseSubscript(node: Any, tok: Any): Any {
    this.nextToken();
    const at = (type: string) => this.peekToken().type === type;
    let start = null;
    let stop = null;
    let step = null;
    let slice = false;
    if (!at(lexer.TOKEN_COLON)) start = this.parseExpression();
    if (this.skip(lexer.TOKEN_COLON)) {
      slice = true;
      if (!at(lexer.TOKEN_COLON) && !at(lexer.TOKEN_RIGHT_BRACKET)) stop = this.parseExpression();
      if (this.skip(lexer.TOKEN_COLON) && !at(lexer.TOKEN_RIGHT_BRACKET)) step = this.parseExpression();
    }
    if (!this.skip(lexer.TOKEN_RIGHT_BRACKET)) this.fail('expected ] after a subscript', tok.lineno, tok.colno);
    if (!slice && start === null) this.fail('expected an index inside [ ]', tok.lineno, tok.colno);
    return slice ? new SliceLookup(tok.lineno, tok.colno, node, start, stop, step) : new nodes.LookupVal(tok.lineno, tok.colno, node, start);
  }
}

function inLoopScope(frame: Any): boolean {
  for (let f = frame; f; f = f.parent) if (f.jinjaLoopScope) return true;
  return false;
}

/** The compiler emitting Jinja semantics. */
class JinjaCompiler extends (BaseCompiler as { new (name: string, throwOnUndefined: boolean): Any }) {
  assertType(node: Any, ...types: Any[]): void {
    if (node instanceof Do || node instanceof SliceLookup || node instanceof Truthy || node instanceof Tuple || node instanceof RawJs) return;
    super.assertType(node, ...types);
  }

  private call(fn: string, frame: Any, ...args: Any[]): void {
    this._emit(`runtime.${fn}(`);
    args.forEach((a, i) => {
      if (i > 0) this._emit(', ');
      if (a === null || a === undefined) this._emit('null');
      else this.compile(a, frame);
    });
    this._emit(')');
  }

  compileSymbol(node: Any, frame: Any): void {
    const c = CONSTANTS[node.value];
    if (c !== undefined) this._emit(c);
    else super.compileSymbol(node, frame);
  }

  compileDo(node: Any, frame: Any): void {
    this._compileExpression(node.expr, frame);
    this._emitLine(';');
  }

  compileSliceLookup(node: Any, frame: Any): void {
    this.call('pySlice', frame, node.target, node.start, node.stop, node.step);
  }

  compileTruthy(node: Any, frame: Any): void {
    this.call('pyTruthy', frame, node.expr);
  }

  compileIf(node: Any, frame: Any, async?: boolean): void {
    if (!(node.cond instanceof Truthy)) node.cond = new Truthy(node.cond.lineno, node.cond.colno, node.cond);
    super.compileIf(node, frame, async);
  }

  compileInlineIf(node: Any, frame: Any): void {
    this._emit('(runtime.pyTruthy(');
    this.compile(node.cond, frame);
    this._emit(') ? ');
    this.compile(node.body, frame);
    this._emit(' : ');
    if (node.else_ !== null) this.compile(node.else_, frame);
    else this._emit('undefined');
    this._emit(')');
  }

  private lazyPair(fn: string, node: Any, frame: Any): void {
    this._emit(`runtime.${fn}(`);
    this.compile(node.left, frame);
    this._emit(', function () { return ');
    this.compile(node.right, frame);
    this._emit('; })');
  }

  compileOr(node: Any, frame: Any): void {
    this.lazyPair('pyOr', node, frame);
  }

  compileAnd(node: Any, frame: Any): void {
    this.lazyPair('pyAnd', node, frame);
  }

  compileNot(node: Any, frame: Any): void {
    this.call('pyNot', frame, node.target);
  }

  compileIn(node: Any, frame: Any): void {
    this.call('pyIn', frame, node.left, node.right);
  }

  compileAdd(node: Any, frame: Any): void {
    this.call('pyAdd', frame, node.left, node.right);
  }

  compileSub(node: Any, frame: Any): void {
    this.call('pySub', frame, node.left, node.right);
  }

  compileMul(node: Any, frame: Any): void {
    this.call('pyMul', frame, node.left, node.right);
  }

  compileDiv(node: Any, frame: Any): void {
    this.call('pyDiv', frame, node.left, node.right);
  }

  compileFloorDiv(node: Any, frame: Any): void {
    this.call('pyFloorDiv', frame, node.left, node.right);
  }

  compileMod(node: Any, frame: Any): void {
    this.call('pyMod', frame, node.left, node.right);
  }

  compilePow(node: Any, frame: Any): void {
    this.call('pyPow', frame, node.left, node.right);
  }

  compileNeg(node: Any, frame: Any): void {
    this.call('pyNeg', frame, node.target);
  }

  compilePos(node: Any, frame: Any): void {
    this.call('pyPos', frame, node.target);
  }

  compileConcat(node: Any, frame: Any): void {
    this.call('pyConcat', frame, node.left, node.right);
  }

  compileCompare(node: Any, frame: Any): void {
    if (node.ops.length === 1) {
      const op = node.ops[0];
      this._emit(`runtime.pyCompare(${JSON.stringify(op.type)}, `);
      this.compile(node.expr, frame);
      this._emit(', ');
      this.compile(op.expr, frame);
      this._emit(')');
      return;
    }
    this._emit('runtime.pyCompareChain(');
    this.compile(node.expr, frame);
    this._emit(', [');
    node.ops.forEach((op: Any, i: number) => {
      if (i > 0) this._emit(', ');
      this._emit(`${JSON.stringify(op.type)}, `);
      this.compile(op.expr, frame);
    });
    this._emit('])');
  }

  compileRawJs(node: Any): void {
    this._emit(node.code);
  }

  compileTuple(node: Any, frame: Any): void {
    this._compileAggregate(node, frame, 'runtime.pyTuple(', ')');
  }

  compileIs(node: Any, frame: Any): void {
    const right = node.right;
    const name = right instanceof nodes.FunCall ? right.name.value : right.value;
    this._emit(`(env.getTest(${JSON.stringify(String(name))}).call(context, `);
    this.compile(node.left, frame);
    if (right instanceof nodes.FunCall) {
      for (const a of right.args.children) {
        this._emit(', ');
        this.compile(a, frame);
      }
    }
    this._emit(') === true)');
  }

  /** A dict literal: a bare name as key means the variable's value (keyword arguments keep names). */
  compileDict(node: Any, frame: Any): void {
    if (node instanceof nodes.KeywordArgs) {
      super.compileDict(node, frame);
      return;
    }
    this._emit('{');
    node.children.forEach((pair: Any, i: number) => {
      if (i > 0) this._emit(',');
      if (pair.key instanceof nodes.Literal && typeof pair.key.value !== 'string') {
        // Python allows any hashable key; a JS object keys by text.
        this._emit(`${JSON.stringify(pair.key.value === null ? 'None' : typeof pair.key.value === 'boolean' ? (pair.key.value ? 'True' : 'False') : String(pair.key.value))}: `);
        this._compileExpression(pair.value, frame);
      } else if (pair.key instanceof nodes.Symbol && CONSTANTS[pair.key.value] === undefined) {
        this._emit('[runtime.pyDictKey(');
        this.compile(pair.key, frame);
        this._emit(')]: ');
        this._compileExpression(pair.value, frame);
      } else this.compile(pair, frame);
    });
    this._emit('}');
  }

  compileSet(node: Any, frame: Any): void {
    const targets: Any[] = node.targets;
    if (targets.some((t) => !(t instanceof nodes.Symbol))) {
      const t = targets[0];
      if (targets.length !== 1 || !(t instanceof nodes.LookupVal)) this.fail('can only assign to a name or a namespace attribute', node.lineno, node.colno);
      this._emit('runtime.pySetAttr(');
      this._compileExpression(t.target, frame);
      this._emit(', ');
      this._compileExpression(t.val, frame);
      this._emit(', ');
      if (node.value) this._compileExpression(node.value, frame);
      else this.compile(node.body, frame);
      this._emitLine(');');
      return;
    }
    if (targets.length > 1) {
      // Jinja unpacks: {% set a, b = pair %}.
      const id = this._tmpid();
      this._emit(`var ${id} = runtime.pyUnpack(`);
      if (node.value) this._compileExpression(node.value, frame);
      else this.compile(node.body, frame);
      this._emitLine(`, ${targets.length});`);
      targets.forEach((t, i) => this.compileSet(new nodes.Set(node.lineno, node.colno, [t], new RawJs(node.lineno, node.colno, `${id}[${i}]`)), frame));
      return;
    }
    if (!inLoopScope(frame)) {
      super.compileSet(node, frame);
      return;
    }
    // Inside a loop the value lives in the iteration's own frame; later reads look it up there.
    const id = this._tmpid();
    this._emit(`var ${id} = `);
    if (node.value) this._compileExpression(node.value, frame);
    else this.compile(node.body, frame);
    this._emitLine(';');
    for (const t of targets) {
      const name = JSON.stringify(t.value);
      this._emitLine(`frame.set(${name}, ${id}, true);`);
      frame.set(t.value, `runtime.contextOrFrameLookup(context, frame, ${name})`);
    }
  }

  compileFor(node: Any, frame: Any): void {
    if (node.typename !== 'For') {
      super.compileFor(node, frame);
      return;
    }
    const i = this._tmpid();
    const len = this._tmpid();
    const arr = this._tmpid();
    let arrNode = node.arr;
    let cond = null;
    if (arrNode instanceof nodes.InlineIf && arrNode.else_ === null) {
      cond = arrNode.cond;
      arrNode = arrNode.body;
    }
    const unpack = node.name instanceof nodes.Array;
    const names: Any[] = unpack ? node.name.children : [node.name];
    frame = frame.push();
    this._emitLine('frame = frame.push();');
    this._emit(`var ${arr} = runtime.pyLoopItems(`);
    this._compileExpression(arrNode, frame);
    this._emitLine(`, ${unpack ? names.length : 0});`);
    if (cond) {
      const item = this._tmpid();
      const f = frame.push();
      this._emitLine(`${arr} = ${arr}.filter(function (${item}) {`);
      if (unpack) {
        this._emitLine(`${item} = runtime.pyUnpack(${item}, ${names.length});`);
        names.forEach((n, u) => f.set(n.value, `${item}[${u}]`));
      } else f.set(names[0].value, item);
      this._emit('return runtime.pyTruthy(');
      this._compileExpression(cond, f);
      this._emitLine(');');
      this._emitLine('});');
    }
    this._emitLine(`var ${len} = ${arr}.length;`);
    this._emitLine(`for (var ${i} = 0; ${i} < ${len}; ${i}++) {`);
    this._emitLine('frame = frame.push(true);');
    const body = frame.push();
    body.jinjaLoopScope = true;
    const item = this._tmpid();
    this._emitLine(`var ${item} = ${arr}[${i}];`);
    if (unpack) {
      this._emitLine(`${item} = runtime.pyUnpack(${item}, ${names.length});`);
      names.forEach((n, u) => {
        const v = this._tmpid();
        this._emitLine(`var ${v} = ${item}[${u}];`);
        this._emitLine(`frame.set(${JSON.stringify(n.value)}, ${v});`);
        body.set(n.value, v);
      });
    } else {
      this._emitLine(`frame.set(${JSON.stringify(names[0].value)}, ${item});`);
      body.set(names[0].value, item);
    }
    this._emitLine(`frame.set("loop", new runtime.PyLoop(${arr}, ${i}));`);
    this._withScopedSyntax(() => this.compile(node.body, body));
    this._emitLine('frame = frame.pop();');
    this._emitLine('}');
    if (node.else_) {
      this._emitLine(`if (!${len}) {`);
      this._emitLine('frame = frame.push(true);');
      const elseFrame = frame.push();
      elseFrame.jinjaLoopScope = true;
      this.compile(node.else_, elseFrame);
      this._emitLine('frame = frame.pop();');
      this._emitLine('}');
    }
    this._emitLine('frame = frame.pop();');
  }

  _compileMacro(node: Any, frame: Any): string {
    const args: Any[] = [];
    let kwargs: Any = null;
    const funcId = 'macro_' + this._tmpid();
    const keepFrame = frame !== undefined;
    node.args.children.forEach((arg: Any, i: number) => {
      if (i === node.args.children.length - 1 && arg instanceof nodes.Dict) kwargs = arg;
      else {
        this.assertType(arg, nodes.Symbol);
        args.push(arg);
      }
    });
    const realNames = [...args.map((n) => `l_${n.value}`), 'kwargs'];
    const argNames = args.map((n) => JSON.stringify(n.value));
    const kwargNames = ((kwargs && kwargs.children) || []).map((n: Any) => JSON.stringify(n.key.value));
    const currFrame = keepFrame ? frame.push(true) : new Frame();
    const name = node.typename === 'Caller' ? 'caller' : node.name.value;
    this._emitLines(
      `var ${funcId} = runtime.makeMacro(`,
      `[${argNames.join(', ')}], `,
      `[${kwargNames.join(', ')}], `,
      `function (${realNames.join(', ')}) {`,
      'var callerFrame = frame;',
      'frame = ' + (keepFrame ? 'frame.push(true);' : 'new runtime.Frame();'),
      'try {',
      'kwargs = kwargs || {};',
      'if (Object.prototype.hasOwnProperty.call(kwargs, "caller")) {',
      'frame.set("caller", kwargs.caller); }',
    );
    args.forEach((arg) => {
      this._emitLine(`frame.set(${JSON.stringify(arg.value)}, l_${arg.value});`);
      currFrame.set(arg.value, `l_${arg.value}`);
    });
    if (kwargs) {
      kwargs.children.forEach((pair: Any) => {
        const n = JSON.stringify(pair.key.value);
        this._emit(`frame.set(${n}, Object.prototype.hasOwnProperty.call(kwargs, ${n}) ? kwargs[${n}] : `);
        this._compileExpression(pair.value, currFrame);
        this._emitLine(');');
      });
    }
    this._emitLine(`frame.set("kwargs", runtime.pyMacroKwargs(kwargs, [${kwargNames.join(', ')}]));`);
    const bufferId = this._pushBuffer();
    this._withScopedSyntax(() => this.compile(node.body, currFrame));
    this._emitLine(`return ${bufferId};`);
    this._emitLine(`} catch (e) { return runtime.pyMacroError(e, lineno, ${JSON.stringify(name)}, ${this._templateName()}); }`);
    this._emitLine('finally { frame = callerFrame; }');
    this._emitLine('});');
    this._popBuffer();
    return funcId;
  }
}

export type CompiledProps = Record<string, (...a: Any[]) => Any>;

/** Parse and compile a template into nunjucks' render functions (`root`, blocks). */
export function compileJinja(source: string, name: string, env: Environment): CompiledProps {
  const e = env as Any;
  const exts: Any[] = e.extensionsList ?? [];
  const src = exts.map((x) => x.preprocess).filter(Boolean).reduce((s: string, f: (s: string) => string) => f(s), source);
  const parser = new JinjaParser(jinjaLex(src, e.opts));
  parser.extensions = exts;
  const ast = parser.parseAsRoot();
  const c = new JinjaCompiler(name, Boolean(e.opts.throwOnUndefined));
  c.compile(ast);
  return new Function(c.getCode())() as CompiledProps;
}
