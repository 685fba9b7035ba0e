// Trust, but verify: compare every layout we computed with the BTF clang
// wrote into the compiled object. A mismatch means our decoders would read
// the wrong bytes, so the generator refuses to emit.
import * as fs from 'node:fs';
import { Btf, BtfKind, elfSection } from '../../lbc/src/pure.js';
import { recordName, type CType } from './ctypes.js';
import { recordLayout, layoutOf } from './layout.js';
import { GenError } from './parse.js';
import type { Model } from './model.js';

export function objectBtf(objectPath: string): Btf {
  const elf = fs.readFileSync(objectPath);
  const sec = elfSection(elf, '.BTF', objectPath);
  if (!sec) throw new GenError(objectPath, undefined, 'the object has no .BTF section', 'compile with clang -g');
  return Btf.parse(sec, `${objectPath} .BTF`);
}

/** Every source-defined struct/union clang kept in BTF must match our layout exactly. */
export function checkAgainstBtf(model: Model, objectPath: string, parsed?: Btf): number {
  const btf = parsed ?? objectBtf(objectPath);
  let checked = 0;
  for (const t of model.types) {
    if (t.kind === 'enum') {
      const b = t.en.name ? btf.find(t.en.name).find((x) => x.kind === BtfKind.Enum || x.kind === BtfKind.Enum64) : undefined;
      if (b && b.sizeOrType !== layoutOf(t).size) fail(model, t, `enum size ${layoutOf(t).size} but clang made it ${b.sizeOrType}`, objectPath);
      if (b) checked++;
      continue;
    }
    if (t.kind !== 'record') continue;
    const rec = t.rec;
    const kind = rec.tag === 'struct' ? BtfKind.Struct : BtfKind.Union;
    let b = rec.name ? btf.find(rec.name, kind)[0] : undefined;
    if (!b && rec.typedefName) {
      const td = btf.find(rec.typedefName, BtfKind.Typedef)[0];
      if (td) {
        const r = btf.resolve(td.id);
        if (r.kind === kind) b = r;
      }
    }
    if (!b) continue; // unused types do not reach BTF
    const ours = recordLayout(rec);
    if (b.sizeOrType !== ours.size) fail(model, t, `size ${ours.size} but clang made it ${b.sizeOrType}`, objectPath);
    const members = b.members!;
    if (members.length !== ours.fields.length) fail(model, t, `${ours.fields.length} members but clang's BTF has ${members.length}`, objectPath);
    members.forEach((m, i) => {
      const f = ours.fields[i]!;
      const label = f.field.name ?? `member #${i + 1}`;
      if (m.bitOffset !== f.bitOffset || (m.bitSize || 0) !== f.bitSize) {
        fail(model, t, `${label} at bit ${f.bitOffset} (${f.bitSize || 'not a'} bitfield) but clang put it at bit ${m.bitOffset}${m.bitSize ? ` (${m.bitSize}-bit bitfield)` : ''}`, objectPath);
      }
    });
    checked++;
  }
  return checked;
}

function fail(model: Model, t: CType, detail: string, objectPath: string): never {
  const where = model.unit.defined.find((d) => d.type === t)?.where;
  const name = t.kind === 'record' ? recordName(t.rec) : t.kind === 'enum' ? `enum ${t.en.name}` : '?';
  throw new GenError(where?.file ?? model.file, where?.pos, `layout of ${name} disagrees with ${objectPath}: ${detail}`, 'the object may be stale (rebuild it), or this is an lcc layout bug: please report it with the type');
}
