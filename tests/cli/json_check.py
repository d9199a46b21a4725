#!/usr/bin/env python3
"""Validate one --json document against docs/schema/homeexpose.schema.json.

usage: json_check.py DEF FILE   (DEF: a name under $defs, e.g. list, status, error)
Exit 0 when valid; 1 with the reasons otherwise; 2 when jsonschema is missing.
"""
import json
import os
import sys

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema is not installed (tools/deps.sh test)", file=sys.stderr)
    sys.exit(2)

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "..", "..", "docs", "schema", "homeexpose.schema.json")) as f:
    schema = json.load(f)
jsonschema.Draft202012Validator.check_schema(schema)
name, path = sys.argv[1], sys.argv[2]
if name not in schema["$defs"]:
    print(f"no definition '{name}' in the schema", file=sys.stderr)
    sys.exit(2)
with open(path) as f:
    doc = json.load(f)
wrapper = dict(schema)
wrapper["$ref"] = f"#/$defs/{name}"
errors = sorted(jsonschema.Draft202012Validator(wrapper).iter_errors(doc), key=lambda e: list(e.path))
for e in errors:
    print(f"{name}: {'/'.join(map(str, e.path)) or '(top)'}: {e.message}", file=sys.stderr)
sys.exit(1 if errors else 0)
