/**
 * The sim's own RSA-PSS verifier (src/sim/auth.ts) against a fixed test vector: a key pair, a
 * signed message and a signature computed once with node:crypto (RSA-PSS, SHA-256, salt 32) and
 * pasted in. The sim must accept exactly that signature and nothing else, and the client's signer
 * (src/exchange/kalshi/signer.ts) must produce signatures the sim accepts. With both checked
 * against the same vector, the client's signing is no longer checked only against itself.
 * The key is a test key made for this file; it signs nothing anywhere else.
 */
import { constants, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { loadPrivateKey, signRequest } from "../../src/exchange/kalshi/signer.js";
import { HEADER_SIGNATURE, HEADER_TIMESTAMP, verifyKalshiPss } from "../../src/sim/auth.js";
import { startSim, type SimServer } from "../../src/sim/server.js";
import { SimClient } from "../support/simClient.js";

const PRIVATE_KEY_PEM = `-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEApkawj4ExlIAEBoQWsKYfjB+hOrDX0HRvCXE2b0dO1+NKEeJN
MoVahhJ3SstyCFP6NejkWDX4/iTysYBqhfkavXq4+yJ60M3ddPEV0tsaYgLnxW9v
ZJ7AEiE/0OnEENx/eULTHE1InAzI8H1orp4SpcbMi7ZVK8Dp5jNfJ9WY/WLOS6ic
mnaZKoxRd3nExZA2E9LNa4Lu0JHaF4XDfregvSsoEiaF9wQJeoR3/VM34NolxZS0
auI2gTb5YEw3i6IyR59AhqJGRevgnirjsSSG1O1MDK+mAFyN9b1sEHUKzl80wcPH
5t+tce5cn+oncjSqLvzxjdb3uTuABoz8uErPUwIDAQABAoIBAAkiHTpSC+GkIynN
IUaZvBDhKeTZ6DjXNG7YgkzG0MdeAOhjkv72lpGCZn1mwxWUW0w7xdMslR03SqzC
U4JBZnJy+8HbqSharn0+bYbz/wp+2LFJHN1yNOBUuuHO/V85urdz8A8AFcAbRFb6
udXMRqpGywnU6EUWJyLnE8/R1UH8ZTqhKn+JtCBfIlg19F98dq2kZApEjHaHMV5R
rKWz13mYb4SW12x64jkCYkDdpO3wxlyHayJVECfMOoeCYkSv+o+D/AWND5kbW99g
cEirHrRnCdSm+zeQXc6k9D9gkY4ewTl4UDOSi0t74qIRTIz/HplvT34BrFboaPdF
LeKsbEECgYEA1ThEiN157eeBQUFmfobE4eingNWbZAbQ2I834je6YsYsvM3wXs7F
/BHKvjOTkmwW+cP/3Sq0itdj1NxxQyvitWy5YPjGcAoD6S3zS7OxahGNDA9DzZ08
EHS38r8CezZKHhdNIrwMQLoZQhWnnQ2sugnWXZSsyokIHduzt8EYeUECgYEAx6M6
Ln+QurZKDijx/KVmdwrwAykX1gueVU3qjywxFWwXDVWb56ci0ymCUh7/lLPfrdz5
H84b1WTK8/x7vIIyfFuQfGT5U64DIjuC2FRAarP2YSzI9IWHS5e/X+gg1+p1TjbE
/T0e0L0O8mlEhfx9iWSOO4IVch23iOx7n9Yqb5MCgYBYVxzGHAUVlZJPCBrAF3Rh
KPSlg1sDYXOMFiKQPoihvfvxKd4KWd9bpb97eIEO7GvEhflvl+7/i2gYXFEtBHTE
uExCKjCFYRDnvpsL5WJ/UNBAi96KxTeKleFU2ODdTcv9lafm2US2WKR4ZeJxRqYm
2kaPtTa2H3pWbJ2UZ5ONQQKBgQCtJeQLejaDyiDWwSqIbsg9DW53v0deLTuJTwfW
X4S+yL4BobOTqoFo1gKiySHwzkV9XT9xF2lKnp3sGZsUN3QkKaJaUZVxv2YWZbkp
eYFZSnaxd49fjQR4SsgAHauGuWI+kQAvh7hXYPI6y5RUBVa4OE+oSz3geOe7SSg7
zBuIIwKBgB9MhuVug+tpTt0skPaZ8rZrCJ9L2Tv6wGtesOuHs1ngnU5CCW/Wv/uT
PhNg5+HJCosFE9tRUECVO42UMXiW0SEOMJ18i7DYmJZP/ZMD1VYHDbgfBRnD8g3b
+QnKsMutM4JV5n1G7Qja6+JeUYoYL/AYyAQYkmrDKh7BNxuAMue2
-----END RSA PRIVATE KEY-----
`;

const PUBLIC_KEY_PEM = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEApkawj4ExlIAEBoQWsKYf
jB+hOrDX0HRvCXE2b0dO1+NKEeJNMoVahhJ3SstyCFP6NejkWDX4/iTysYBqhfka
vXq4+yJ60M3ddPEV0tsaYgLnxW9vZJ7AEiE/0OnEENx/eULTHE1InAzI8H1orp4S
pcbMi7ZVK8Dp5jNfJ9WY/WLOS6icmnaZKoxRd3nExZA2E9LNa4Lu0JHaF4XDfreg
vSsoEiaF9wQJeoR3/VM34NolxZS0auI2gTb5YEw3i6IyR59AhqJGRevgnirjsSSG
1O1MDK+mAFyN9b1sEHUKzl80wcPH5t+tce5cn+oncjSqLvzxjdb3uTuABoz8uErP
UwIDAQAB
-----END PUBLIC KEY-----
`;

/** Kalshi's signed message is timestamp + METHOD + path (API.md §2). */
const VECTOR = {
  timestamp: "1767225600000",
  method: "POST",
  path: "/trade-api/v2/portfolio/events/orders",
  signature:
    "mKe1pEnGaVrZMVXE6KI7RAO/Fjp969fjQs5PCHT8CLp6CoDVByznBjGSvG0Xx6GYJI3Uj671nj2HrD6abhY0vVDidhm/Z0QpK2cUr1pDsx5rHRHdxDf8sBzqP2HdqVWOwdnscEF/vHhmQfZTR4TJ3AywQkbe3cp2KsV9SV4tq5dje5sx1ha6alFInV/p0XvEVkCLZYJxdZ2Hp7APxnjhV+NN7r+thNcZSJvRLPk2+1Jo9NP+czAlgdkKsKO44il/9h9gU2vMFnrHRmLCxiPKoKJSKEYAIojQAxdraBd3jS61fim4c4sNPAr1fcMAaSXXLvU+Gmm0lv7ZVd5ZTtaFPw==",
} as const;

const publicKey = createPublicKey(PUBLIC_KEY_PEM);
const verifyVector = (o: Partial<Record<keyof typeof VECTOR, string>> = {}): boolean => {
  const v = { ...VECTOR, ...o };
  return verifyKalshiPss(publicKey, v.timestamp, v.method, v.path, v.signature);
};

describe("sim auth: fixed RSA-PSS test vector", () => {
  it("accepts the fixed signature of timestamp + method + path", () => {
    expect(verifyVector()).toBe(true);
  });

  it("rejects it for a changed timestamp, method, path or signature", () => {
    expect(verifyVector({ timestamp: "1767225600001" })).toBe(false);
    expect(verifyVector({ method: "GET" })).toBe(false);
    expect(verifyVector({ path: "/trade-api/v2/portfolio/orders" })).toBe(false);
    // Signed with the prefix; the same path without it is another message.
    expect(verifyVector({ path: "/portfolio/events/orders" })).toBe(false);
    // A query string is not part of the signed path.
    expect(verifyVector({ path: VECTOR.path + "?limit=1" })).toBe(false);
    const flipped = Buffer.from(VECTOR.signature, "base64");
    flipped[10] = (flipped[10] ?? 0) ^ 1;
    expect(verifyVector({ signature: flipped.toString("base64") })).toBe(false);
    expect(verifyVector({ signature: "" })).toBe(false);
    expect(verifyVector({ signature: "not base64 at all" })).toBe(false);
  });

  it("rejects the right message under another key", () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey;
    expect(verifyKalshiPss(other, VECTOR.timestamp, VECTOR.method, VECTOR.path, VECTOR.signature)).toBe(
      false,
    );
  });

  it("rejects a PKCS#1 v1.5 signature and a PSS signature with another salt length", () => {
    const key = createPrivateKey(PRIVATE_KEY_PEM);
    const message = Buffer.from(VECTOR.timestamp + VECTOR.method + VECTOR.path);
    const v15 = sign("sha256", message, { key, padding: constants.RSA_PKCS1_PADDING });
    const maxSalt = sign("sha256", message, {
      key,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: constants.RSA_PSS_SALTLEN_MAX_SIGN,
    });
    expect(verifyVector({ signature: v15.toString("base64") })).toBe(false);
    expect(verifyVector({ signature: maxSalt.toString("base64") })).toBe(false);
  });

  it("accepts what the client's signer produces with the same key, for REST and WebSocket paths", () => {
    const key = loadPrivateKey(PRIVATE_KEY_PEM);
    const cases: [string, string, string][] = [
      ["POST", "https://api.elections.kalshi.com/trade-api/v2/portfolio/events/orders", VECTOR.path],
      [
        "GET",
        "http://127.0.0.1:8787/trade-api/v2/portfolio/orders?limit=5&cursor=abc",
        "/trade-api/v2/portfolio/orders",
      ],
      [
        "DELETE",
        "/trade-api/v2/portfolio/events/orders/ord-1",
        "/trade-api/v2/portfolio/events/orders/ord-1",
      ],
      ["GET", "wss://api.elections.kalshi.com/trade-api/ws/v2", "/trade-api/ws/v2"],
    ];
    for (const [method, url, path] of cases) {
      const h = signRequest(key, "key-id", method, url, Number(VECTOR.timestamp));
      expect(h[HEADER_TIMESTAMP]).toBe(VECTOR.timestamp);
      expect(verifyKalshiPss(publicKey, h[HEADER_TIMESTAMP], method, path, h[HEADER_SIGNATURE])).toBe(true);
      expect(verifyKalshiPss(publicKey, h[HEADER_TIMESTAMP], method, path + "/x", h[HEADER_SIGNATURE])).toBe(
        false,
      );
    }
  });
});

describe("sim auth over HTTP with the fixed key registered", () => {
  const sims: SimServer[] = [];
  afterEach(async () => {
    await Promise.all(sims.splice(0).map((s) => s.close()));
  });

  it("answers a request the client signed with the fixed key, and 401s the same request signed for another path", async () => {
    const sim = await startSim({
      livingMarket: false,
      rateLimit: false,
      publicKeyPem: PUBLIC_KEY_PEM,
      keyId: "fixed-vector-key",
    });
    sims.push(sim);
    const c = new SimClient({ ...sim, privateKeyPem: PRIVATE_KEY_PEM });
    const good = await c.get("/portfolio/balance");
    expect(good.status).toBe(200);
    expect(typeof good.body.balance_dollars).toBe("string");
    const bad = await c.get("/portfolio/balance", { signPath: sim.baseUrl + "/portfolio/positions" });
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({
      error: {
        code: "authentication_error",
        message: "authentication_error",
        details: "rpc error: code = Unauthenticated desc = INCORRECT_API_KEY_SIGNATURE",
      },
    });
  });
});
