// The metadata codec's public face: value encodings and the document ⇄ entries mapping.
export { decodeValue, encodeTextValue, encodeValue, fromBase62, toBase62 } from './values.js';
export {
  assignKeys,
  encodeEntries,
  flattenDocument,
  readEntries,
  reverseKeyMap,
  SYSTEM_KEY_PREFIX,
  unflattenEntries,
} from './document.js';
export type { EncodedEntry, KeyMap } from './document.js';
export { CorruptedValueError } from './errors.js';
