// A stored value that the codec cannot read back: the object was written by something else or damaged.
import { S3dbError } from '../errors.js';

export class CorruptedValueError extends S3dbError {
  constructor(message: string) {
    super('CORRUPTED', `Cannot decode a stored value: ${message}`, {
      hint: 'The object was not written by this engine or is damaged; run heal, or replace the document.',
    });
  }
}
