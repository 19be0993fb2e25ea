"""Scale data: ``gongzhi seed --scale district|city|province`` fills a database with realistic generated records fast
(COPY on PostgreSQL, bulk inserts on SQLite), reproducible by ``--seed``. The benchmarks build on it."""
