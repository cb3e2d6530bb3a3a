#!/usr/bin/env python3
"""Load for ops/drill-instancias: registers people through the proxy from several threads, as an
integrator would: every write has its own Idempotency-Key, and a write that got no answer (a
connection cut, a 502/503 while an instance dies) is sent again with the same key until it is
answered. Each answered write goes to the ledger (JSON Lines): key, status, stream, position.
At write number --matar-en it kills the given process with SIGKILL (the instance under test).

    drill-instancias-carga.py URL TOKEN LEDGER --total N --hilos H --matar PID --matar-en K [--hasta ARCHIVO]
"""
import argparse
import json
import os
import signal
import threading
import time
import urllib.error
import urllib.request

PERSON = {"calidad": "victima", "sexo": "mujer", "edad": 23, "nacionalidad": "MEX", "condicionMigratoria": "no-aplica-nacional",
          "fechaDeDeteccion": "2024-03-01", "institucionQueDetecta": "FGE-07", "formaDeDeteccion": "operativo-de-rescate",
          "lugarDeDeteccion": {"pais": "MEX", "entidad": "07", "municipio": "07101"}, "nombre": "Ficticia", "primerApellido": "Simulacro"}


def send(url, token, key):
    request = urllib.request.Request(url + "/v1/comandos/registrar-persona", data=json.dumps(PERSON).encode(), method="POST",
                                     headers={"Authorization": "Bearer " + token, "Content-Type": "application/json", "Idempotency-Key": key})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as error:
        return error.code, None
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None, None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url"), parser.add_argument("token"), parser.add_argument("ledger")
    parser.add_argument("--total", type=int, default=600)
    parser.add_argument("--hilos", type=int, default=8)
    parser.add_argument("--matar", type=int, default=0)
    parser.add_argument("--matar-en", type=int, default=0)
    parser.add_argument("--prefijo", default="simulacro")
    parser.add_argument("--hasta", default="", help="sigue enviando (más allá de --total) hasta que exista este archivo")
    parser.add_argument("--lider", default="", help="/metrics de la instancia que debe relevar a la matada")
    parser.add_argument("--token-metricas", default="")
    options = parser.parse_args()

    lock = threading.Lock()
    state = {"next": 0, "killed_at": None, "retries": 0, "refused": 0, "takeover": None, "why": {}}
    killed = threading.Event()

    def watch_takeover():
        """Seconds from the SIGKILL until the other instance says it leads (sintra_proyector_lider 1)."""
        killed.wait()
        while time.time() - state["killed_at"] < 60:
            try:
                request = urllib.request.Request(options.lider, headers={"Authorization": "Bearer " + options.token_metricas})
                with urllib.request.urlopen(request, timeout=5) as answer:
                    values = [line.split()[1] for line in answer.read().decode().splitlines() if line.startswith("sintra_proyector_lider ")]
                    if values and float(values[0]) == 1:
                        state["takeover"] = round(time.time() - state["killed_at"], 2)
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.1)
    ledger = open(options.ledger, "w")

    def worker():
        while True:
            with lock:
                number = state["next"]
                if number >= options.total and (not options.hasta or os.path.exists(options.hasta)):
                    return
                state["next"] += 1
                if options.matar and number == options.matar_en:
                    os.kill(options.matar, signal.SIGKILL)
                    state["killed_at"] = time.time()
                    killed.set()
            key = "%s-%d" % (options.prefijo, number)
            for attempt in range(60):
                status, body = send(options.url, options.token, key)
                if status in (200, 201):
                    with lock:
                        ledger.write(json.dumps({"clave": key, "estado": status, "flujo": body["flujo"], "posicion": body["posicion"],
                                                 "intentos": attempt + 1}) + "\n")
                    break
                if status is not None and status < 500 and status not in (409, 429):
                    with lock:
                        state["refused"] += 1
                    break
                with lock:
                    state["retries"] += 1
                    why = str(status) if status is not None else "sin respuesta"
                    state["why"][why] = state["why"].get(why, 0) + 1
                time.sleep(0.25)

    started = time.time()
    threads = [threading.Thread(target=worker) for _ in range(options.hilos)]
    if options.lider:
        threads.append(threading.Thread(target=watch_takeover))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ledger.close()
    print(json.dumps({"enviadas": state["next"], "segundos": round(time.time() - started, 1), "reintentos": state["retries"], "motivos": state["why"], "rechazadas": state["refused"],
                      "matado_en": state["killed_at"], "relevo_segundos": state["takeover"]}))


if __name__ == "__main__":
    main()
