/**
 * Rule "progress with an ETA": while a first sync runs, the messages still expected (the folders'
 * item counts less those read) at the current rate. Null when the round is not syncing, the volume
 * is unknown (later rounds read changes only), or nothing was read yet to give a rate.
 */
export function syncEtaSeconds(state: {
  status: string;
  messagesExpected: number;
  messagesSeen: number;
  messagesPerSecond: number;
}): number | null {
  if (state.status !== "SYNCING" || state.messagesExpected <= 0 || state.messagesPerSecond <= 0) {
    return null;
  }
  return Math.ceil(
    Math.max(0, state.messagesExpected - state.messagesSeen) / state.messagesPerSecond,
  );
}
