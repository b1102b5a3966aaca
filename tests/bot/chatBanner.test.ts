/** What `npm run chat` prints first: the sim's addresses and control endpoints when it runs one. */
import { describe, expect, it } from "vitest";
import { chatBanner } from "../../src/devtools/chatBanner.js";

describe("chatBanner", () => {
  it("with the built-in sim: REST, WebSocket and the control endpoints with an example", () => {
    const b = chatBanner(
      "🧪 SIM",
      {
        baseUrl: "http://127.0.0.1:40123/trade-api/v2",
        wsUrl: "ws://127.0.0.1:40123/trade-api/ws/v2",
        controlUrl: "http://127.0.0.1:40123/sim",
      },
      "/tmp/logs",
    );
    expect(b).toContain(
      "Sim: REST http://127.0.0.1:40123/trade-api/v2 · WebSocket ws://127.0.0.1:40123/trade-api/ws/v2",
    );
    expect(b).toContain("http://127.0.0.1:40123/sim/state (GET), /trade, /settle, /close");
    expect(b).toContain("curl -s http://127.0.0.1:40123/sim/state");
    expect(b).toContain("Logs: /tmp/logs.");
  });

  it("against demo or production: no sim lines", () => {
    const b = chatBanner("🔴 LIVE", null, "/tmp/logs");
    expect(b).not.toContain("Sim");
    expect(b).toContain("Local chat with the bot (🔴 LIVE).");
  });
});
