// curses' window as cachetop uses it: text at a row and column, in reverse
// video or not, wrapping at the right edge, refused past the last cell, drawn
// whole at refresh(); keys read without waiting under nodelay.
import { describe, expect, it } from 'vitest';
import { CursesError, Window, curses } from '../lbc/src/py/curses.js';

describe('curses', () => {
  const screen = (rows: number, cols: number): { w: Window; drawn: string[] } => {
    const drawn: string[] = [];
    return { w: new Window(rows, cols, (s) => drawn.push(s)), drawn };
  };
  /** what each row shows, from a refresh's output */
  const rowsOf = (out: string): string[] => out.split(/\x1b\[\d+;1H/).slice(1).map((r) => r.replace(/\x1b\[[\d;]*m/g, ''));

  it('addstr(y, x, text): the text at that place, the rest blank; A_REVERSE switched on and off around it', () => {
    const { w, drawn } = screen(3, 10);
    w.addstr(0, 0, 'Buffers');
    w.addstr(1, 2, 'PID', curses.A_REVERSE);
    w.refresh();
    expect(rowsOf(drawn[0]!)).toEqual(['Buffers   ', '  PID     ', '          ']);
    expect(drawn[0]).toContain('  \x1b[0;7mPID\x1b[0m     ');
    expect(w.getmaxyx()).toEqual([3, 10]);
  });

  it('wraps at the right edge, and is an error past the last cell (what fits is written)', () => {
    const { w, drawn } = screen(2, 4);
    w.addstr(0, 2, 'abcd');
    w.refresh();
    expect(rowsOf(drawn[0]!)).toEqual(['  ab', 'cd  ']);
    expect(() => w.addstr(1, 2, 'xyz')).toThrow(CursesError);
    expect(() => w.addstr(2, 0, 'x')).toThrow(/ERR/);
    w.clear();
    w.refresh();
    expect(rowsOf(drawn[1]!)).toEqual(['    ', '    ']);
  });

  it('getch under nodelay: -1 when no key waits', () => {
    const { w } = screen(2, 4);
    w.nodelay(1);
    expect(w.getch()).toBe(-1);
  });
});
