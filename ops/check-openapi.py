#!/usr/bin/env python3
"""Validates events/openapi.json against the OpenAPI 3.1 specification (openapi-spec-validator,
the reference implementation), independently of the Swift code that generates it."""
import json, pathlib, sys
from openapi_spec_validator import validate

path = pathlib.Path(__file__).resolve().parent.parent / "events" / "openapi.json"
document = json.loads(path.read_text(encoding="utf-8"))
try:
    validate(document)
except Exception as error:  # the validator raises its own hierarchy; print it in full
    print(f"events/openapi.json no es OpenAPI 3.1 válido: {error}", file=sys.stderr)
    sys.exit(1)
operations = sum(1 for item in document["paths"].values() for method in item if method in {"get", "post", "put", "patch", "delete"})
print(f"events/openapi.json: OpenAPI {document['openapi']} válido, {operations} operaciones, {len(document['components']['schemas'])} esquemas")
