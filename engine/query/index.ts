// The query planner and executor. (Implementation pending: see docs/engine-api.md.)
export {};
