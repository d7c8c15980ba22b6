-- The PostgreSQL table fraud-alerts delivers the alert stream into (created if missing by
-- `freshet run fraud-alerts`, and emptied at the start of each run). Its columns are the alert
-- records' JSON fields, loaded by COPY (FirehoseDelivery's PostgreSQL destination, JSON 'auto').
CREATE TABLE IF NOT EXISTS fraud_alerts (
  card_id      text           NOT NULL,
  window_start timestamptz    NOT NULL,
  transactions bigint         NOT NULL,
  total        numeric(12, 2) NOT NULL
);
