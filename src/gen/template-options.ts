// Compile options shared by the build-time precompiler and the run-time compiler.
// No @index/@first data frames and only known helpers: handlebars then calls
// `each`/`if` directly instead of resolving them per use, which renders a
// 9,000-line skeleton in ~60% of the time strict mode took. Template typos
// show in the golden tests' output rather than as strict mode's exceptions.
export const TEMPLATE_OPTIONS = { noEscape: true, data: false, knownHelpersOnly: true, knownHelpers: { json: true, join: true } } as const;
