// The one place tree-sitter is loaded: its parsers for C (lcc gen, lcc
// convert) and Python (lcc convert), and the node shape the rest reads.
// tree-sitter ships CommonJS with prebuilt binaries; each grammar is loaded
// once, lazily, so a command pays only for the language it parses.
//
// The tree is copied out of tree-sitter in one cursor walk into plain
// objects. tree-sitter's own node wrappers cost a native call (and a
// native-side cache entry) for every accessor; for lcc gen on a 2,000-line
// file that was most of its time.
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './paths.js';
import { positions } from './textpos.js';

export interface SyntaxNode {
  readonly type: string;
  readonly text: string;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly startPosition: { row: number; column: number };
  readonly children: SyntaxNode[];
  readonly namedChildren: SyntaxNode[];
  readonly childCount: number;
  readonly parent: SyntaxNode | null;
  childForFieldName(name: string): SyntaxNode | null;
  childrenForFieldName(name: string): SyntaxNode[];
  fieldNameForChild(i: number): string | null;
  readonly isMissing: boolean;
  readonly isNamed: boolean;
  readonly hasError: boolean;
  descendantsOfType(type: string | string[]): SyntaxNode[];
}

/** What the cursor reads of tree-sitter's native node and tree. */
interface NativeCursor {
  nodeTypeId: number; nodeType: string; nodeIsNamed: boolean; nodeIsMissing: boolean;
  currentFieldId: number; currentFieldName: string;
  startIndex: number; endIndex: number;
  gotoFirstChild(): boolean; gotoNextSibling(): boolean; gotoParent(): boolean;
}
interface NativeNode { walk(): NativeCursor; hasError: boolean }

type Language = 'c' | 'python';
const parsers = new Map<Language, { parse(text: string): { rootNode: NativeNode } }>();
const ERROR_ID = 0xffff;

/** Per language: type and field names by id, read from the cursor once each. */
interface Names { types: string[]; named: boolean[]; fields: string[] }
const names = new Map<Language, Names>();

class Source {
  private at?: (offset: number) => { line: number; column: number };
  /** errors: whether the tree has any ERROR or MISSING node */
  constructor(readonly text: string, readonly names: Names, readonly errors: boolean) {}
  position(index: number): { row: number; column: number } {
    this.at ??= positions(this.text);
    const p = this.at(index);
    return { row: p.line - 1, column: p.column - 1 };
  }
}

/**
 * The deepest tree the copy makes. Every reader of these trees walks them
 * recursively; a generated `1+1+…+1` or 10,000 nested parentheses would
 * overflow the stack in one of them. Past this, the input is refused at the
 * node where it gets too deep.
 */
export const MAX_TREE_DEPTH = 2000;

export class TooDeepError extends Error {
  override name = 'TooDeepError';
  constructor(readonly index: number, readonly position: { row: number; column: number }) {
    super(`nested too deeply (more than ${MAX_TREE_DEPTH} levels)`);
  }
}

/** a leaf's children and their field names: one shared empty list rather than two per leaf */
const NONE: never[] = [];

class Node implements SyntaxNode {
  parent: Node | null = null;
  private kids: Node[] = NONE;
  private fields: (string | null)[] = NONE;
  private named?: Node[];
  private error?: boolean;

  constructor(
    private readonly src: Source,
    readonly type: string,
    readonly isNamed: boolean,
    readonly isMissing: boolean,
    readonly startIndex: number,
    readonly endIndex: number,
  ) {}

  get text(): string { return this.src.text.slice(this.startIndex, this.endIndex); }
  get startPosition(): { row: number; column: number } { return this.src.position(this.startIndex); }
  get children(): SyntaxNode[] { return this.kids; }
  get childCount(): number { return this.kids.length; }
  get namedChildren(): SyntaxNode[] {
    // a Python backslash-newline is an extra tree-sitter-python names: no reader of the tree wants it
    this.named ??= this.kids.filter((k) => k.isNamed && k.type !== 'line_continuation');
    return this.named;
  }
  get hasError(): boolean {
    if (!this.src.errors) return false; // tree-sitter says so for the whole tree in one call
    this.error ??= this.type === 'ERROR' || this.isMissing || this.kids.some((k) => k.hasError);
    return this.error;
  }

  childForFieldName(name: string): SyntaxNode | null {
    const i = this.fields.indexOf(name);
    return i < 0 ? null : this.kids[i]!;
  }
  childrenForFieldName(name: string): SyntaxNode[] {
    return this.kids.filter((_, i) => this.fields[i] === name);
  }
  fieldNameForChild(i: number): string | null {
    return this.fields[i] ?? null;
  }

  descendantsOfType(type: string | string[]): SyntaxNode[] {
    const want = typeof type === 'string' ? [type] : type;
    const out: SyntaxNode[] = [];
    const visit = (n: Node): void => {
      if (want.includes(n.type)) out.push(n);
      for (const k of n.kids) visit(k);
    };
    visit(this);
    return out;
  }

  /** The node under the cursor, and its subtree (without anonymous nodes when `namedOnly`). */
  static read(c: NativeCursor, src: Source, namedOnly: boolean, depth = 0): Node {
    if (depth > MAX_TREE_DEPTH) throw new TooDeepError(c.startIndex, src.position(c.startIndex));
    const id = c.nodeTypeId;
    const type = typeOf(c, src.names, id);
    const start = c.startIndex;
    const end = c.endIndex;
    // only a zero-width node can be MISSING; ERROR's id is shared by named and not
    const n = new Node(src, type, id === ERROR_ID ? true : src.names.named[id]!, start === end && c.nodeIsMissing, start, end);
    if (c.gotoFirstChild()) {
      const kids: Node[] = [];
      const fields: (string | null)[] = [];
      const nm = src.names;
      do {
        if (namedOnly) {
          const kid = c.nodeTypeId;
          typeOf(c, nm, kid);
          // tokens (`;`, `[`, `struct`): leaves in every grammar's node-types.json; ERROR is kept
          if (kid !== ERROR_ID && !nm.named[kid]) continue;
        }
        const fid = c.currentFieldId;
        fields.push(fid ? (nm.fields[fid] ??= c.currentFieldName) : null);
        const k = Node.read(c, src, namedOnly, depth + 1);
        k.parent = n;
        kids.push(k);
      } while (c.gotoNextSibling());
      c.gotoParent();
      n.kids = kids;
      n.fields = fields;
    }
    return n;
  }
}

/** A node type's name by id, asked of tree-sitter once per id. */
function typeOf(c: NativeCursor, nm: Names, id: number): string {
  let type = nm.types[id];
  if (type === undefined) {
    type = nm.types[id] = c.nodeType;
    nm.named[id] = c.nodeIsNamed;
  }
  return type;
}

export interface ParseOptions {
  /**
   * Leave anonymous nodes (punctuation, keywords) out of the copy: a third
   * of a C declaration's nodes, which lcc gen never reads. A tree with
   * syntax errors is copied whole, so that a MISSING `;` can be reported.
   */
  namedOnly?: boolean;
}

/**
 * tree-sitter as the build vendors it (scripts/bundle.mjs): its JavaScript and
 * prebuilt native parts in dist/tree-sitter, so that an installed lcc never
 * compiles tree-sitter. The grammars come without node-types.json (83 kB for
 * C): setLanguage would build a JS class per node type from it (a `new
 * Function` each, ~15 ms for C) for typed field getters we never use.
 */
type NativeParser = { parse(text: string): { rootNode: NativeNode }; setLanguage(grammar: unknown): void };
function vendoredTreeSitter(): { Parser: new () => NativeParser; c: unknown; python: unknown } {
  const file = path.join(ROOT, 'dist', 'tree-sitter', 'index.cjs');
  if (!fs.existsSync(file)) throw new Error(`lcc: ${file} is missing: run npm run build (it vendors tree-sitter)`);
  const platform = `${process.platform}-${process.arch}`;
  if (!fs.existsSync(path.join(path.dirname(file), platform))) throw new Error(`lcc: no tree-sitter parser for ${platform} in this package (it ships linux-x64 and linux-arm64)`);
  return createRequire(import.meta.url)(file);
}

function parser(language: Language): { parse(text: string): { rootNode: NativeNode } } {
  let p = parsers.get(language);
  if (!p) {
    const vendored = vendoredTreeSitter();
    const native = new vendored.Parser();
    native.setLanguage(vendored[language]);
    p = native;
    parsers.set(language, native);
    names.set(language, { types: [], named: [], fields: [] });
  }
  return p!;
}

export function parse(language: Language, text: string, opts: ParseOptions = {}): SyntaxNode {
  const root = parser(language).parse(text).rootNode;
  const errors = root.hasError;
  return Node.read(root.walk(), new Source(text, names.get(language)!, errors), !!opts.namedOnly && !errors);
}
