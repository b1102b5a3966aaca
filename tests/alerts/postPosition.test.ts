/**
 * The post-position maths without a stream or an exchange: each case a trader would see as the
 * position line (and BUY/SELL direction) of a fill that came from REST.
 */
import { describe, expect, it } from "vitest";
import type { Centis, Micros } from "../../src/domain/money.js";
import type { Fill, Settlement } from "../../src/exchange/port.js";
import {
  byTime,
  knownFill,
  mergeOldestFirst,
  postPositionsFromHistory,
  postPositionsFromPosition,
  zeroPositionTrusted,
} from "../../src/alerts/postPosition.js";

/** A fill of `count` contracts (bid = +count, ask = −count) on KXT at `ts`. */
function fill(id: string, ts: number, bookSide: "bid" | "ask", count: number, ticker = "KXT"): Fill {
  return {
    fillId: id,
    tradeId: `t-${id}`,
    orderId: `o-${id}`,
    ticker,
    outcomeSide: "yes",
    bookSide,
    count: (count * 100) as Centis,
    yesPrice: 550_000 as Micros,
    noPrice: 450_000 as Micros,
    isTaker: true,
    fee: 0 as Micros,
    createdTime: ts,
  };
}

const c = (n: number) => (n * 100) as Centis;

function settlement(over: Partial<Settlement> = {}): Settlement {
  return {
    ticker: "KXT",
    eventTicker: "KX",
    marketResult: "yes",
    yesCount: c(0),
    noCount: c(0),
    yesTotalCost: 0 as Micros,
    noTotalCost: 0 as Micros,
    revenue: 0 as Micros,
    fee: 0 as Micros,
    settledTime: 1000,
    value: null,
    ...over,
  };
}

const asObject = (m: Map<string, Centis> | null) => (m ? Object.fromEntries(m) : null);

describe("postPositionsFromPosition", () => {
  it("walks back from the current position over the later fills it reflects", () => {
    const a = fill("a", 10, "bid", 10);
    const b = fill("b", 20, "bid", 5);
    const d = fill("d", 30, "ask", 3);
    const post = postPositionsFromPosition({
      ticker: "KXT",
      items: [a, b, d],
      ordered: [a, b, d],
      earlier: [],
      current: c(12),
      cutoff: null,
    });
    expect(asObject(post)).toEqual({ a: c(10), b: c(15), d: c(12) });
  });

  it("adds the fills made after the position's last update (not reflected yet)", () => {
    const a = fill("a", 10, "bid", 10);
    const b = fill("b", 50, "bid", 5); // after the position was last updated (cutoff 20)
    const post = postPositionsFromPosition({
      ticker: "KXT",
      items: [a, b],
      ordered: [a, b],
      earlier: [],
      current: c(10),
      cutoff: 20,
    });
    expect(asObject(post)).toEqual({ a: c(10), b: c(15) });
  });

  it("counts fills taken in earlier and not listed again, and ignores other markets", () => {
    // e (sold 4) and x were taken in over the stream after a; the listing no longer shows them
    const earlier = [knownFill(fill("e", 15, "ask", 4)), knownFill(fill("x", 16, "bid", 99, "OTHER"))];
    const a = fill("a", 10, "bid", 10);
    const post = postPositionsFromPosition({
      ticker: "KXT",
      items: [a],
      ordered: [a],
      earlier,
      current: c(6),
      cutoff: null,
    });
    expect(asObject(post)).toEqual({ a: c(10) });
  });

  it("keeps the exchange's order for fills of the same millisecond", () => {
    const a = fill("a", 10, "bid", 10);
    const b = fill("b", 10, "ask", 4);
    const post = postPositionsFromPosition({
      ticker: "KXT",
      items: [a, b],
      ordered: [a, b],
      earlier: [],
      current: c(6),
      cutoff: null,
    });
    expect(asObject(post)).toEqual({ a: c(10), b: c(6) });
  });

  it("a position short of NO shows as negative (SELL NO is told from it)", () => {
    const a = fill("a", 10, "bid", 10); // closes 10 of 30 NO
    const post = postPositionsFromPosition({
      ticker: "KXT",
      items: [a],
      ordered: [a],
      earlier: [],
      current: c(-20),
      cutoff: null,
    });
    expect(asObject(post)).toEqual({ a: c(-20) });
  });
});

describe("postPositionsFromHistory (settled market)", () => {
  it("sums the market's fills from zero when they add up to the settlement", () => {
    const history = [fill("a", 10, "bid", 10), fill("b", 20, "ask", 4), fill("late", 2000, "bid", 1)];
    const post = postPositionsFromHistory(history, settlement({ yesCount: c(6), settledTime: 1000 }));
    // the fill after the settlement time is not counted
    expect(asObject(post)).toEqual({ a: c(10), b: c(6) });
  });

  it("gives nothing when the history does not add up to the settlement's net count", () => {
    const history = [fill("a", 10, "bid", 10)];
    expect(postPositionsFromHistory(history, settlement({ yesCount: c(7) }))).toBeNull();
  });

  it("gives nothing when the settlement lists both YES and NO", () => {
    const history = [fill("a", 10, "bid", 10)];
    expect(postPositionsFromHistory(history, settlement({ yesCount: c(20), noCount: c(10) }))).toBeNull();
  });

  it("a NO holding settles as a negative net count", () => {
    const history = [fill("a", 10, "ask", 8)];
    expect(asObject(postPositionsFromHistory(history, settlement({ noCount: c(8) })))).toEqual({ a: c(-8) });
  });
});

describe("zeroPositionTrusted", () => {
  it("trusts a 0 only on a market that is not settled", () => {
    expect(zeroPositionTrusted("active", false)).toBe(true);
    expect(zeroPositionTrusted("closed", false)).toBe(true);
    for (const s of ["determined", "disputed", "amended", "finalized"] as const)
      expect(zeroPositionTrusted(s, true)).toBe(false);
  });

  it("without the status, trusts it only when the settlements were read (and listed none)", () => {
    expect(zeroPositionTrusted(null, true)).toBe(true);
    expect(zeroPositionTrusted(null, false)).toBe(false);
  });
});

describe("ordering helpers", () => {
  it("byTime sorts oldest first and keeps the given order within a millisecond", () => {
    const fills = [
      fill("c", 30, "bid", 1),
      fill("a", 10, "bid", 1),
      fill("b1", 20, "bid", 1),
      fill("b2", 20, "bid", 1),
    ];
    expect(byTime(fills).map((f) => f.fillId)).toEqual(["a", "b1", "b2", "c"]);
  });

  it("mergeOldestFirst puts extra fills after the listed ones of the same time, each once", () => {
    const listed = [fill("a", 10, "bid", 1), fill("b", 20, "bid", 1), fill("d", 40, "bid", 1)];
    const extra = [fill("b", 20, "bid", 1), fill("b2", 20, "bid", 1), fill("e", 50, "bid", 1)];
    expect(mergeOldestFirst(listed, extra).map((f) => f.fillId)).toEqual(["a", "b", "b2", "d", "e"]);
  });
});
