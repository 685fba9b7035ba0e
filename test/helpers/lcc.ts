// Run the lcc CLI from source as a child process (what a user types, minus the build step).
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
