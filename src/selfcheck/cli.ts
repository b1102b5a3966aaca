/**
 * Entry of `npm run selfcheck`. Ctrl-C (or SIGTERM) stops the run between steps; the self-check
 * then cancels its order (by id, routed) before the process exits. A second Ctrl-C exits at once.
 */
import { selfcheckMain } from "./main.js";

const ac = new AbortController();
let signals = 0;
const onSignal = () => {
  signals++;
  if (signals === 1) {
    process.stderr.write("\nStopping: cancelling the self-check's order first (Ctrl-C again to quit now)…\n");
    ac.abort();
    return;
  }
  process.stderr.write(
    "Quit before clean-up finished: check /orders in the bot or kalshi.com for a 1-contract bid from the self-check.\n",
  );
  process.exit(130);
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

selfcheckMain(process.argv.slice(2), { signal: ac.signal })
  .then(({ code }) => process.exit(code))
  .catch((e: unknown) => {
    process.stderr.write(
      `The self-check stopped unexpectedly: ${e instanceof Error ? e.message : String(e)}\n`,
    );
    process.exit(1);
  });
