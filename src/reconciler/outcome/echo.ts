// What a message may repeat of the user's input, and how much. A condition message is written into the
// status up to four times (ACK.Terminal, ACK.ResourceSynced, Stalled, Ready), so an annotation of 139 KB
// echoed whole made a 757 KB status, and 10,000 selectors named in one message a 397 KB answer. Echoed
// values are cut with a marker that says how much was left out, lists name their first few items and
// count the rest, and every condition message has a ceiling whatever it is built from.

/** Characters of one echoed value (an annotation, a name, a tag key). */
export const ECHO_MAX_CHARS = 100;
/** Items a list in a message names before "and N more". */
export const LIST_MAX_ITEMS = 10;
/** Characters of a whole condition message (Kubernetes allows 32,768; the answer carries it up to four times). */
export const MESSAGE_MAX_CHARS = 4096;

/** The first `max` characters, never ending inside a surrogate pair. */
function head(text: string, max: number): string {
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

const count = (n: number): string => n.toLocaleString('en-US');

/** A value in double quotes, cut after `max` characters with a marker naming what was left out. */
export function quoted(value: string, max = ECHO_MAX_CHARS): string {
  if (value.length <= max) return `"${value}"`;
  const kept = head(value, max);
  return `"${kept}..." (cut: ${count(value.length - kept.length)} more characters)`;
}

/** A name as it is (Kubernetes names are short), cut like `quoted` if it is not. */
export function clipped(value: string, max = ECHO_MAX_CHARS): string {
  if (value.length <= max) return value;
  const kept = head(value, max);
  return `${kept}... (cut: ${count(value.length - kept.length)} more characters)`;
}

/** Items joined with ", ": the first `max`, then "and N more". */
export function listed(items: readonly string[], max = LIST_MAX_ITEMS): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${count(items.length - max)} more`;
}

/** A condition message within MESSAGE_MAX_CHARS, the cut marked (the last guard: echoes are cut where they are made). */
export function boundedMessage(message: string, max = MESSAGE_MAX_CHARS): string {
  if (message.length <= max) return message;
  const marker = (n: number): string => ` [message cut: ${count(n)} more characters]`;
  // The marker's own length depends on the count: reserve the widest it can be.
  const kept = head(message, max - marker(message.length).length);
  return `${kept}${marker(message.length - kept.length)}`;
}
