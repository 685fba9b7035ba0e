// The layout engine, table-driven: C declarations and the layout the BPF
// target's ABI gives them. The whole table is also compiled with clang and
// compared with its BTF, so the expectations themselves are checked.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildModel } from '../src/gen/model.js';
import { checkAgainstBtf } from '../src/gen/btfcheck.js';
import { flatFields, layoutOf } from '../src/gen/layout.js';
import { compile } from '../src/clang/compile.js';
import type { CType } from '../src/gen/ctypes.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const OUT = path.join(here, '.out', 'layout');

interface Case { name: string; c: string; size: number; align: number; fields?: Record<string, [bitOffset: number, bitSize?: number]> }

const CASES: Case[] = [
  { name: 'padding before int', c: 'struct t1 { char a; int b; };', size: 8, align: 4, fields: { a: [0], b: [32] } },
  { name: 'long in the middle', c: 'struct t2 { char a; long b; char c; };', size: 24, align: 8, fields: { b: [64], c: [128] } },
  { name: 'bitfields share a unit until one would straddle it', c: 'struct t3 { int a:3; int b:5; int c:30; };', size: 8, align: 4, fields: { a: [0, 3], b: [3, 5], c: [32, 30] } },
  { name: 'bitfield after a char', c: 'struct t4 { char a; int b:4; };', size: 4, align: 4, fields: { b: [8, 4] } },
  { name: 'zero-width bitfield closes the unit', c: 'struct t5 { int a:4; int :0; int b:4; };', size: 8, align: 4, fields: { a: [0, 4], b: [32, 4] } },
  { name: 'u64 bitfield then a byte', c: 'struct t6 { __u64 x:40; __u8 y; };', size: 8, align: 8, fields: { x: [0, 40], y: [40] } },
  { name: 'packed', c: 'struct t7 { char a; int b; short c; } __attribute__((packed));', size: 7, align: 1, fields: { b: [8], c: [40] } },
  { name: 'packed bitfields run across bytes', c: 'struct t8 { __u8 a:3; __u16 b:9; __u32 c:20; } __attribute__((packed));', size: 4, align: 1, fields: { a: [0, 3], b: [3, 9], c: [12, 20] } },
  { name: 'aligned member', c: 'struct t9 { char a; int b __attribute__((aligned(8))); };', size: 16, align: 8, fields: { b: [64] } },
  { name: 'aligned struct', c: 'struct t10 { char a; } __attribute__((aligned(16)));', size: 16, align: 16 },
  { name: 'union of array and int', c: 'union t11 { char a[5]; int b; };', size: 8, align: 4, fields: { a: [0], b: [0] } },
  { name: '__int128 aligns to 16', c: 'struct t12 { char a; __int128 b; };', size: 32, align: 16, fields: { b: [128] } },
  { name: 'flexible array member', c: 'struct t13 { int n; char data[]; };', size: 4, align: 4, fields: { data: [32] } },
  { name: 'nested struct', c: 'struct t14 { short s; struct { char c; long l; } inner; };', size: 24, align: 8, fields: { s: [0], inner: [64] } },
  { name: 'anonymous union members lift into the parent', c: 'struct t15 { int k; union { __u64 u; __u32 h[2]; }; char z; };', size: 24, align: 8, fields: { k: [0], u: [64], h: [64], z: [128] } },
  { name: 'bool and a 2-d char array', c: 'struct t16 { bool f; char g[3][2]; };', size: 7, align: 1, fields: { g: [8] } },
  { name: 'pointers are 8 bytes', c: 'struct t17 { char a; void *p; };', size: 16, align: 8, fields: { p: [64] } },
  { name: 'enum is an int', c: 'enum t18 { T18_A, T18_B }; struct t18s { char a; enum t18 e; };', size: 8, align: 4, fields: { e: [32] } },
  { name: 'an enum value past 32 bits makes it 8 bytes', c: 'enum t19 { T19_BIG = 1ULL << 40 }; struct t19s { char a; enum t19 e; };', size: 16, align: 8, fields: { e: [64] } },
  { name: 'enum with an underlying type', c: 'enum t20 : __u8 { T20_A = 1 }; struct t20s { char a; enum t20 e; };', size: 2, align: 1, fields: { e: [8] } },
  { name: 'array of structs', c: 'struct t21e { int x; char y; }; struct t21 { char a; struct t21e arr[3]; };', size: 28, align: 4, fields: { arr: [32] } },
  { name: 'kernel struct by value', c: 'struct t22 { char a; struct in6_addr addr; };', size: 20, align: 4, fields: { addr: [32] } },
  { name: 'signed char bitfields', c: 'struct t23 { signed char a:2; unsigned char b:7; };', size: 2, align: 1, fields: { a: [0, 2], b: [8, 7] } },
];

const lastRecord = (types: CType[]): CType => types[types.length - 1]!;

describe('layout table', () => {
  fs.mkdirSync(OUT, { recursive: true });
  const file = path.join(OUT, 'table.bpf.c');
  const keep = CASES.map((c, i) => {
    const tag = /^(?:.*;\s*)?(struct|union) (\w+) \{/.exec(c.c)!;
    return `${tag[1]} ${tag[2]} __keep_${i};`;
  });
  fs.writeFileSync(file, `#include "lbc.h"\n${CASES.map((c) => c.c).join('\n')}\n${keep.join('\n')}\n`);
  const model = buildModel(path.relative(process.cwd(), file));
  const byName = new Map(model.types.map((t) => [t.kind === 'record' ? t.rec.name : t.kind === 'enum' ? t.en.name : '', t]));

  for (const c of CASES) {
    it(c.name, () => {
      const tag = /^(?:.*;\s*)?(struct|union) (\w+) \{/.exec(c.c)![2]!;
      const t = byName.get(tag) ?? lastRecord(model.types);
      expect(layoutOf(t)).toEqual({ size: c.size, align: c.align });
      if (c.fields && t.kind === 'record') {
        const got = Object.fromEntries(flatFields(t.rec).map((f) => [f.name, f.bitSize ? [f.bitOffset, f.bitSize] : [f.bitOffset]]));
        for (const [name, want] of Object.entries(c.fields)) expect(got[name], name).toEqual(want);
      }
    });
  }

  it('and clang agrees with every row', () => {
    const obj = compile(file, { out: path.join(OUT, 'table.bpf.o') });
    expect(checkAgainstBtf(model, obj)).toBeGreaterThanOrEqual(CASES.length);
  });
});
