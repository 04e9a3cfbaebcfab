// Counters without locks: transactions folded into numeric fields by conditional writes.
export {
  ANALYTICS_PERIODS,
  EVENTUAL_CONSISTENCY_PLUGIN,
  EventualConsistencyPlugin,
  analyticsRows,
  type AnalyticsBucket,
  type AnalyticsPeriod,
  type ConsolidateReport,
  type EventualConsistencyOptions,
} from './eventual-consistency-plugin.js';
export { COUNTER_OPERATIONS, type CounterOperation } from './transactions.js';
