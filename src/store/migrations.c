/*
 * SQLite schema migrations. Rules (docs/store.md):
 *  - append only: a released migration is never edited or reordered;
 *  - versions are 1, 2, 3... without gaps;
 *  - each runs inside the transaction that records it in schema_version, so a
 *    migration is applied completely or not at all;
 *  - SQLite cannot change a CHECK constraint in place: adding a phase or a
 *    status means rebuilding the table (create new, copy, drop, rename).
 */
#include "store/store_sqlite_int.h"

#include "core/banned.h"

#define PHASES                                                                            \
    "'queued','planning','coding','committing','awaiting_approval','deploying','testing'," \
    "'analyzing','reporting','rolling_back','completed','failed','cancelled','interrupted'"

static const char m1_initial[] =
    "CREATE TABLE projects ("
    "  name TEXT PRIMARY KEY CHECK (name <> ''),"
    "  platform TEXT,"
    "  repo TEXT,"
    "  base_branch TEXT,"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"

    /* Per-day counters behind the readable ids t-YYYYMMDD-NNNN / p-... */
    "CREATE TABLE id_counters ("
    "  scope TEXT PRIMARY KEY,"
    "  last INTEGER NOT NULL"
    ") STRICT;"

    "CREATE TABLE tasks ("
    "  id TEXT PRIMARY KEY CHECK (id <> ''),"
    "  project TEXT NOT NULL REFERENCES projects(name),"
    "  issue_id TEXT,"
    "  issue_number INTEGER NOT NULL DEFAULT 0,"
    "  issue_title TEXT,"
    "  issue_body TEXT,"
    "  issue_url TEXT,"
    "  branch TEXT,"
    "  base_branch TEXT,"
    "  workspace TEXT,"
    "  phase TEXT NOT NULL CHECK (phase IN (" PHASES ")),"
    "  status TEXT NOT NULL CHECK (status IN ('running','completed','failed','cancelled',"
    "      'interrupted','awaiting_approval')),"
    "  attempt INTEGER NOT NULL DEFAULT 0 CHECK (attempt >= 0),"
    "  max_retry INTEGER NOT NULL DEFAULT 0 CHECK (max_retry >= 0),"
    "  result TEXT,"
    "  error TEXT,"
    "  pr_url TEXT,"
    "  pr_number INTEGER NOT NULL DEFAULT 0,"
    "  pr_title TEXT,"
    "  pr_body TEXT,"
    "  tokens_in INTEGER NOT NULL DEFAULT 0 CHECK (tokens_in >= 0),"
    "  tokens_out INTEGER NOT NULL DEFAULT 0 CHECK (tokens_out >= 0),"
    "  cost_usd REAL NOT NULL DEFAULT 0 CHECK (cost_usd >= 0),"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  started_at INTEGER NOT NULL DEFAULT 0,"
    "  ended_at INTEGER NOT NULL DEFAULT 0,"
    "  dry_run INTEGER NOT NULL DEFAULT 0 CHECK (dry_run IN (0, 1)),"
    "  owner_pid INTEGER NOT NULL DEFAULT 0 CHECK (owner_pid >= 0),"
    "  cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1))"
    ") STRICT;"
    "CREATE INDEX tasks_created ON tasks(created_at DESC, id DESC);"
    "CREATE INDEX tasks_project ON tasks(project, created_at DESC);"
    "CREATE INDEX tasks_issue ON tasks(issue_id);"
    "CREATE INDEX tasks_status ON tasks(status);"

    "CREATE TABLE steps ("
    "  task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,"
    "  seq INTEGER NOT NULL CHECK (seq >= 1),"
    "  phase TEXT NOT NULL CHECK (phase IN (" PHASES ")),"
    "  attempt INTEGER NOT NULL DEFAULT 0,"
    "  status TEXT NOT NULL CHECK (status IN ('running','ok','failed','skipped')),"
    "  started_at INTEGER NOT NULL,"
    "  ended_at INTEGER NOT NULL DEFAULT 0,"
    "  duration_ms INTEGER NOT NULL DEFAULT 0,"
    "  error TEXT,"
    "  PRIMARY KEY (task_id, seq)"
    ") STRICT, WITHOUT ROWID;"

    "CREATE TABLE attempts ("
    "  task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,"
    "  number INTEGER NOT NULL CHECK (number >= 1),"
    "  changes_json TEXT CHECK (changes_json IS NULL OR json_valid(changes_json)),"
    "  deploy_ok INTEGER NOT NULL DEFAULT -1 CHECK (deploy_ok IN (-1, 0, 1)),"
    "  deploy_log TEXT,"
    "  tests_json TEXT CHECK (tests_json IS NULL OR json_valid(tests_json)),"
    "  tokens_in INTEGER NOT NULL DEFAULT 0 CHECK (tokens_in >= 0),"
    "  tokens_out INTEGER NOT NULL DEFAULT 0 CHECK (tokens_out >= 0),"
    "  cost_usd REAL NOT NULL DEFAULT 0 CHECK (cost_usd >= 0),"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  PRIMARY KEY (task_id, number)"
    ") STRICT, WITHOUT ROWID;"

    "CREATE TABLE proposals ("
    "  id TEXT PRIMARY KEY CHECK (id <> ''),"
    "  task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('infra','deploy')),"
    "  status TEXT NOT NULL DEFAULT 'pending'"
    "      CHECK (status IN ('pending','approved','rejected','expired')),"
    "  summary TEXT,"
    "  files_json TEXT CHECK (files_json IS NULL OR json_valid(files_json)),"
    "  diff TEXT,"
    "  created_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL DEFAULT 0,"
    "  decided_by TEXT,"
    "  decided_at INTEGER NOT NULL DEFAULT 0,"
    "  reason TEXT"
    ") STRICT;"
    "CREATE INDEX proposals_task ON proposals(task_id, created_at DESC);"
    "CREATE INDEX proposals_pending ON proposals(created_at DESC) WHERE status = 'pending';"

    "CREATE TABLE task_logs ("
    "  task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,"
    "  seq INTEGER NOT NULL CHECK (seq >= 1),"
    "  ts INTEGER NOT NULL,"
    "  tag TEXT,"
    "  level TEXT NOT NULL CHECK (level IN ('debug','info','warn','error')),"
    "  text TEXT NOT NULL,"
    "  PRIMARY KEY (task_id, seq)"
    ") STRICT, WITHOUT ROWID;"

    "CREATE TABLE policy_violations ("
    "  id INTEGER PRIMARY KEY,"
    "  task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,"
    "  attempt INTEGER NOT NULL DEFAULT 0,"
    "  policy TEXT NOT NULL,"
    "  rule TEXT,"
    "  action TEXT,"
    "  message TEXT,"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX policy_violations_task ON policy_violations(task_id, id);"

    "CREATE TABLE settings ("
    "  key TEXT PRIMARY KEY CHECK (key <> ''),"
    "  value TEXT NOT NULL,"
    "  updated_at INTEGER NOT NULL"
    ") STRICT;"

    "CREATE TABLE webhook_deliveries ("
    "  delivery_id TEXT PRIMARY KEY CHECK (delivery_id <> ''),"
    "  event TEXT,"
    "  received_at INTEGER NOT NULL,"
    "  status TEXT,"
    "  task_id TEXT REFERENCES tasks(id) ON DELETE SET NULL"
    ") STRICT;"
    "CREATE INDEX webhook_deliveries_received ON webhook_deliveries(received_at);";

const struct sq_migration sq_migrations[] = {
    {1, "initial schema", m1_initial},
};

const size_t sq_migration_count = sizeof(sq_migrations) / sizeof(sq_migrations[0]);
