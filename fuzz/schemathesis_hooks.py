"""Schemathesis hooks for fuzz/api_fuzz.py (loaded through SCHEMATHESIS_HOOKS).

docs/openapi.yaml documents `Content-Length` and `Transfer-Encoding` as header parameters of `PUT
/files/{bucket}/{key}`. Generated values for them describe a body other than the one sent (e.g. `Content-Length: 7`
with 2 bytes), so the daemon rightly waits for bytes that never come and the run stalls until the request timeout.
Framing is the HTTP client's job: those two parameters are dropped before generation. fuzz/files_fuzz.py covers
broken framing on purpose, over raw sockets.
"""
import schemathesis

FRAMING = {"content-length", "transfer-encoding"}


@schemathesis.hook
def before_load_schema(context, raw_schema):
    for item in raw_schema.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "parameters" in operation:
                operation["parameters"] = [
                    p for p in operation["parameters"]
                    if not (p.get("in") == "header" and p.get("name", "").lower() in FRAMING)
                ]
