// Names made from the user's: C identifiers to TypeScript type names, one
// rule for the skeleton, converted tools and scaffolds alike.

/** snake_case or kebab-case → PascalCase. */
export const pascal = (s: string): string => s.replace(/(^|[_\W]+)(\w)/g, (_, __, c: string) => c.toUpperCase()).replace(/\W/g, '');
