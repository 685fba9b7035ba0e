// lcc build --watch: build again when a C source or header changes in the
// source's directory or an -I directory. The build itself decides by content
// whether anything changed (its stamp), so a save that changes nothing, or an
// editor's temporary file, costs a check and no compile.
import * as fs from 'node:fs';
import * as path from 'node:path';

const SOURCE = /\.(c|h)$/;

/**
 * Run `build` after each burst of changes (50 ms quiet), never two at once;
 * resolves when SIGINT or SIGTERM arrives.
 */
export function watchSources(src: string, includeDirs: string[], build: () => Promise<void>, log: (line: string) => void): Promise<void> {
  const dirs = [...new Set([path.dirname(path.resolve(src)), ...includeDirs.map((d) => path.resolve(d))])];
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<void> | null = null;
    let again = false;
    const run = (): void => {
      if (running) {
        again = true;
        return;
      }
      running = build().finally(() => {
        running = null;
        if (again) {
          again = false;
          run();
        }
      });
    };
    const watchers = dirs.map((d) => fs.watch(d, (_, name) => {
      if (!name || !SOURCE.test(name.toString())) return;
      clearTimeout(timer);
      timer = setTimeout(run, 50);
    }));
    log(`lcc build: watching ${dirs.map((d) => path.relative(process.cwd(), d) || '.').join(', ')} for .c and .h changes (Ctrl-C to stop)`);
    const stop = (): void => {
      for (const w of watchers) w.close();
      clearTimeout(timer);
      void (running ?? Promise.resolve()).then(() => resolve());
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
