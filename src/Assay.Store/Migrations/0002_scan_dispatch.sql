-- Scale-out dispatch gate (issue 15). A queued scan is held in Assay's table until the dispatcher
-- releases it to the job engine: dispatched_at is when its first stage job was last enqueued (NULL:
-- held, never handed to Hangfire, e.g. the web process died between the insert and the enqueue).
-- The release order is fair across tenants (ScanStore.ReleaseHeldAsync); a sweeper releases what
-- no request did, so no scan stays queued forever.
ALTER TABLE scan ADD COLUMN dispatched_at BIGINT NULL;
CREATE INDEX scan_held ON scan (status, dispatched_at, tenant_id, priority, queued_at);
