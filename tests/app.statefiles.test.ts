/**
 * Damaged state files in DATA_DIR at start (a power cut that truncated one, garbage, JSON of another
 * shape), through the real app: the file is moved aside to `<name>.corrupt-<time>` with its bytes
 * intact (never overwritten), the owner is told once in chat what was reset and where the old file
 * is, and the bot still answers /help and /portfolio. The practice account keeps a last good copy
 * (.bak) that is restored when the main file is damaged.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { centis } from "../src/domain/money.js";
import { USER } from "../src/sim/engine.js";
import { type AppHarness, OWNER, startAppHarness } from "./support/appHarness.js";

let h: AppHarness | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await h?.stop();
  h = undefined;
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function freshDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "statefiles-"));
  dirs.push(d);
  await mkdir(join(d, "data", "sim"), { recursive: true });
  return d;
}

/** A valid file of each kind; damage is made from it. */
const GOOD: Record<string, string> = {
  "alert-settings.json": JSON.stringify({ version: 1, chats: { [OWNER]: "silent" } }),
  "alerts-state.json": JSON.stringify({
    version: 1,
    fillCursorTs: 1,
    lastFillTs: 1,
    settlementCursorTs: 1,
    known: [["f:abc", 1]],
    pending: [],
  }),
  "order-outbox.json": JSON.stringify({ version: 1, cards: [], owners: [] }),
  "sim/sim-state.json": JSON.stringify({ version: 1, createdAt: 1, clockOffset: 0, accounts: {} }),
  "search-index.json": JSON.stringify({ version: 2, syncedAt: 1, series: [], events: [] }),
  "watch.json": JSON.stringify({ version: 1, nextId: 1, alerts: [], watches: [] }),
  "lifecycle-state.json": JSON.stringify({ version: 1, markets: {} }),
  "digest-state.json": JSON.stringify({ version: 1, lastSlot: null, values: null }),
};

const DAMAGE: Record<string, (good: string) => string> = {
  truncated: (good) => good.slice(0, Math.floor(good.length / 2)),
  garbage: () => "\u0000\u00ff garbage, not JSON at all",
  "another shape": () => JSON.stringify({ version: 1, unexpected: [1, 2, 3] }),
};

/** What the owner is told about each file ("Your <what> file was damaged …"); none for the index. */
const WHAT: Record<string, string | null> = {
  "alert-settings.json": "alert settings",
  "alerts-state.json": "alert state",
  "order-outbox.json": "order results",
  "sim/sim-state.json": "practice account",
  "search-index.json": null,
  "watch.json": "watchlist and price alerts",
  "lifecycle-state.json": "market notices",
  "digest-state.json": "daily digest",
};

const noticesTo = (hh: AppHarness) => hh.botMessages(OWNER).filter((m) => /file was damaged/.test(m.text));

async function movedAside(dataDir: string, file: string): Promise<string[]> {
  const [sub, name] = file.includes("/") ? file.split("/") : ["", file];
  const names = await readdir(join(dataDir, sub!));
  return names.filter((n) => n.startsWith(`${name}.corrupt-`)).map((n) => join(dataDir, sub!, n));
}

async function servesHelpAndPortfolio(hh: AppHarness): Promise<void> {
  await hh.ask("/help", "/buy");
  await hh.ask("/portfolio", /position|Portfolio|portfolio/);
}

describe("a damaged state file at start", () => {
  for (const file of Object.keys(GOOD)) {
    for (const [kind, damage] of Object.entries(DAMAGE)) {
      it(`${file}, ${kind}: moved aside with its bytes, owner told (the index: rebuilt, no notice), /help and /portfolio work`, async () => {
        const dir = await freshDir();
        const dataDir = join(dir, "data");
        const bad = damage(GOOD[file]!);
        await writeFile(join(dataDir, file), bad);
        h = await startAppHarness({ dir });
        // The search index is read on the first search.
        if (file === "search-index.json") await h.ask("/search rain", /./);

        const aside = await movedAside(dataDir, file);
        expect(aside).toHaveLength(1);
        expect(aside[0]).toMatch(/\.corrupt-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ$/);
        expect(await readFile(aside[0]!, "utf8")).toBe(bad);
        await servesHelpAndPortfolio(h);

        const what = WHAT[file];
        if (what === null) {
          // The search index is rebuilt from the exchange: nothing to tell.
          expect(noticesTo(h)).toEqual([]);
          return;
        }
        await h.waitForText(`Your ${what} file was damaged`);
        const notices = noticesTo(h);
        expect(notices).toHaveLength(1);
        expect(notices[0]!.text).toContain(`the old file is kept at ${aside[0]}`);
      });
    }
  }

  it("tells once: a restart after the notice says nothing more; a second damage is told again", async () => {
    const dir = await freshDir();
    const settings = join(dir, "data", "alert-settings.json");
    await writeFile(settings, "{");
    h = await startAppHarness({ dir });
    await h.waitForText("Your alert settings file was damaged");
    await h.stop();

    h = await startAppHarness({ dir });
    await servesHelpAndPortfolio(h);
    expect(noticesTo(h)).toEqual([]);
    // The file written since is good; the setting chosen now survives the next restart.
    await h.ask("/alerts off", /off/i);
    await h.stop();

    await writeFile(settings, "garbage");
    h = await startAppHarness({ dir });
    await h.waitForText("Your alert settings file was damaged");
    expect(noticesTo(h)).toHaveLength(1);
    expect(await movedAside(join(dir, "data"), "alert-settings.json")).toHaveLength(2);
  });
});

describe("the practice account's last good copy (.bak)", () => {
  /** Starts, buys a position in the sim, saves twice (the .bak is then the same account), stops. */
  async function accountWithPosition(dir: string) {
    h = await startAppHarness({ dir });
    const m = h.sim.engine
      .markets()
      .find((x) => x.status === "active" && h!.sim.engine.top(x.ticker).ask !== null)!;
    const ask = h.sim.engine.top(m.ticker).ask!;
    h.sim.engine.placeOrder(USER, {
      ticker: m.ticker,
      side: "bid",
      price: ask,
      count: centis(300),
      tif: "immediate_or_cancel",
    });
    h.sim.flush();
    h.sim.flush();
    const account = structuredClone(h.sim.engine.account(USER));
    await h.stop();
    h = undefined;
    expect(account.positions[m.ticker]?.position).toBe(300);
    return { ticker: m.ticker, title: m.title, account };
  }

  it("main file damaged, .bak good: balance and positions are back, owner told it was restored", async () => {
    const dir = await freshDir();
    const state = join(dir, "data", "sim", "sim-state.json");
    const before = await accountWithPosition(dir);
    const good = await readFile(state, "utf8");
    await writeFile(state, good.slice(0, 100));

    h = await startAppHarness({ dir });
    const after = h.sim.engine.account(USER);
    expect(after.balance).toBe(before.account.balance);
    expect(after.positions[before.ticker]?.position).toBe(300);
    const told = await h.waitForText("Your practice account file was damaged");
    expect(told).toContain("restored from the last good copy");
    const aside = await movedAside(join(dir, "data"), "sim/sim-state.json");
    expect(told).toContain(aside[0]);
    await h.ask("/portfolio", before.ticker.slice(0, 6));
    await h.ask("/help", "/buy");
  });

  it("main file and .bak both damaged: a fresh account, both moved aside, owner told", async () => {
    const dir = await freshDir();
    const state = join(dir, "data", "sim", "sim-state.json");
    await accountWithPosition(dir);
    await writeFile(state, "{ truncated");
    await writeFile(`${state}.bak`, "garbage");

    h = await startAppHarness({ dir });
    expect(h.sim.engine.account(USER).positions).toEqual({});
    const told = await h.waitForText("Your practice account file was damaged and has been reset");
    const main = await movedAside(join(dir, "data"), "sim/sim-state.json");
    const bak = await movedAside(join(dir, "data"), "sim/sim-state.json.bak");
    expect(main).toHaveLength(1);
    expect(bak).toHaveLength(1);
    expect(told).toContain(`the old files are kept at ${main[0]} and ${bak[0]}`);
    expect(told).toContain("A fresh practice account was started.");
    expect(await readFile(bak[0]!, "utf8")).toBe("garbage");
    await servesHelpAndPortfolio(h);
  });
});
