// The part of lbc that reads files and bytes and never the kernel: ELF
// sections, BTF, codecs, BCC-style formatting, addresses, socket filters.
// Importing it loads neither koffi nor libbpf, so the toolchain (lcc gen,
// convert, build) and its tests run anywhere; @lcc-ebpf/lbc re-exports all of it.
export * as codec from './codec.js';
export { type Codec, sum, max } from './codec.js';
export { LbcError, VerifierError, NotSupportedError, UsageError, verifierReason, type VerifierReason } from './errors.js';
export { canLoadBpf, effectiveCaps, hasCap, PRIVILEGE_HINT, PRIVILEGE_MISSING, CAP_BPF, CAP_NET_ADMIN, CAP_NET_RAW, CAP_PERFMON, CAP_SYS_ADMIN } from './caps.js';
export { Btf, BtfError, Kind as BtfKind, type BtfType, type BtfMember } from './btf.js';
export { MAP_TYPES, type MapType } from './maptypes.js';
export { parseSection, type ProgramKind, type SectionInfo } from './section.js';
export { elfSection } from './elf.js';
export { formatLog2Hist, formatLinearHist, formatLog10Hist } from './hist.js';
export { inetNtop, pyFormat } from './format.js';
export { ksym, formatKsym, stackAddresses, tracedStack } from './ksyms.js';
export { AF_INET, AF_INET6, inetChecksum, sockaddr, sockaddrIn, ipString, ipv6Bytes } from './addr.js';
export { echoReplyFilter, encodeFilter, type SockFilterInsn, type EchoReplyMatch } from './sockfilter.js';
