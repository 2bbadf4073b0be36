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

Resolver (for benchmarks/pids.sh): every record also gets a registered `doi`
PID `10.5072/invenio.<recid>` when it is created (BenchRecord.create, in the
create transaction, next to the `recid` the minter made), and two routes
resolve PIDs with invenio-pidstore's own Resolver, as Invenio apps do:
GET /pid/recid/<pid_value> and GET /doi/<path:doi> -> 302 to the record's
/records/<recid> (absolute, by url_for), unknown or unregistered -> 404,
deleted -> 410, redirected -> 301 to the target's resolver route, an
assigned object missing -> 500 (records-rest's mapping of pidstore's errors).

Environment: BENCH_DIR (folder of the SQLite database, default
/tmp/invenio-records-peer/bench).
"""

import os
import sys

from flask import Flask, jsonify, make_response, redirect, url_for
from invenio_db import InvenioDB, db
from invenio_i18n import Babel
from invenio_jsonschemas import InvenioJSONSchemas
from invenio_pidstore import InvenioPIDStore
from invenio_pidstore.errors import (
    PIDDeletedError,
    PIDDoesNotExistError,
    PIDMissingObjectError,
    PIDRedirectedError,
    PIDUnregistered,
)
from invenio_pidstore.fetchers import recid_fetcher
from invenio_pidstore.models import PersistentIdentifier, PIDStatus
from invenio_pidstore.resolver import Resolver
from invenio_records import InvenioRecords
from invenio_records.api import Record
from invenio_records_rest import InvenioRecordsREST
from invenio_records_rest.errors import (
    PIDDeletedRESTError,
    PIDDoesNotExistRESTError,
    PIDMissingObjectRESTError,
    PIDUnregisteredRESTError,
)
from invenio_records_rest.utils import PIDConverter, allow_all
from invenio_records_rest.views import create_blueprint_from_app
from invenio_rest import InvenioREST
from sqlalchemy import event
from sqlalchemy.engine import Engine

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH_DIR = os.environ.get("BENCH_DIR", "/tmp/invenio-records-peer/bench")
DB_PATH = os.path.join(BENCH_DIR, "db.sqlite")
SCHEMA = "local://records/record-v1.0.0.json"
DOI_PREFIX = "10.5072"


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
        record = super().create(data, id_=id_, **kwargs)
        # A registered DOI next to the recid the minter made (records-rest's
        # POST mints the recid, then calls this, then commits both).
        recid = data.get("control_number")
        if recid is not None:
            PersistentIdentifier.create(
                pid_type="doi",
                pid_value=f"{DOI_PREFIX}/invenio.{recid}",
                pid_provider=None,
                object_type="rec",
                object_uuid=record.id,
                status=PIDStatus.REGISTERED,
            )
        return record

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


RESOLVERS = {
    pid_type: Resolver(pid_type=pid_type, object_type="rec", getter=Record.get_record)
    for pid_type in ("recid", "doi")
}


def resolve(pid_type, pid_value):
    """302 to the record a PID leads to; pidstore's errors as records-rest maps them."""
    try:
        pid, record = RESOLVERS[pid_type].resolve(pid_value)
    except PIDDoesNotExistError as error:
        raise PIDDoesNotExistRESTError(pid_error=error)
    except PIDUnregistered as error:
        raise PIDUnregisteredRESTError(pid_error=error)
    except PIDDeletedError as error:
        raise PIDDeletedRESTError(pid_error=error)
    except PIDMissingObjectError as error:
        raise PIDMissingObjectRESTError(error.pid, pid_error=error)
    except PIDRedirectedError as error:
        target = error.destination_pid
        location = (
            url_for("resolve_recid", pid_value=target.pid_value, _external=True)
            if target.pid_type == "recid"
            else url_for("resolve_doi", doi=target.pid_value, _external=True)
        )
        response = make_response(
            jsonify(status=301, message="Moved Permanently", location=location), 301
        )
        response.headers["Location"] = location
        return response
    # The record's URL is by recid: a DOI's record gives it by the recid fetcher
    # (its control_number), as records-rest's links do.
    recid = pid.pid_value if pid_type == "recid" else recid_fetcher(record.id, record).pid_value
    return redirect(
        url_for("invenio_records_rest.recid_item", pid_value=recid, _external=True), 302
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
    app.add_url_rule(
        "/pid/recid/<pid_value>", "resolve_recid", lambda pid_value: resolve("recid", pid_value)
    )
    app.add_url_rule("/doi/<path:doi>", "resolve_doi", lambda doi: resolve("doi", doi))
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
