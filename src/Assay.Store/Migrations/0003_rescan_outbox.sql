-- Assay store, schema 3: re-matching on a new vulnerability database, findings changes, webhooks
-- and their outbox. Portable SQL (SQLite and PostgreSQL), as 0001.

-- kind: 'scan' (the engine on a delivery) or 'rematch' (the vulnerability match alone, re-run on
-- base_scan_id's evaluation). vulndb_*: the vulnerability database the scan's findings came from
-- (its content fingerprint and a readable label), written when the matching stage starts.
ALTER TABLE scan ADD COLUMN kind TEXT NOT NULL DEFAULT 'scan';
ALTER TABLE scan ADD COLUMN base_scan_id TEXT NULL;
ALTER TABLE scan ADD COLUMN vulndb_fingerprint TEXT NULL;
ALTER TABLE scan ADD COLUMN vulndb_label TEXT NULL;

-- Vulnerabilities a re-match introduced or resolved against its base scan, keyed by the triage
-- fingerprint (advisory id + component + location); written with the re-match's index commit.
CREATE TABLE findings_change (
  scan_id TEXT NOT NULL REFERENCES scan (id),
  ordinal BIGINT NOT NULL,
  tenant_id TEXT NOT NULL,
  base_scan_id TEXT NOT NULL,
  change TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  vulnerability_id TEXT NOT NULL,
  component TEXT NOT NULL,
  severity TEXT NOT NULL,
  PRIMARY KEY (scan_id, ordinal)
);

-- A tenant's webhook endpoint. The secret signs deliveries (HMAC-SHA256), so it is kept, not hashed.
CREATE TABLE webhook (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenant (id),
  url TEXT NOT NULL,
  secret TEXT NOT NULL,
  events TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  deleted_at BIGINT NULL
);
CREATE INDEX webhook_tenant ON webhook (tenant_id, id);

-- The outbox: one row per (event, webhook), inserted in the transaction of the state change that
-- causes it; senders claim due rows (FOR UPDATE SKIP LOCKED on PostgreSQL) for claimed_until.
CREATE TABLE webhook_delivery (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  webhook_id TEXT NOT NULL REFERENCES webhook (id),
  event TEXT NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts BIGINT NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  claimed_until BIGINT NULL,
  created_at BIGINT NOT NULL,
  delivered_at BIGINT NULL,
  last_status BIGINT NULL,
  last_error TEXT NULL,
  response_excerpt TEXT NULL
);
CREATE INDEX webhook_delivery_due ON webhook_delivery (status, next_attempt_at);
CREATE INDEX webhook_delivery_hook ON webhook_delivery (webhook_id, id);
