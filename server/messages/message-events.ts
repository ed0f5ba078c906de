import type { EventBus } from "../events/event-bus.js";
import type { MessageRow } from "../storage/entities/index.js";

/** Announces messages created by a committed transaction, in sequence order. */
export function publishMessagesAdded(
  events: EventBus,
  project: { id: string; name: string },
  created: readonly MessageRow[],
): void {
  for (const row of created) {
    events.publish("messageAdded", {
      messageId: row.id,
      bucketId: row.bucketId,
      projectId: project.id,
      projectName: project.name,
      sequenceId: row.sequenceId,
    });
  }
}
