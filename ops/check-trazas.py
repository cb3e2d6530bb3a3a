#!/usr/bin/env python3
"""Checks the spans ops/drill-trazas collected (OTLP JSON, one export per line) for one trace.
Usage: check-trazas.py FILE TRACE_ID FORBIDDEN... — prints the spans of the trace; exits 1 with
the reasons when the request span, the command span under it, or their attributes are not as
docs/observability.md says, or when any FORBIDDEN text (a name, a token) is anywhere in the file."""
import base64
import json
import re
import sys

path, trace, forbidden = sys.argv[1], sys.argv[2], sys.argv[3:]
text = open(path, encoding="utf-8").read()
spans = []
for line in text.splitlines():
    for resource in json.loads(line).get("resourceSpans", []):
        service = {a["key"]: a["value"] for a in resource.get("resource", {}).get("attributes", [])}.get("service.name", {})
        for scope in resource.get("scopeSpans", []):
            for span in scope.get("spans", []):
                span["_service"] = service.get("stringValue")
                span["_attributes"] = {a["key"]: list(a["value"].values())[0] for a in span.get("attributes", [])}
                spans.append(span)


def hex_id(value):
    """OTLP/JSON's ids: hex per the OTLP spec, base64 per protobuf's JSON mapping (swift-otel's)."""
    if re.fullmatch(r"[0-9a-fA-F]{16}|[0-9a-fA-F]{32}", value or ""):
        return value.lower()
    return base64.b64decode(value).hex() if value else ""


for s in spans:
    s["traceId"], s["spanId"], s["parentSpanId"] = hex_id(s.get("traceId")), hex_id(s.get("spanId")), hex_id(s.get("parentSpanId"))
mine = [s for s in spans if s["traceId"] == trace]
for s in mine:
    print(f"  {s['name']}: {json.dumps(s['_attributes'], ensure_ascii=False, sort_keys=True)}")
problems = []
server = [s for s in mine if s["name"].startswith("POST /v1/comandos/")]
command = [s for s in mine if s["name"] == "comando registrar-persona"]
if not server:
    problems.append("no hay tramo de la solicitud POST /v1/comandos/… en la traza")
if not command:
    problems.append("no hay tramo «comando registrar-persona» en la traza")
if server and command:
    request, step = server[0], command[0]
    if step["parentSpanId"] != request["spanId"]:
        problems.append("el tramo del comando no es hijo del de la solicitud")
    if str(request["_attributes"].get("http.response.status_code")) != "201":
        problems.append(f"estado de la solicitud: {request['_attributes'].get('http.response.status_code')}")
    if not str(request["_attributes"].get("sintra.cuenta", "")).startswith("usuario-"):
        problems.append("la solicitud no lleva la cuenta (sintra.cuenta)")
    if step["_attributes"].get("sintra.resultado") != "anexado":
        problems.append(f"resultado del comando: {step['_attributes'].get('sintra.resultado')}")
    if request["_service"] != "sintra":
        problems.append(f"service.name: {request['_service']}")
for text_ in forbidden:
    if text_ and text_ in text:
        problems.append(f"«{text_[:12]}…» aparece en las trazas")
if problems:
    print("ERROR: " + "; ".join(problems), file=sys.stderr)
    sys.exit(1)
