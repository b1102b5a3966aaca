import { describe, expect, it } from "vitest";
import { formatInZone, isValidTimeZone, startOfDayInZone } from "../../src/domain/time.js";

describe("time zone formatting", () => {
  it("writes ISO 8601 with the zone's offset, DST included", () => {
    const winter = Date.UTC(2026, 10, 24, 13, 15, 0, 123);
    expect(formatInZone(winter, "America/New_York")).toBe("2026-11-24T08:15:00.123-05:00");
    const summer = Date.UTC(2026, 6, 1, 12, 0, 0);
    expect(formatInZone(summer, "America/New_York")).toBe("2026-07-01T08:00:00.000-04:00");
    expect(formatInZone(winter, "UTC")).toBe("2026-11-24T13:15:00.123+00:00");
    expect(formatInZone(winter, "Asia/Kolkata")).toBe("2026-11-24T18:45:00.123+05:30");
  });
  it("finds local midnight", () => {
    const t = Date.UTC(2026, 10, 24, 3, 0, 0); // 22:00 on the 23rd in New York
    expect(new Date(startOfDayInZone(t, "America/New_York")).toISOString()).toBe("2026-11-23T05:00:00.000Z");
  });
  it("validates zone names", () => {
    expect(isValidTimeZone("Europe/Berlin")).toBe(true);
    expect(isValidTimeZone("Mars/Olympus")).toBe(false);
  });
});

describe("times shown in chat (issue 16: every time carries its zone or is relative)", () => {
  it("formatShort names the zone", async () => {
    const { formatShort } = await import("../../src/domain/time.js");
    const t = Date.UTC(2026, 11, 4, 22, 0, 0);
    expect(formatShort(t, "America/New_York")).toBe("Dec 4, 17:00 EST");
    expect(formatShort(t, "UTC")).toBe("Dec 4, 22:00 UTC");
  });
  it("a close time soon is relative and keeps the clock time with its zone", async () => {
    const { closeTimeText } = await import("../../src/domain/time.js");
    const close = Date.UTC(2026, 11, 4, 22, 0, 0);
    const tz = "America/New_York";
    expect(closeTimeText(close, close - 3 * 3_600_000, tz)).toBe("closes in 3 h, 17:00 EST");
    expect(closeTimeText(close, close - 25 * 60_000, tz)).toBe("closes in 25 min, 17:00 EST");
    expect(closeTimeText(close, close - 3 * 86_400_000, tz)).toBe("closes Dec 4, 17:00 EST");
    expect(closeTimeText(close, close + 60_000, tz)).toBe("closed Dec 4, 17:00 EST");
  });
});
