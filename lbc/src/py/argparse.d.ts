// argparse 2.0.1 (the npm port of Python 3.9's argparse) ships no types: it is used as Python's is, untyped
declare module 'argparse' {
  const argparse: Record<string, any>;
  export default argparse;
}
