#!/usr/bin/env python3
"""Validates real API answers against the schemas the contract declares for them (jsonschema, 2020-12).

Usage: check-responses.py OPENAPI.json SAMPLES.json
SAMPLES.json: [{"esquema": "Expediente", "ruta": "GET /v1/expedientes/…", "cuerpo": {…}}, …]
Prints every mismatch with its path in the answer; exits 1 if there is any.
"""
import json
import sys

from jsonschema import Draft202012Validator

contract = json.load(open(sys.argv[1], encoding="utf-8"))
samples = json.load(open(sys.argv[2], encoding="utf-8"))
failures = 0
for sample in samples:
    schema = {"$ref": f"#/components/schemas/{sample['esquema']}", "components": contract["components"]}
    for error in Draft202012Validator(schema).iter_errors(sample["cuerpo"]):
        failures += 1
        where = "/".join(str(p) for p in error.absolute_path)
        print(f"{sample['ruta']} ({sample['esquema']}) en /{where}: {error.message[:300]}")
print(f"{len(samples)} respuestas contra su esquema, {failures} discrepancias")
sys.exit(1 if failures else 0)
