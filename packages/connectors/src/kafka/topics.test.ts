import { eventKinds } from "@thetaflow/schemas";
import { describe, expect, it } from "vitest";
import { allEventTopics, InvalidTopicNameError, topicForEvent, topicName } from "./topics.js";

describe("topic naming", () => {
  it("names topics <prefix>.<kind> with the default prefix thetaflow", () => {
    expect(topicForEvent("OptionQuote")).toBe("thetaflow.option-quotes");
    expect(topicForEvent("UnderlyingTick")).toBe("thetaflow.underlying-ticks");
    expect(topicForEvent("IndexTick")).toBe("thetaflow.index-ticks");
    expect(topicForEvent("Signal")).toBe("thetaflow.signals");
    expect(topicForEvent("OrderIntent")).toBe("thetaflow.order-intents");
    expect(topicForEvent("Order")).toBe("thetaflow.orders");
    expect(topicForEvent("Fill")).toBe("thetaflow.fills");
    expect(topicForEvent("DeadLetter")).toBe("thetaflow.dead-letters");
  });

  it("honours a custom prefix", () => {
    expect(topicForEvent("Fill", "paper-2")).toBe("paper-2.fills");
  });

  it("keeps a regime change on the topic of the regime it produced", () => {
    expect(topicForEvent("RegimeTransition")).toBe(topicForEvent("Regime"));
  });

  it("gives every event kind a topic and lists each topic once", () => {
    const topics = allEventTopics("t");
    expect(new Set(topics).size).toBe(topics.length);
    for (const kind of eventKinds) expect(topics).toContain(topicForEvent(kind, "t"));
  });

  it("refuses prefixes Kafka would refuse", () => {
    expect(() => topicName("fills", "bad prefix")).toThrow(InvalidTopicNameError);
    expect(() => topicName("fills", "a/b")).toThrow(/only letters, digits/);
    expect(() => topicName("fills", "x".repeat(250))).toThrow(InvalidTopicNameError);
  });
});
