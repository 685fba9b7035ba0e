// Nothing of ours may stay attached when the process ends: on exit, SIGINT
// and SIGTERM every live object is destroyed. A program that handles those
// signals itself keeps control; we only clean up at its exit.
const live = new Set<{ destroy(): void }>();
let hooked = false;

function destroyAll(): void {
  for (const o of [...live]) {
    try {
      o.destroy();
    } catch {
      // exiting: keep tearing down the rest
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  // If the application listens too, it decides when to exit; 'exit' cleans up then.
  if (process.listenerCount(signal) > 1) return;
  destroyAll();
  process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
}

export function track(o: { destroy(): void }): void {
  live.add(o);
  if (hooked) return;
  hooked = true;
  process.on('exit', destroyAll);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

export function untrack(o: { destroy(): void }): void {
  live.delete(o);
}
