/**
 * Values loaded for one event and shared by all its subscribers (the message a `messageAdded`
 * event names, a mailbox's sync state): one read per event, not one per subscriber. Keyed on the
 * event object, so entries go away with the event. A failed load is not kept, so the next
 * subscriber tries again.
 */
const loaded = new WeakMap<object, Map<string, Promise<unknown>>>();

export function oncePerEvent<T>(event: object, key: string, load: () => Promise<T>): Promise<T> {
  let values = loaded.get(event);
  if (!values) loaded.set(event, (values = new Map()));
  const known = values.get(key);
  if (known) return known as Promise<T>;
  const value = load();
  values.set(key, value);
  value.catch(() => values.delete(key));
  return value;
}
