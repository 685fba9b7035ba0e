// Line and column (1-based) of offsets in one text, by bisecting its line
// starts: for error messages (lcc gen's scanner) and for syntax nodes.

export interface Pos { line: number; column: number }

export function positions(text: string): (offset: number) => Pos {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  };
}

/**
 * Positions computed only when read: lcc gen keeps one per declaration and
 * field for error messages, and bisecting for each cost a cold run ~5 ms.
 */
export function lazyPositions(text: string): (offset: number) => Pos {
  let table: ((offset: number) => Pos) | undefined;
  const at = (offset: number): Pos => (table ??= positions(text))(offset);
  return (offset) => new LazyPos(at, offset);
}

class LazyPos implements Pos {
  private p?: Pos;
  constructor(private readonly at: (offset: number) => Pos, private readonly offset: number) {}
  get line(): number { return (this.p ??= this.at(this.offset)).line; }
  get column(): number { return (this.p ??= this.at(this.offset)).column; }
  toJSON(): Pos { return { line: this.line, column: this.column }; }
}
