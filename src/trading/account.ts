/**
 * The account view: cash (per exchange shard when more than one holds money), the holdings every
 * money view shows (holdings.ts), and the API key's
 * location attestation. Kalshi refuses orders once the attestation (`api_key_region_expiration_ts`
 * of GET /api_keys) has lapsed, so the user is warned from ATTESTATION_WARN_MS before it does.
 * Returns values only; the bot words them.
 */
import type { Micros } from "../domain/money.js";
import type { ExchangePort, ShardBalance } from "../exchange/port.js";
import type { FeeSchedule } from "./feeSchedule.js";
import { type Holdings, readHoldings } from "./holdings.js";

export const DAY_MS = 86_400_000;
/** Warn this long before the location attestation expires. */
export const ATTESTATION_WARN_MS = 7 * DAY_MS;

export type Attestation =
  /** More than ATTESTATION_WARN_MS left. */
  | { kind: "valid"; expiresAt: number; msLeft: number }
  /** Expires within ATTESTATION_WARN_MS: renew now. */
  | { kind: "expiring"; expiresAt: number; msLeft: number }
  /** Expired: Kalshi refuses orders until it is renewed. */
  | { kind: "lapsed"; expiredAt: number }
  /** GET /api_keys carries no expiry: the account never attested its location. */
  | { kind: "never" }
  /** GET /api_keys could not be read. */
  | { kind: "unknown" };

export function attestationOf(regionExpiration: number | null, nowMs: number): Attestation {
  if (regionExpiration === null) return { kind: "never" };
  const msLeft = regionExpiration - nowMs;
  if (msLeft <= 0) return { kind: "lapsed", expiredAt: regionExpiration };
  if (msLeft <= ATTESTATION_WARN_MS) return { kind: "expiring", expiresAt: regionExpiration, msLeft };
  return { kind: "valid", expiresAt: regionExpiration, msLeft };
}

/** True when the user should act (expiring soon, lapsed or never attested). */
export function attestationNeedsAction(a: Attestation): boolean {
  return a.kind === "expiring" || a.kind === "lapsed" || a.kind === "never";
}

/** Whole days left, rounded down ("in 3 days" for 3 days 5 hours; 0 = less than a day). */
export function daysLeft(msLeft: number): number {
  return Math.max(0, Math.floor(msLeft / DAY_MS));
}

export interface AccountView {
  balance: Micros;
  /** The same holdings /portfolio shows (cash, reserved, positions at their bids, total). */
  holdings: Holdings;
  /** Cash per shard, only when more than one shard holds money (else null: one number says it all). */
  cashByShard: ShardBalance[] | null;
  attestation: Attestation;
  asOf: number;
}

export interface AccountService {
  view(): Promise<AccountView>;
}

/** Shards holding money, lowest index first; null unless there are at least two. */
export function cashByShard(byShard: readonly ShardBalance[]): ShardBalance[] | null {
  const holding = byShard.filter((s) => s.balance !== 0).sort((a, b) => a.exchangeIndex - b.exchangeIndex);
  return holding.length > 1 ? holding : null;
}

export function createAccountService(deps: {
  exchange: ExchangePort;
  /** For the maker fee a resting order holds (see holdings.ts). */
  fees?: FeeSchedule;
  now?: () => number;
  /** Told when GET /api_keys fails (the view then says the expiry is unknown). */
  onKeysError?: (e: unknown) => void;
}): AccountService {
  const now = deps.now ?? Date.now;
  return {
    async view() {
      const [holdings, keys] = await Promise.all([
        readHoldings({ exchange: deps.exchange, ...(deps.fees ? { fees: deps.fees } : {}) }),
        deps.exchange.getApiKeys().catch((e: unknown) => {
          deps.onKeysError?.(e);
          return null;
        }),
      ]);
      const t = now();
      return {
        balance: holdings.cash,
        holdings,
        cashByShard: cashByShard(holdings.byShard),
        attestation: keys ? attestationOf(keys.regionExpiration, t) : { kind: "unknown" },
        asOf: t,
      };
    },
  };
}
