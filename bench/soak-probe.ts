/**
 * Loaded into the bot process by the soak benchmark (`node --import tsx --import bench/soak-probe.ts
 * src/main.ts`): answers "sample" over the IPC channel with the heap after a full GC (when started
 * with --expose-gc) and the count of open handles. The bot itself is not changed; the channel is
 * unref'd so it never keeps the bot alive.
 */
process.on("message", (m) => {
  if (m !== "sample") return;
  (globalThis as { gc?: () => void }).gc?.();
  const mem = process.memoryUsage();
  process.send?.({
    heapUsedMb: mem.heapUsed / 2 ** 20,
    rssMb: mem.rss / 2 ** 20,
    handles: process.getActiveResourcesInfo().filter((r) => r !== "TTYWrap").length,
  });
});
process.channel?.unref();
