"""armorlake through psycopg2, SQLAlchemy and pandas (Debian's packages),
as Superset and notebooks use them. Prints one line per fact;
test/clients_test.go checks them. Usage: clients.py HOST PORT"""
import sys

import pandas
import psycopg2
import sqlalchemy
from sqlalchemy import inspect, text

host, port = sys.argv[1], sys.argv[2]

# psycopg2: the simple protocol with client-side parameters, BEGIN
# before the first statement (autocommit off).
conn = psycopg2.connect(host=host, port=port, user="armorlake", dbname="armorlake")
cur = conn.cursor()
cur.execute("SELECT count(*) FROM alerts WHERE severity >= %s AND namespace_name <> %s", (5, "it's"))
print("psycopg2 count", cur.fetchone()[0] > 0)
cur.execute("SELECT ts, event_data, atags, severity FROM alerts ORDER BY ts LIMIT 1")
row = cur.fetchone()
print("psycopg2 types", type(row[0]).__name__, row[0].tzinfo is not None, type(row[2]).__name__, type(row[3]).__name__)
try:
    cur.execute("SELECT * FROM no_such_table")
except psycopg2.Error as e:
    print("psycopg2 error", e.pgcode)
conn.rollback()
cur.execute("SELECT 1")
print("psycopg2 after error", cur.fetchone()[0])
conn.close()

# SQLAlchemy: dialect initialisation and reflection.
eng = sqlalchemy.create_engine("postgresql+psycopg2://armorlake@%s:%s/armorlake" % (host, port))
insp = inspect(eng)
print("schemas", insp.get_schema_names())
print("tables", insp.get_table_names())
print("views", insp.get_view_names())
print("columns", [(c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns("messages")])
print("pk", insp.get_pk_constraint("messages")["constrained_columns"])
print("fks", insp.get_foreign_keys("messages"))
print("indexes", insp.get_indexes("messages"))
print("unique", insp.get_unique_constraints("messages"))
print("comment", insp.get_table_comment("messages")["text"])
t = sqlalchemy.Table("alerts", sqlalchemy.MetaData(), autoload_with=eng)
print("reflected", len(t.columns), t.columns["ts"].type.timezone)
with eng.connect() as c:
    n = c.execute(text("SELECT count(*) FROM messages WHERE level = :l"), {"l": "Info"}).scalar()
    print("sqlalchemy count", n >= 0)
    n = c.execute(sqlalchemy.select(sqlalchemy.func.count()).select_from(t).where(t.c.severity > 3)).scalar()
    print("sqlalchemy core", n > 0)

# pandas.
df = pandas.read_sql("SELECT operation, count(*) AS n FROM logs GROUP BY 1 ORDER BY 1", eng)
print("read_sql", list(df.columns), str(df["n"].dtype))
df = pandas.read_sql("SELECT ts, host_name FROM logs ORDER BY ts LIMIT 5", eng)
print("read_sql ts", str(df["ts"].dtype))
df = pandas.read_sql_table("messages", eng)
print("read_sql_table", len(df.columns), len(df) > 0)
