// The part of Python's curses a top-like BCC tool uses (cachetop): wrapper(),
// and a window over the whole terminal that takes text at a row and column
// (in reverse video or not), is cleared and redrawn at refresh(), and reads
// keys without waiting (nodelay). The screen is drawn with ANSI/VT100
// sequences on the alternate screen, as ncurses draws it on xterm-like
// terminals; keys come from stdin, Ctrl-C still a SIGINT as under curses'
// cbreak mode.
import { tuple } from './core.js';
import { Exception } from './exc.js';
import { writeFd } from './builtins.js';
import { blocking } from './run.js';

export class CursesError extends Exception {}

const A_NORMAL = 0;
const A_STANDOUT = 1 << 16;
const A_UNDERLINE = 1 << 17;
const A_REVERSE = 1 << 18;
const A_BOLD = 1 << 21;

/** SGR parameters of an attribute set */
function sgr(attr: number): string {
  const p = ['0'];
  if (attr & (A_REVERSE | A_STANDOUT)) p.push('7');
  if (attr & A_BOLD) p.push('1');
  if (attr & A_UNDERLINE) p.push('4');
  return `\x1b[${p.join(';')}m`;
}

export class Window {
  private cells: { ch: string; attr: number }[][] = [];
  private y = 0;
  private x = 0;
  private noDelay = false;
  private readonly keys: number[] = [];
  private keyWaiter: (() => void) | null = null;
  private readonly onData = (d: Buffer): void => {
    for (const b of d) {
      // cbreak keeps the terminal's signals: Ctrl-C is a SIGINT, Python's KeyboardInterrupt
      if (b === 3) process.kill(process.pid, 'SIGINT');
      else this.keys.push(b);
    }
    this.keyWaiter?.();
  };
  constructor(private readonly rows: number, private readonly cols: number, private readonly write = (s: string): void => writeFd(1, s)) {
    this.clear();
  }
  /** start reading keys (raw, unechoed), as initscr() + cbreak() + noecho() */
  open(): void {
    if (process.stdin.isTTY) {
      process.stdin.setRawMode(true);
      process.stdin.on('data', this.onData);
      process.stdin.resume();
      // (a key listener must not keep the tool alive once its work is done)
      process.stdin.unref();
    }
  }
  close(): void {
    if (process.stdin.isTTY) {
      process.stdin.off('data', this.onData);
      process.stdin.setRawMode(false);
      process.stdin.pause();
    }
  }
  getmaxyx(): readonly number[] {
    return tuple(this.rows, this.cols);
  }
  nodelay(flag: unknown): void {
    this.noDelay = Boolean(flag);
  }
  keypad(_flag: unknown): void {}
  /** the next key's code: -1 at once where none waits and nodelay is set, else once one comes */
  getch(): number | Promise<number> {
    const k = this.keys.shift();
    if (k !== undefined) return k;
    if (this.noDelay) return -1;
    return blocking<number>((done) => {
      this.keyWaiter = () => {
        const next = this.keys.shift();
        if (next !== undefined) done(next);
      };
      return () => void (this.keyWaiter = null);
    });
  }
  clear(): void {
    this.cells = Array.from({ length: this.rows }, () => Array.from({ length: this.cols }, () => ({ ch: ' ', attr: A_NORMAL })));
    this.y = 0;
    this.x = 0;
  }
  erase(): void {
    this.clear();
  }
  move(y: number, x: number): void {
    if (y < 0 || y >= this.rows || x < 0 || x >= this.cols) throw new CursesError('wmove() returned ERR');
    this.y = y;
    this.x = x;
  }
  /** addstr([y, x,] text[, attr]): from the cursor, wrapping at the right edge; past the last cell is ERR */
  addstr(...a: unknown[]): void {
    const [y, x, s, attr] = typeof a[0] === 'number' && typeof a[1] === 'number' ? [a[0], a[1], a[2], a[3]] : [this.y, this.x, a[0], a[1]];
    this.move(y as number, x as number);
    for (const ch of String(s)) {
      if (ch === '\n') {
        // the rest of the line cleared, as curses does
        for (let c = this.x; c < this.cols; c++) this.cells[this.y]![c] = { ch: ' ', attr: A_NORMAL };
        if (this.y + 1 >= this.rows) throw new CursesError('addwstr() returned ERR');
        this.y++;
        this.x = 0;
        continue;
      }
      if (this.y >= this.rows) throw new CursesError('addwstr() returned ERR');
      this.cells[this.y]![this.x] = { ch, attr: Number(attr ?? A_NORMAL) };
      if (++this.x >= this.cols) {
        this.x = 0;
        this.y++;
      }
    }
    if (this.y >= this.rows) {
      this.y = this.rows - 1;
      this.x = this.cols - 1;
    }
  }
  /** the whole window to the terminal: each row from its first column, attributes where they change */
  refresh(): void {
    let out = '\x1b[H';
    for (let r = 0; r < this.rows; r++) {
      out += `\x1b[${r + 1};1H`;
      let cur = A_NORMAL;
      for (const cell of this.cells[r]!) {
        if (cell.attr !== cur) {
          out += sgr(cell.attr);
          cur = cell.attr;
        }
        out += cell.ch;
      }
      if (cur !== A_NORMAL) out += sgr(A_NORMAL);
    }
    this.write(out);
  }
}

/**
 * wrapper(func, *args): the terminal set up (the alternate screen, keys unechoed), func(stdscr, *args)
 * awaited, and the terminal restored however it ends
 */
async function wrapper(func: (...a: unknown[]) => unknown, ...args: unknown[]): Promise<unknown> {
  const stdscr = new Window(process.stdout.rows ?? 24, process.stdout.columns ?? 80);
  writeFd(1, '\x1b[?1049h\x1b[H\x1b[2J');
  stdscr.open();
  try {
    return await func(stdscr, ...args);
  } finally {
    stdscr.close();
    writeFd(1, '\x1b[?1049l');
  }
}

export const curses = { wrapper, error: CursesError, A_NORMAL, A_STANDOUT, A_UNDERLINE, A_REVERSE, A_BOLD };
