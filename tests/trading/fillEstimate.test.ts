/** The order-book walk behind quote estimates (src/trading/fillEstimate.ts), on hand-built books. */
import { describe, expect, it } from "vitest";
import { contracts, parseDollars } from "../../src/domain/money.js";
import type { Orderbook } from "../../src/exchange/port.js";
import { feeOfFills, takeLevels, walkBook } from "../../src/trading/fillEstimate.js";

const usd = parseDollars;
const lvl = (p: string, n: number) => ({ price: usd(p), count: contracts(n) });

/** YES bids 0.60×4, 0.58×5, 0.50×10; NO bids 0.37×3, 0.36×5, 0.32×20 (YES asks 0.63, 0.64, 0.68). */
const BOOK: Orderbook = {
  ticker: "KXT-1",
  yesBids: [lvl("0.60", 4), lvl("0.58", 5), lvl("0.50", 10)],
  noBids: [lvl("0.37", 3), lvl("0.36", 5), lvl("0.32", 20)],
};

describe("takeLevels", () => {
  it("a buy of YES takes the NO bids as YES asks, cheapest first; a sell of YES hits the YES bids", () => {
    expect(takeLevels(BOOK, "yes", "buy")).toEqual([lvl("0.63", 3), lvl("0.64", 5), lvl("0.68", 20)]);
    expect(takeLevels(BOOK, "yes", "sell")).toEqual(BOOK.yesBids);
    expect(takeLevels(BOOK, "no", "buy")).toEqual([lvl("0.40", 4), lvl("0.42", 5), lvl("0.50", 10)]);
    expect(takeLevels(BOOK, "no", "sell")).toEqual(BOOK.noBids);
  });
});

describe("walkBook", () => {
  it("buy 10 YES up to $0.68: 3 @ 0.63 + 5 @ 0.64 + 2 @ 0.68, average to the micro-dollar, worst $0.68", () => {
    const w = walkBook(takeLevels(BOOK, "yes", "buy"), contracts(10), usd("0.68"), "buy");
    expect(w.filled).toBe(contracts(10));
    expect(w.unfilled).toBe(contracts(0));
    expect(w.value).toBe(usd("6.45")); // 1.89 + 3.20 + 1.36
    expect(w.averagePrice).toBe(usd("0.645"));
    expect(w.worstPrice).toBe(usd("0.68"));
    expect(w.fills).toEqual([lvl("0.63", 3), lvl("0.64", 5), lvl("0.68", 2)]);
  });

  it("buy 10 YES up to $0.64: 8 fill (avg $0.63625), 2 would not fill at or below the cap", () => {
    const w = walkBook(takeLevels(BOOK, "yes", "buy"), contracts(10), usd("0.64"), "buy");
    expect(w.filled).toBe(contracts(8));
    expect(w.unfilled).toBe(contracts(2));
    expect(w.value).toBe(usd("5.09"));
    expect(w.averagePrice).toBe(usd("0.63625"));
    expect(w.worstPrice).toBe(usd("0.64"));
  });

  it("sell 12 YES down to $0.55: 4 @ 0.60 + 5 @ 0.58, 3 unfilled; proceeds $5.30", () => {
    const w = walkBook(takeLevels(BOOK, "yes", "sell"), contracts(12), usd("0.55"), "sell");
    expect(w.filled).toBe(contracts(9));
    expect(w.unfilled).toBe(contracts(3));
    expect(w.value).toBe(usd("5.30"));
    expect(w.averagePrice).toBe(usd("0.588889")); // 5.30 / 9, half-up to the micro-dollar
    expect(w.worstPrice).toBe(usd("0.58"));
  });

  it("an empty book or a cap better than the touch fills nothing: no average, no worst price", () => {
    const none = walkBook([], contracts(5), usd("0.99"), "buy");
    expect(none).toMatchObject({ filled: 0, unfilled: contracts(5), averagePrice: null, worstPrice: null });
    const capped = walkBook(takeLevels(BOOK, "no", "sell"), contracts(5), usd("0.40"), "sell");
    expect(capped).toMatchObject({ filled: 0, unfilled: contracts(5), value: 0 });
  });

  it("fractional counts walk in centi-contracts and the value rounds half-up", () => {
    const w = walkBook([lvl("0.333", 1)], 150 as never, usd("0.50"), "buy");
    expect(w.filled).toBe(100);
    expect(w.unfilled).toBe(50);
    expect(w.value).toBe(usd("0.333"));
  });
});

describe("feeOfFills", () => {
  const quadratic = { feeType: "quadratic" as const, multiplier: 1 };

  it("each level is charged to the cent, and the order's accumulator refunds a cent once rounding fees reach $0.01", () => {
    // 3 @ 0.60: fee $0.0504 + rounding $0.0096; 5 @ 0.62: $0.0825 + $0.0075. Rounding $0.0171 → 1¢ back.
    const fee = feeOfFills([lvl("0.60", 3), lvl("0.62", 5)], "yes", "buy", quadratic);
    expect(fee).toBe(usd("0.14"));
  });

  it("no refund while the rounding fees stay under a cent; one level is ceil-to-cent of the fee", () => {
    // 4 @ 0.60 sold: $0.0672 + $0.0028; 5 @ 0.58: $0.0853 + $0.0047 (together $0.0075).
    expect(feeOfFills([lvl("0.60", 4), lvl("0.58", 5)], "yes", "sell", quadratic)).toBe(usd("0.16"));
    expect(feeOfFills([lvl("0.50", 10)], "yes", "buy", quadratic)).toBe(usd("0.18"));
    expect(feeOfFills([], "yes", "buy", quadratic)).toBe(0);
  });
});
