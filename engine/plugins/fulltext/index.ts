// The full-text search plugin's public face.
export { DEFAULT_FULLTEXT_PREFIX, FullTextPlugin } from './fulltext-plugin.js';
export type { FullTextPluginOptions, RebuildReport, SearchHit, SearchResult } from './fulltext-plugin.js';
export { STOP_WORDS, termFrequencies, tokenize } from './tokenize.js';
