-- clickstream-sql: the three most viewed pages of every minute.
-- Run by `freshet run clickstream-sql`, which first writes generated clicks to the stream
-- sql-clicks; paste it into `freshet sql` to run it by hand.

-- The clicks, as freshet demo writes them: one JSON object per record.
-- "read": "snapshot" reads what the stream holds when the query starts, so the job finishes;
-- "follow" would keep reading new clicks.
CREATE EXTERNAL TABLE clicks (
  userId      VARCHAR,
  page        VARCHAR,
  `timestamp` TIMESTAMP
)
TYPE kinesis
LOCATION 'sql-clicks'
TBLPROPERTIES '{"timestampField": "timestamp", "read": "snapshot"}';

-- The ranking of each minute goes to a stream of its own, one JSON record per ranked page.
CREATE EXTERNAL TABLE top_pages (
  window_start TIMESTAMP,
  page         VARCHAR,
  views        BIGINT,
  page_rank    BIGINT
)
TYPE kinesis
LOCATION 'top-pages'
TBLPROPERTIES '{"partitionKey": "page"}';

-- Window Top-N: views per page per minute (TUMBLE), numbered per minute by views (ROW_NUMBER;
-- ties go to the page that sorts first), cut at 3.
INSERT INTO top_pages
SELECT window_start, page, views, rn
FROM (
  SELECT page, window_start, views,
         ROW_NUMBER() OVER (PARTITION BY window_start ORDER BY views DESC) AS rn
  FROM (
    SELECT page, TUMBLE_START(`timestamp`, INTERVAL '1' MINUTE) AS window_start, COUNT(*) AS views
    FROM clicks
    GROUP BY page, TUMBLE(`timestamp`, INTERVAL '1' MINUTE)))
WHERE rn <= 3;
