"""Minimal invenio-records-rest application used for benchmarking.

Assembled as the package's examples/app.py: Flask + InvenioDB (SQLite, with
SQLAlchemy-Continuum revisions as by default) + InvenioREST + InvenioPIDStore +
InvenioRecords + InvenioJSONSchemas + InvenioRecordsREST, serving the default
`recid` endpoint at /records/ and /records/<pid>. Workarounds (see README.md):

- No search cluster: the endpoint's `indexer_class` is None (records-rest then
  skips indexing on create/update) and reads are allowed by `allow_all`
  instead of the default `check_search`, which asks the search engine whether
  the record is indexed. GET /records/ (search) is not served.
- Permissions: allow everything (the defaults deny create/update/delete).
- JSON Schema: schemas/records/record-v1.0.0.json is registered with
  invenio-jsonschemas and resolved as `local://records/record-v1.0.0.json`
  through InvenioRefResolver (InvenioRDM's configuration). invenio-records
  validates only when a record has `$schema`, so BenchRecord sets it when the
  client leaves it out (on create and on every commit: PUT replaces the whole
  JSON).
- SQLite: WAL, busy_timeout, BEGIN IMMEDIATE for writing requests (the files
  peer's recipe), or 2 gunicorn workers fail writes with "database is locked".

Environment: BENCH_DIR (folder of the SQLite database, default
/tmp/invenio-records-peer/bench).
"""

import os
import sys

from flask import Flask
from invenio_db import InvenioDB, db
from invenio_i18n import Babel
from invenio_jsonschemas import InvenioJSONSchemas
from invenio_pidstore import InvenioPIDStore
from invenio_records import InvenioRecords
from invenio_records.api import Record
from invenio_records_rest import InvenioRecordsREST
from invenio_records_rest.utils import PIDConverter, allow_all
from invenio_records_rest.views import create_blueprint_from_app
from invenio_rest import InvenioREST
from sqlalchemy import event
from sqlalchemy.engine import Engine

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH_DIR = os.environ.get("BENCH_DIR", "/tmp/invenio-records-peer/bench")
DB_PATH = os.path.join(BENCH_DIR, "db.sqlite")
SCHEMA = "local://records/record-v1.0.0.json"


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_conn, _record):
    # Let SQLAlchemy, not pysqlite, emit BEGIN (the pysqlite recipe).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn):
    # Writing requests take the write lock up front (no read->write upgrade
    # deadlock between the two workers); GET/HEAD read a WAL snapshot.
    from flask import has_request_context, request

    if has_request_context() and request.method in ("GET", "HEAD"):
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


class BenchRecord(Record):
    """A Record that is always validated against the benchmark's schema."""

    @classmethod
    def create(cls, data, id_=None, **kwargs):
        data.setdefault("$schema", SCHEMA)
        return super().create(data, id_=id_, **kwargs)

    def commit(self, **kwargs):
        self.setdefault("$schema", SCHEMA)
        return super().commit(**kwargs)


ENDPOINTS = dict(
    recid=dict(
        pid_type="recid",
        pid_minter="recid",
        pid_fetcher="recid",
        record_class=BenchRecord,
        indexer_class=None,  # no search cluster: skip indexing
        search_index=None,
        record_serializers={
            "application/json": "invenio_records_rest.serializers:json_v1_response",
        },
        search_serializers={
            "application/json": "invenio_records_rest.serializers:json_v1_search",
        },
        list_route="/records/",
        item_route='/records/<pid(recid,record_class="benchapp:BenchRecord"):pid_value>',
        default_media_type="application/json",
        max_result_window=10000,
        read_permission_factory_imp=allow_all,
        create_permission_factory_imp=allow_all,
        update_permission_factory_imp=allow_all,
        delete_permission_factory_imp=allow_all,
        list_permission_factory_imp=allow_all,
        use_options_view=False,
    ),
)


def create_app():
    app = Flask("invenio_records_rest_bench")
    app.config.update(
        SECRET_KEY="bench-secret",
        SQLALCHEMY_DATABASE_URI="sqlite:///" + DB_PATH,
        SQLALCHEMY_TRACK_MODIFICATIONS=False,
        SQLALCHEMY_ECHO=False,
        DB_VERSIONING_USER_MODEL=None,  # no invenio-accounts
        JSONSCHEMAS_HOST="127.0.0.1",
        RECORDS_REFRESOLVER_CLS="invenio_records.resolver.InvenioRefResolver",
        RECORDS_REFRESOLVER_STORE="invenio_jsonschemas.proxies.current_refresolver_store",
        RECORDS_REST_ENDPOINTS=ENDPOINTS,
        RECORDS_REST_DEFAULT_READ_PERMISSION_FACTORY=allow_all,
        RECORDS_REST_DEFAULT_CREATE_PERMISSION_FACTORY=allow_all,
        RECORDS_REST_DEFAULT_UPDATE_PERMISSION_FACTORY=allow_all,
        RECORDS_REST_DEFAULT_DELETE_PERMISSION_FACTORY=allow_all,
        REST_ENABLE_CORS=False,
    )
    app.url_map.converters["pid"] = PIDConverter
    InvenioDB(app)
    Babel(app)
    InvenioREST(app)
    InvenioPIDStore(app)
    InvenioRecords(app)
    InvenioJSONSchemas(app, entry_point_group=False)
    app.extensions["invenio-jsonschemas"].register_schemas_dir(os.path.join(HERE, "schemas"))
    InvenioRecordsREST(app)
    app.register_blueprint(create_blueprint_from_app(app))
    return app


app = create_app()
wsgi = app  # gunicorn entry point: benchapp:wsgi


if __name__ == "__main__":
    if sys.argv[1:] != ["init"]:
        print("usage: benchapp.py init")
        sys.exit(2)
    os.makedirs(BENCH_DIR, exist_ok=True)
    with app.app_context():
        db.create_all()
    print("initialised", DB_PATH)
