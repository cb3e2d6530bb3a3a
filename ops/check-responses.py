#!/usr/bin/env python3
"""Validates real API answers against what the contract declares for them (jsonschema, 2020-12):
the body against its component, and, when the sample names its operation and status, that every
header the contract marks as required for that response was sent.

Usage: check-responses.py OPENAPI.json SAMPLES.json
SAMPLES.json: [{"esquema": "Expediente", "ruta": "GET /v1/expedientes/…", "cuerpo": {…},
                "operacion": "get /v1/expedientes/{expediente}", "estado": 200, "encabezados": {"ETag": "…"}}, …]
Prints every mismatch with its path in the answer; exits 1 if there is any.
"""
import json
import sys

from jsonschema import Draft202012Validator

contract = json.load(open(sys.argv[1], encoding="utf-8"))
samples = json.load(open(sys.argv[2], encoding="utf-8"))
failures = 0
headers_checked = 0
for sample in samples:
    schema = {"$ref": f"#/components/schemas/{sample['esquema']}", "components": contract["components"]}
    for error in Draft202012Validator(schema).iter_errors(sample["cuerpo"]):
        failures += 1
        where = "/".join(str(p) for p in error.absolute_path)
        print(f"{sample['ruta']} ({sample['esquema']}) en /{where}: {error.message[:300]}")
    if "operacion" not in sample:
        continue
    method, template = sample["operacion"].split(" ", 1)
    operation = contract["paths"].get(template, {}).get(method)
    if operation is None:
        failures += 1
        print(f"{sample['ruta']}: el contrato no tiene la operación {method.upper()} {template}")
        continue
    response = operation["responses"].get(str(sample["estado"]))
    if response is None:
        failures += 1
        print(f"{sample['ruta']}: el contrato no declara el estado {sample['estado']} de {method.upper()} {template}")
        continue
    sent = {name.lower() for name in sample.get("encabezados", {})}
    for name, header in response.get("headers", {}).items():
        if "$ref" in header:
            header = contract["components"]["headers"][header["$ref"].rsplit("/", 1)[1]]
        if header.get("required"):
            headers_checked += 1
            if name.lower() not in sent:
                failures += 1
                print(f"{sample['ruta']} ({sample['estado']}): falta el encabezado declarado «{name}»")
print(f"{len(samples)} respuestas contra su esquema, {headers_checked} encabezados obligatorios revisados, {failures} discrepancias")
sys.exit(1 if failures else 0)
