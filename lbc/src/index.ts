// The lbc runtime: load, attach and stream CO-RE BPF objects from TypeScript.
export { BpfObject, type OpenOptions, type State } from './object.js';
export { Program, type AttachTarget, kprobesAvailable } from './program.js';
export { type Link, LibbpfLink } from './link.js';
export { BpfMap, UpdateFlags, MAP_TYPES, type MapType, type MapInfo, type ValueCodec, numPossibleCpus } from './map.js';
export { RingBufferConsumer, PerfBufferConsumer, EventQueue, type RawHandler, type ConsumerStats, onlineCpus } from './ring.js';
export { GlobalSection } from './globals.js';
export { ensureBpffs, ensureTracefs, isBpffsMounted, isTracefsMounted, BPFFS, TRACEFS } from './sysfs.js';
export type { GlobalValue, GlobalVar } from './globals.js';
export { loadedPrograms, enableRunStats, libbpfVersion, type LoadedProgram } from './introspect.js';
export { IcmpSocket, ProbeSocket, type IcmpMessage, type ProbeKind, type ProbeProtocol } from './rawsock.js';
// what reads files and bytes only, also importable without libbpf: @lcc-ebpf/lbc/pure
export * from './pure.js';
