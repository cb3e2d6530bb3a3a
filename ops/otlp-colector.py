#!/usr/bin/env python3
"""A minimal OpenTelemetry collector for ops/drill-trazas: receives OTLP/HTTP with JSON bodies
(OTEL_EXPORTER_OTLP_PROTOCOL=http/json) on POST /v1/traces and appends each body, one per line, to a
file. Loopback only. Usage: otlp-colector.py PORT FILE"""
import http.server
import sys

PORT, FILE = int(sys.argv[1]), sys.argv[2]


class Collector(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path != "/v1/traces" or not self.headers.get("Content-Type", "").startswith("application/json"):
            self.send_response(415 if self.path == "/v1/traces" else 404)
            self.end_headers()
            return
        with open(FILE, "ab") as out:
            out.write(body.replace(b"\n", b" ") + b"\n")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Collector).serve_forever()
