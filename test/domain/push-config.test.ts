import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../server/config/config.js";

describe("push settings", () => {
  it("defaults: polling only, 15-minute safety poll, 10,070-minute subscriptions renewed a day ahead", () => {
    const { push } = loadConfig({});
    expect(push).toEqual({
      publicUrl: null,
      safetyPollSeconds: 900,
      subscriptionLifetimeSeconds: 10_070 * 60,
      renewBeforeSeconds: 86_400,
    });
  });
  it("takes the public URL without a trailing slash", () => {
    expect(
      loadConfig({ MAILSTREAM_PUBLIC_URL: "https://mail.example.com/ms/" }).push.publicUrl,
    ).toBe("https://mail.example.com/ms");
  });
  it("refuses what Graph could not call back, and lifetimes beyond Graph's 10,080 minutes", () => {
    for (const bad of [
      "mail.example.com",
      "ftp://x.example.com",
      "https://x.example.com/?a=1",
      "https://u:p@x.example.com",
    ])
      expect(() => loadConfig({ MAILSTREAM_PUBLIC_URL: bad })).toThrow(ConfigError);
    expect(() => loadConfig({ MAILSTREAM_PUSH_SUBSCRIPTION_MINUTES: "10081" })).toThrow(
      ConfigError,
    );
    expect(() => loadConfig({ MAILSTREAM_SAFETY_POLL_INTERVAL: "0" })).toThrow(ConfigError);
  });
});
