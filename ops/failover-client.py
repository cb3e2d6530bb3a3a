#!/usr/bin/env python3
"""The failover drill's client (ops/drill-failover): a steady write load through the API with a ledger.

Each worker registers people with POST /v1/comandos/registrar-persona, one Idempotency-Key per write.
A 503 (or a broken connection) is retried with the same key, as the API asks, until it is answered
2xx: a retry never writes twice. Every 2xx goes to the ledger (key, stream, position, time), which
the drill checks against the log afterwards: an acknowledged write that is not there is a lost write.
Each acknowledged case is read back through its Location (the position token), which may be served by
a read replica: read-your-writes must hold. The read-backs run on a reader thread beside each worker, so
that a read waiting for the projections (which stop with the primary too) does not hold up the writes:
the outage measured is the writes' own.

    failover-client.py URLS TOKEN LEDGER STOPFILE [WORKERS]
URLS: one API address, or several as NAME=URL separated by commas (the drill serves one instance per way
of reaching the primary: multihost=…,haproxy=…); the workers are dealt among them in turn, and the
summary gives each its own outage. Runs until STOPFILE exists, then writes LEDGER (JSON Lines, each
entry with its "ruta") and a summary line (JSON) to stdout.
"""
import json
import queue
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

URLS, TOKEN, LEDGER, STOP = sys.argv[1:5]
WORKERS = int(sys.argv[5]) if len(sys.argv) > 5 else 4
ROUTES = [part.split("=", 1) if "=" in part.split("://")[0] else ["api", part] for part in URLS.split(",")]
PERSON = json.dumps({
    "calidad": "victima", "sexo": "mujer", "edad": 23, "nacionalidad": "MEX", "condicionMigratoria": "no-aplica-nacional",
    "fechaDeDeteccion": "2024-03-01", "institucionQueDetecta": "FGE-07", "formaDeDeteccion": "operativo-de-rescate",
    "lugarDeDeteccion": {"pais": "MEX", "entidad": "07", "municipio": "07101"},
}).encode()

lock = threading.Lock()
ledger = []          # one dict per acknowledged write
statuses = {}        # status (or "conexion") -> count, for every answer
retry_after = set()  # Retry-After values seen on 503s
reads = {"ok": 0, "reintentos": 0, "fallidas": 0}
answered = []        # (route, monotonic time, ok) of every write answer, for the outage


def call(url, method, path, body=None, key=None):
    headers = {"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    request = urllib.request.Request(url + path, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return "conexion", {}, b""


def count(status):
    with lock:
        statuses[str(status)] = statuses.get(str(status), 0) + 1


def read_back(url, location):
    """The case at its Location: 200 once the (possibly replica) read model holds the write."""
    for _ in range(300):
        status, headers, _ = call(url, "GET", location)
        if status == 200:
            with lock:
                reads["ok"] += 1
            return
        if status in (503, "conexion"):
            with lock:
                reads["reintentos"] += 1
            time.sleep(0.1)
            continue
        break
    with lock:
        reads["fallidas"] += 1
        print("lectura fallida", url + location, status, file=sys.stderr)


def reader(url, locations):
    """Reads back every Location its worker hands over, until the worker hands over None."""
    while (location := locations.get()) is not None:
        read_back(url, location)


def worker(route, url):
    import os
    locations = queue.Queue()
    reading = threading.Thread(target=reader, args=(url, locations))
    reading.start()
    while not os.path.exists(STOP):
        key = "simulacro-" + uuid.uuid4().hex
        while True:
            status, headers, body = call(url, "POST", "/v1/comandos/registrar-persona", PERSON, key)
            now = time.monotonic()
            count(status)
            if status in (200, 201):
                answer = json.loads(body)
                with lock:
                    answered.append((route, now, True))
                    ledger.append({"clave": key, "flujo": answer["flujo"], "posicion": answer["posicion"],
                                   "estado": status, "t": time.time(), "ruta": route})
                locations.put(headers.get("Location") or headers.get("location"))
                break
            with lock:
                answered.append((route, now, False))
            if status == 503:
                with lock:
                    retry_after.add(headers.get("Retry-After"))
            elif status != "conexion":
                print("respuesta inesperada", status, body[:300], file=sys.stderr)
                break
            # Faster than Retry-After asks, to time the outage to a tenth of a second.
            time.sleep(0.1)
    locations.put(None)
    reading.join()


threads = [threading.Thread(target=worker, args=ROUTES[i % len(ROUTES)]) for i in range(WORKERS)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()

with open(LEDGER, "w") as out:
    for entry in ledger:
        out.write(json.dumps(entry) + "\n")


def outage(route=None):
    """The longest time without any acknowledged write (of ROUTE, or of any), between two acknowledged ones."""
    oks = sorted(t for r, t, ok in answered if ok and (route is None or r == route))
    return round(max((b - a for a, b in zip(oks, oks[1:])), default=0.0), 2)


routes = {name: {"confirmadas": sum(1 for e in ledger if e["ruta"] == name), "sinEscriturasSegundos": outage(name)}
          for name, _ in ROUTES}
print(json.dumps({"confirmadas": len(ledger), "respuestas": statuses, "retryAfter": sorted(v for v in retry_after if v),
                  "sinEscriturasSegundos": outage(), "rutas": routes, "lecturas": reads}))
