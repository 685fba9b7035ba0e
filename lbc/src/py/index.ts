// @lcc-ebpf/lbc/py: what a BCC tool's Python needs to run as TypeScript
// (lcc convert's translation imports it). Operators and methods are called
// through the namespace (py.add, py.split), built-in functions, exceptions
// and modules by their Python names.
export { F, FloatValue, tuple as tup, isTuple, truthy, eq, cmp, lt, le, gt, ge, repr, str, floatRepr, hashKey, splitKw, isKwargs, typeName, int as normInt, type Int } from './core.js';
export { add, iadd, unpack, sub, mul, truediv, floordiv, mod, pow, neg, invert, bitand, bitor, bitxor, lshift, rshift, ne, not, contains, getitem, setitem, delitem, slice, setslice } from './ops.js';
export * from './methods.js';
export { pyFormat, formatValue, formatStr } from './format.js';
export {
  print, len, range, enumerate, zip, sorted, reversed, max, min, sum, any, all, abs, round, divmod, int_ as int, float, bool, list, tuple, dict, set, frozenset, bytes, bytearray,
  isinstance, callable, hasattr, getattr, setattr, id, ord, chr, hex, oct, bin, format, map, filter, pyIter as iter, next, exit, exit as quit, writeFd,
} from './builtins.js';
export { PyDict, PySet, DefaultDict, Counter } from './dict.js';
export {
  BaseException, Exception, KeyboardInterrupt, SystemExit, GeneratorExit, StopIteration, ArithmeticError, ZeroDivisionError, OverflowError, AssertionError, AttributeError, LookupError, KeyError, IndexError, NameError,
  OSError, IOError, EnvironmentError, FileNotFoundError, PermissionError, ProcessLookupError, FileExistsError, RuntimeError, NotImplementedError, PyTypeError, ValueError, UnicodeDecodeError, ImportError, ModuleNotFoundError,
  isInstanceExc, fromNodeError,
} from './exc.js';
export { run, blocking, checkSignals, sleep } from './run.js';
export { PyObject, withGetattr, or, and, enter, exit as exitContext, kwargs, type, open, input, params, call, vars, boundNames, starName, missingModule, nameError } from './objects.js';
export { sys, os, errno, time, datetime, signal, atexit, collections, itertools, functools, json, textwrap, re, subprocess, multiprocessing, resource, platform, struct, socket, argparse, pwd, stat, glob, binascii, traceback, logging, tempfile, fcntl, math, random, string, shutil, copy, threading, fnmatch } from './modules.js';
export * as ast from './ast.js';
export { curses } from './curses.js';
export { builtins } from './builtins-module.js';
