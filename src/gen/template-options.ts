// Compile options shared by the build-time precompiler and the run-time compiler.
export const TEMPLATE_OPTIONS = { noEscape: true, strict: true } as const;
