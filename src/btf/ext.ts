// .BTF.ext's CO-RE relocation records: which local type, which access path
// ("0:1:2"), which kind of question (offset, size, exists, ...) each
// instruction asks of the kernel's BTF. Strings live in the object's .BTF.
import { BtfError } from '../../lbc/src/pure.js';

export enum CoreReloKind {
  FieldByteOffset = 0, FieldByteSize, FieldExists, FieldSigned, FieldLshiftU64, FieldRshiftU64,
  TypeIdLocal, TypeIdTarget, TypeExists, TypeSize, EnumvalExists, EnumvalValue, TypeMatches,
}

export interface CoreRelo {
  section: string;
  insnOff: number;
  typeId: number;
  access: string;
  kind: CoreReloKind;
}

/** Parse .BTF.ext; `str` resolves offsets into the object's .BTF string table. */
export function coreRelocations(ext: Uint8Array, str: (off: number) => string, source = '.BTF.ext'): CoreRelo[] {
  const dv = new DataView(ext.buffer, ext.byteOffset, ext.byteLength);
  if (ext.byteLength < 24 || dv.getUint16(0, true) !== 0xeb9f) throw new BtfError(`${source}: not a .BTF.ext section`);
  const hdrLen = dv.getUint32(4, true);
  // core_relo_off/len follow func_info and line_info in the header, when the header is long enough to hold them
  if (hdrLen < 32) return [];
  const off = hdrLen + dv.getUint32(24, true);
  const len = dv.getUint32(28, true);
  if (len === 0) return [];
  if (off + len > ext.byteLength) throw new BtfError(`${source}: CO-RE relocations run past the section`);
  const recSize = dv.getUint32(off, true);
  if (recSize < 16) throw new BtfError(`${source}: CO-RE record size ${recSize} is too small`);
  const out: CoreRelo[] = [];
  for (let p = off + 4; p < off + len; ) {
    const section = str(dv.getUint32(p, true));
    const n = dv.getUint32(p + 4, true);
    p += 8;
    for (let i = 0; i < n; i++, p += recSize) {
      out.push({
        section, insnOff: dv.getUint32(p, true), typeId: dv.getUint32(p + 4, true),
        access: str(dv.getUint32(p + 8, true)), kind: dv.getUint32(p + 12, true),
      });
    }
  }
  return out;
}
