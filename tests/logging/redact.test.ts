import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { redact, redactProperty, redactString, REDACTED } from "../../src/logging/redact.js";

const TOKEN = "7012345678:AAF3kq9ZxY_wv-1234567890abcdefghijklmn";
const KEY_ID = "a952bcbe-ec3b-4b5b-b8f9-11dae589608c";
const SECRETS = [TOKEN, KEY_ID];
const PEM = [
  "-----BEGIN RSA PRIVATE KEY-----",
  "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun",
  "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK",
  "-----END RSA PRIVATE KEY-----",
].join("\n");

describe("redactString", () => {
  it("removes listed secrets wherever they appear", () => {
    expect(redactString(`key ${KEY_ID} used`, SECRETS)).toBe(`key ${REDACTED} used`);
    expect(redactString(`q=${encodeURIComponent(TOKEN)}`, SECRETS)).toBe(`q=${REDACTED}`);
  });

  it("removes bot tokens by shape even when not listed, including inside bot URLs", () => {
    expect(redactString(`GET https://api.telegram.org/bot${TOKEN}/getMe failed`)).toBe(
      `GET https://api.telegram.org/bot${REDACTED}/getMe failed`,
    );
    expect(redactString(`token is ${TOKEN}.`)).toBe(`token is ${REDACTED}.`);
    // A short fake token in a bot URL (as tests and local Bot API servers use) is caught too.
    expect(redactString("POST http://127.0.0.1:8081/bot42:abc/sendMessage")).toBe(
      `POST http://127.0.0.1:8081/bot${REDACTED}/sendMessage`,
    );
  });

  it("removes PEM private key blocks, whole or cut off", () => {
    expect(redactString(`loaded ${PEM} ok`)).toBe(`loaded ${REDACTED} ok`);
    const pkcs8 = generateKeyPairSync("ec", { namedCurve: "prime256v1" })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString()
      .trim();
    const out = redactString(`a\n${pkcs8}\nb`);
    expect(out).toBe(`a\n${REDACTED}\nb`);
    const cut = PEM.slice(0, 120);
    const r = redactString(`parse failed near: ${cut}`);
    expect(r).toBe(`parse failed near: ${REDACTED}`);
    expect(r).not.toContain("MIIE");
    // A key serialized into JSON text (escaped newlines), cut off.
    const j = redactString(JSON.stringify({ body: PEM.slice(0, 100) }));
    expect(j).toBe(`{"body":"${REDACTED}"}`);
  });

  it("keeps a hint that only names the PEM headers", () => {
    const hint = "expected -----BEGIN RSA PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----";
    expect(redactString(hint)).toBe(hint);
  });

  it("removes Kalshi auth header values in text and JSON text", () => {
    const sig = "dGhpcyBpcyBhIHNpZ25hdHVyZQ==";
    expect(redactString(`KALSHI-ACCESS-SIGNATURE: ${sig}`)).toBe(`KALSHI-ACCESS-SIGNATURE: ${REDACTED}`);
    expect(redactString(`{"KALSHI-ACCESS-KEY":"${KEY_ID}","KALSHI-ACCESS-TIMESTAMP":"1700000000000"}`)).toBe(
      `{"KALSHI-ACCESS-KEY":"${REDACTED}","KALSHI-ACCESS-TIMESTAMP":"1700000000000"}`,
    );
    expect(redactString("authorization: Bearer abc.def")).toBe(`authorization: ${REDACTED}`);
  });

  it("leaves ordinary text alone", () => {
    const text = "Bought 10 YES KXBTC-26NOV24-T100000 at $0.56 (12:30:05), order 1234:abcd";
    expect(redactString(text, SECRETS)).toBe(text);
    // Secrets shorter than 4 characters would wreck every message; they are ignored.
    expect(redactString("a b c", ["a", ""])).toBe("a b c");
  });
});

describe("redact (deep)", () => {
  it("scrubs nested meta and secret-named fields without touching the input", () => {
    const input = {
      ticker: "KXBTC",
      request: {
        url: `https://api.telegram.org/bot${TOKEN}/sendMessage`,
        headers: { "KALSHI-ACCESS-KEY": KEY_ID, "KALSHI-ACCESS-SIGNATURE": "c2ln", "Content-Type": "json" },
      },
      list: [{ note: `id ${KEY_ID}` }, 3, null, true],
      token: "something",
      privateKey: "anything",
    };
    const copy = structuredClone(input);
    expect(redact(input, SECRETS)).toEqual({
      ticker: "KXBTC",
      request: {
        url: `https://api.telegram.org/bot${REDACTED}/sendMessage`,
        headers: {
          "KALSHI-ACCESS-KEY": REDACTED,
          "KALSHI-ACCESS-SIGNATURE": REDACTED,
          "Content-Type": "json",
        },
      },
      list: [{ note: `id ${REDACTED}` }, 3, null, true],
      token: REDACTED,
      privateKey: REDACTED,
    });
    expect(input).toEqual(copy);
  });

  it("turns errors into plain objects with a scrubbed message, stack, props and cause", () => {
    const cause = new Error(`inner ${TOKEN}`);
    const err = Object.assign(new Error(`signing with ${KEY_ID} failed`, { cause }), { code: "E_SIGN" });
    const out = redact(err, SECRETS) as Record<string, unknown>;
    expect(out.name).toBe("Error");
    expect(out.message).toBe(`signing with ${REDACTED} failed`);
    expect(out.code).toBe("E_SIGN");
    expect(out.stack).toMatch(/^Error: signing with \[REDACTED\] failed\n\s+at /);
    expect((out.cause as Record<string, unknown>).message).toBe(`inner ${REDACTED}`);
    expect(JSON.stringify(out)).not.toContain(KEY_ID);
    expect(JSON.stringify(out)).not.toContain(TOKEN);
  });

  it("uses an error's toJSON (axios-style) and still scrubs headers in it", () => {
    const err = new Error("Request failed with status code 401") as Error & { toJSON: () => unknown };
    err.toJSON = () => ({
      message: err.message,
      config: { headers: { "KALSHI-ACCESS-KEY": KEY_ID, Accept: "application/json" } },
      status: 401,
    });
    const out = redact(err, []) as { config: { headers: Record<string, string> }; status: number };
    expect(out.status).toBe(401);
    expect(out.config.headers).toEqual({ "KALSHI-ACCESS-KEY": REDACTED, Accept: "application/json" });
  });

  it("hides key objects and survives cycles", () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const a: Record<string, unknown> = { name: "a", key: privateKey };
    a.self = a;
    expect(redact(a)).toEqual({ name: "a", key: REDACTED, self: "[Circular]" });
  });

  it("keeps shared (non-cyclic) references and plain values", () => {
    const shared = { x: 1 };
    expect(redact({ a: shared, b: shared, n: 5, d: new Date(0), u: undefined })).toEqual({
      a: { x: 1 },
      b: { x: 1 },
      n: 5,
      d: "1970-01-01T00:00:00.000Z",
      u: undefined,
    });
  });

  it("redactProperty hides a value by its field name", () => {
    expect(redactProperty("KALSHI-ACCESS-SIGNATURE", "abc")).toBe(REDACTED);
    expect(redactProperty("message", `hi ${KEY_ID}`, SECRETS)).toBe(`hi ${REDACTED}`);
  });
});
