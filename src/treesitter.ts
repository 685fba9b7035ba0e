// The one place tree-sitter is loaded: its parsers for C (lcc gen, lcc
// convert) and Python (lcc convert), and the node shape the rest reads.
// tree-sitter ships CommonJS with prebuilt binaries; each grammar is loaded
// once, lazily, so a command pays only for the language it parses.
import { createRequire } from 'node:module';

export interface SyntaxNode {
  type: string;
  text: string;
  startIndex: number;
  endIndex: number;
  startPosition: { row: number; column: number };
  children: SyntaxNode[];
  namedChildren: SyntaxNode[];
  childCount: number;
  parent: SyntaxNode | null;
  childForFieldName(name: string): SyntaxNode | null;
  childrenForFieldName(name: string): SyntaxNode[];
  fieldNameForChild(i: number): string | null;
  isMissing: boolean;
  isNamed: boolean;
  hasError: boolean;
  descendantsOfType(type: string | string[]): SyntaxNode[];
}

type Language = 'c' | 'python';
const parsers = new Map<Language, { parse(text: string): { rootNode: SyntaxNode } }>();

export function parse(language: Language, text: string): SyntaxNode {
  let p = parsers.get(language);
  if (!p) {
    const require = createRequire(import.meta.url);
    const Parser = require('tree-sitter');
    p = new Parser();
    (p as unknown as { setLanguage(l: unknown): void }).setLanguage(require(language === 'c' ? 'tree-sitter-c' : 'tree-sitter-python'));
    parsers.set(language, p!);
  }
  return p!.parse(text).rootNode;
}
