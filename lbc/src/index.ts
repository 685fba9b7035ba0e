// The lbc runtime: load, attach and stream CO-RE BPF objects from TypeScript.
export { BpfObject, type OpenOptions, type State } from './object.js';
export { Program, type AttachTarget, kprobesAvailable } from './program.js';
export { type Link, LibbpfLink } from './link.js';
export { BpfMap, UpdateFlags, MAP_TYPES, type MapType, type MapInfo, type ValueCodec, numPossibleCpus } from './map.js';
export * as codec from './codec.js';
export { type Codec, sum, max } from './codec.js';
export { RingBufferConsumer, PerfBufferConsumer, EventQueue, type RawHandler, type ConsumerStats, onlineCpus } from './ring.js';
export { GlobalSection } from './globals.js';
export { LbcError, VerifierError, NotSupportedError, UsageError } from './errors.js';
export { Btf, Kind as BtfKind, type BtfType } from './btf.js';
export { parseSection, type ProgramKind, type SectionInfo } from './section.js';
export { ensureBpffs, ensureTracefs, BPFFS, TRACEFS } from './sysfs.js';
export type { GlobalValue, GlobalVar } from './globals.js';
export { formatLog2Hist, formatLinearHist, formatLog10Hist } from './hist.js';
export { inetNtop, pyFormat } from './format.js';
export { ksym, formatKsym, stackAddresses, tracedStack } from './ksyms.js';
export { loadedPrograms, enableRunStats, type LoadedProgram } from './introspect.js';
export { IcmpSocket, ProbeSocket, inetChecksum, sockaddr, sockaddrIn, ipString, ipv6Bytes, type IcmpMessage, type ProbeKind, type ProbeProtocol } from './rawsock.js';
