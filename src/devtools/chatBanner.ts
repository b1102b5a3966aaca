/**
 * The lines `npm run chat` prints before the conversation: which money it moves, and, with the
 * built-in sim, where the sim listens and how to drive it from another terminal (move the market,
 * settle, inject faults) while you chat. The full list of controls is in docs/sim.md.
 */
export interface BannerSim {
  baseUrl: string;
  wsUrl: string;
  controlUrl: string;
}

export function chatBanner(envTag: string, sim: BannerSim | null, logDir: string): string {
  const lines = [
    `Local chat with the bot (${envTag}${sim ? ": simulated exchange, paper money" : ""}).`,
    "Type a message or a command such as /help, /search temperature, /buy, /portfolio. Type a number to tap a button.",
  ];
  if (sim) {
    lines.push(
      `Sim: REST ${sim.baseUrl} · WebSocket ${sim.wsUrl}`,
      `Sim controls (POST, JSON body; docs/sim.md): ${sim.controlUrl}/state (GET), /trade, /settle, /close, /clock, /faults, /ws/drop, /latency, /reset`,
      `  e.g. curl -s ${sim.controlUrl}/state   or   curl -s -X POST ${sim.controlUrl}/settle -d '{"ticker":"…","result":"yes"}'`,
    );
  }
  lines.push(`Logs: ${logDir}. Press Ctrl+D or Ctrl+C to leave.`, "");
  return lines.join("\n");
}
