-- fraud-alerts: a card with 5 or more transactions in one minute (card testing), or more than
-- 2,000 spent in one minute, raises an alert into the stream fraud-alerts.
-- Run by `freshet run fraud-alerts`, which first writes generated transactions to
-- card-transactions and afterwards delivers fraud-alerts into PostgreSQL (postgres.sql).

CREATE EXTERNAL TABLE transactions (
  transaction_id VARCHAR,
  card_id        VARCHAR,
  amount         DOUBLE,
  merchant       VARCHAR,
  event_time     TIMESTAMP
)
TYPE kinesis
LOCATION 'card-transactions'
TBLPROPERTIES '{"timestampField": "event_time", "read": "snapshot"}';

CREATE EXTERNAL TABLE fraud_alerts (
  card_id      VARCHAR,
  window_start TIMESTAMP,
  transactions BIGINT,
  total        DOUBLE
)
TYPE kinesis
LOCATION 'fraud-alerts'
TBLPROPERTIES '{"partitionKey": "card_id"}';

INSERT INTO fraud_alerts
SELECT card_id,
       TUMBLE_START(event_time, INTERVAL '1' MINUTE) AS window_start,
       COUNT(*) AS transactions,
       SUM(amount) AS total
FROM transactions
GROUP BY card_id, TUMBLE(event_time, INTERVAL '1' MINUTE)
HAVING COUNT(*) >= 5 OR SUM(amount) > 2000;
