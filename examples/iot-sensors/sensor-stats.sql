-- iot-sensors: per sensor, the readings, average and highest temperature of 1-minute windows
-- that start every 30 seconds (HOP), so each reading counts in two windows.
-- Run by `freshet run iot-sensors`, which first writes generated readings to sensor-readings.

CREATE EXTERNAL TABLE readings (
  sensor_id   VARCHAR,
  temperature DOUBLE,
  humidity    DOUBLE,
  event_time  TIMESTAMP
)
TYPE kinesis
LOCATION 'sensor-readings'
TBLPROPERTIES '{"timestampField": "event_time", "read": "snapshot"}';

CREATE EXTERNAL TABLE sensor_stats (
  sensor_id       VARCHAR,
  window_start    TIMESTAMP,
  readings        BIGINT,
  avg_temperature DOUBLE,
  max_temperature DOUBLE
)
TYPE kinesis
LOCATION 'sensor-stats'
TBLPROPERTIES '{"partitionKey": "sensor_id"}';

-- Beam's argument order is HOP(time, slide, size).
INSERT INTO sensor_stats
SELECT sensor_id,
       HOP_START(event_time, INTERVAL '30' SECOND, INTERVAL '1' MINUTE) AS window_start,
       COUNT(*) AS readings,
       AVG(temperature) AS avg_temperature,
       MAX(temperature) AS max_temperature
FROM readings
GROUP BY sensor_id, HOP(event_time, INTERVAL '30' SECOND, INTERVAL '1' MINUTE);
