-- Assay store, schema 1. Portable SQL: the same text runs on SQLite and PostgreSQL.
-- Identifiers are text (time-ordered UUIDv7), times are BIGINT milliseconds since the Unix epoch,
-- booleans are BIGINT 0/1, JSON is TEXT. Every tenant-owned row carries tenant_id so that every
-- read can be filtered by it without a join.

CREATE TABLE tenant (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX tenant_name ON tenant (name);

-- A key is a principal: its role applies tenant-wide (project_id NULL) or to one project.
-- tenant_id NULL with role admin is a system administrator (tenants and keys, no tenant data).
CREATE TABLE api_key (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NULL REFERENCES tenant (id),
  project_id TEXT NULL,
  role TEXT NOT NULL,
  name TEXT NOT NULL,
  prefix TEXT NOT NULL,
  secret_sha256 TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  created_by TEXT NULL,
  last_used_at BIGINT NULL,
  expires_at BIGINT NULL,
  revoked_at BIGINT NULL
);
CREATE UNIQUE INDEX api_key_prefix ON api_key (prefix);
CREATE INDEX api_key_tenant ON api_key (tenant_id, id);

CREATE TABLE project (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenant (id),
  name TEXT NOT NULL,
  vendor TEXT NOT NULL,
  network_function TEXT NULL,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX project_tenant_name ON project (tenant_id, name, id);

-- Content-addressed blobs (deliveries, evaluations); the bytes live in the blob store.
CREATE TABLE blob (
  sha256 TEXT PRIMARY KEY,
  size BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE release (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenant (id),
  project_id TEXT NOT NULL REFERENCES project (id),
  version TEXT NOT NULL,
  previous_release_id TEXT NULL,
  created_at BIGINT NOT NULL,
  delivery_sha256 TEXT NULL REFERENCES blob (sha256),
  delivery_name TEXT NULL,
  delivery_size BIGINT NULL
);
CREATE UNIQUE INDEX release_project_version ON release (project_id, version);
CREATE INDEX release_project_created ON release (project_id, created_at, id);

-- Resumable chunked uploads: the received prefix lives in a part file of the blob store.
CREATE TABLE upload (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenant (id),
  release_id TEXT NOT NULL REFERENCES release (id),
  file_name TEXT NOT NULL,
  expected_size BIGINT NOT NULL,
  received_bytes BIGINT NOT NULL,
  status TEXT NOT NULL,
  sha256 TEXT NULL,
  created_at BIGINT NOT NULL
);

-- A scan is one run of the engine on a release's delivery. attempt, lease_owner and heartbeat_at
-- let a worker claim it and another take it over when the first stops heart-beating.
CREATE TABLE scan (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenant (id),
  project_id TEXT NOT NULL REFERENCES project (id),
  release_id TEXT NOT NULL REFERENCES release (id),
  status TEXT NOT NULL,
  priority BIGINT NOT NULL,
  requested_by TEXT NOT NULL,
  engine_version TEXT NOT NULL,
  attempt BIGINT NOT NULL,
  lease_owner TEXT NULL,
  heartbeat_at BIGINT NULL,
  queued_at BIGINT NOT NULL,
  started_at BIGINT NULL,
  finished_at BIGINT NULL,
  error TEXT NULL
);
CREATE INDEX scan_queue ON scan (status, priority, queued_at);
CREATE INDEX scan_release ON scan (release_id, queued_at);

-- A stage's commit is fenced by attempt: a worker whose lease was taken over cannot commit.
CREATE TABLE scan_stage (
  scan_id TEXT NOT NULL REFERENCES scan (id),
  stage TEXT NOT NULL,
  ordinal BIGINT NOT NULL,
  status TEXT NOT NULL,
  attempt BIGINT NOT NULL,
  progress_done BIGINT NOT NULL,
  progress_total BIGINT NOT NULL,
  detail TEXT NULL,
  output_sha256 TEXT NULL,
  started_at BIGINT NULL,
  finished_at BIGINT NULL,
  error TEXT NULL,
  PRIMARY KEY (scan_id, stage)
);

-- The canonical evaluation document is a blob; the counts are columns for lists and dashboards.
CREATE TABLE evaluation (
  scan_id TEXT PRIMARY KEY REFERENCES scan (id),
  tenant_id TEXT NOT NULL,
  release_id TEXT NOT NULL,
  blob_sha256 TEXT NOT NULL REFERENCES blob (sha256),
  files BIGINT NOT NULL,
  components BIGINT NOT NULL,
  findings BIGINT NOT NULL,
  vulnerabilities BIGINT NOT NULL,
  errors BIGINT NOT NULL,
  critical BIGINT NOT NULL,
  high BIGINT NOT NULL,
  medium BIGINT NOT NULL,
  low BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX evaluation_release ON evaluation (release_id, created_at);

CREATE TABLE component (
  scan_id TEXT NOT NULL REFERENCES scan (id),
  ordinal BIGINT NOT NULL,
  tenant_id TEXT NOT NULL,
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  type TEXT NOT NULL,
  purl TEXT NULL,
  cpe TEXT NULL,
  location TEXT NOT NULL,
  PRIMARY KEY (scan_id, ordinal)
);
CREATE INDEX component_tenant_purl ON component (tenant_id, purl);
CREATE INDEX component_tenant_name ON component (tenant_id, name);

-- Findings and vulnerabilities of an evaluation, keyed for triage by their stable fingerprint.
CREATE TABLE finding (
  scan_id TEXT NOT NULL REFERENCES scan (id),
  ordinal BIGINT NOT NULL,
  tenant_id TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  kind TEXT NOT NULL,
  rule_id TEXT NOT NULL,
  severity TEXT NOT NULL,
  severity_rank BIGINT NOT NULL,
  title TEXT NOT NULL,
  path TEXT NULL,
  component TEXT NULL,
  PRIMARY KEY (scan_id, ordinal)
);
CREATE INDEX finding_tenant_fingerprint ON finding (tenant_id, fingerprint);
CREATE INDEX finding_tenant_rule ON finding (tenant_id, rule_id);

CREATE TABLE file_entry (
  scan_id TEXT NOT NULL REFERENCES scan (id),
  ordinal BIGINT NOT NULL,
  tenant_id TEXT NOT NULL,
  path TEXT NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  size BIGINT NOT NULL,
  sha256 TEXT NULL,
  PRIMARY KEY (scan_id, ordinal)
);
CREATE INDEX file_entry_tenant_sha ON file_entry (tenant_id, sha256);
CREATE INDEX file_entry_tenant_name ON file_entry (tenant_id, name);

-- The current triage decision of a finding in a project; it carries to every later release.
-- pending_* hold a suppression of a high or critical finding that waits for a lead (four eyes).
CREATE TABLE triage (
  project_id TEXT NOT NULL REFERENCES project (id),
  fingerprint TEXT NOT NULL,
  tenant_id TEXT NOT NULL,
  state TEXT NOT NULL,
  justification TEXT NULL,
  detail TEXT NULL,
  pending_state TEXT NULL,
  pending_justification TEXT NULL,
  pending_by TEXT NULL,
  version BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (project_id, fingerprint)
);

-- Append-only, hash-chained: sha256 covers the previous event's hash and this event's fields.
CREATE TABLE triage_event (
  project_id TEXT NOT NULL REFERENCES project (id),
  fingerprint TEXT NOT NULL,
  seq BIGINT NOT NULL,
  tenant_id TEXT NOT NULL,
  action TEXT NOT NULL,
  from_state TEXT NULL,
  to_state TEXT NOT NULL,
  justification TEXT NULL,
  detail TEXT NULL,
  actor TEXT NOT NULL,
  at BIGINT NOT NULL,
  prev_sha256 TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  PRIMARY KEY (project_id, fingerprint, seq)
);

CREATE TABLE audit_log (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  status BIGINT NOT NULL,
  at BIGINT NOT NULL,
  request_id TEXT NULL,
  ip TEXT NULL
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, id);

-- Idempotency-Key on creating POSTs: the first response is replayed for the same key and body.
CREATE TABLE idempotency (
  scope TEXT NOT NULL,
  key TEXT NOT NULL,
  request_sha256 TEXT NOT NULL,
  status BIGINT NOT NULL,
  location TEXT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (scope, key)
);
