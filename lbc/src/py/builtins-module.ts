// `import builtins` / `from builtins import input` (Python 2 compatibility
// imports in BCC's examples): the built-in functions, by their Python names.
import * as b from './builtins.js';
import { repr, str } from './core.js';
import { input, open, PyObject, type, vars } from './objects.js';

export const builtins = {
  print: b.print, len: b.len, range: b.range, enumerate: b.enumerate, zip: b.zip, sorted: b.sorted, reversed: b.reversed, max: b.max, min: b.min,
  sum: b.sum, any: b.any, all: b.all, abs: b.abs, round: b.round, divmod: b.divmod, int: b.int_, float: b.float, bool: b.bool, list: b.list,
  tuple: b.tuple, dict: b.dict, set: b.set, frozenset: b.frozenset, bytes: b.bytes, bytearray: b.bytearray, isinstance: b.isinstance,
  callable: b.callable, hasattr: b.hasattr, getattr: b.getattr, setattr: b.setattr, id: b.id, ord: b.ord, chr: b.chr, hex: b.hex, oct: b.oct,
  bin: b.bin, format: b.format, map: b.map, filter: b.filter, iter: b.pyIter, next: b.next, exit: b.exit, quit: b.exit,
  str, repr, input, open, type, vars, object: PyObject,
};
