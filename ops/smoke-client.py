#!/usr/bin/env python3
"""A smoke run of SINTRA's API through a client generated from its contract (openapi-python-client).

Usage: smoke-client.py PACKAGE_PARENT BASE_URL USER PASSWORD PAYLOADS.json
PAYLOADS.json holds {"persona": {...}, "atencion": {...}}. Prints one JSON line with each step's status;
exits 1 when a step does not answer as documented. Only the generated code talks HTTP here.
"""
import importlib
import json
import sys
import time
import uuid

parent, base_url, user, password, payloads_path = sys.argv[1:6]
sys.path.insert(0, parent)
package = "cliente_sintra"
cliente = importlib.import_module(package)
def module(name):
    return importlib.import_module(f"{package}.{name}")

payloads = json.load(open(payloads_path, encoding="utf-8"))
steps = {}

def patiently(call):
    """As a client should: a 503 (projections catching up) is retried after its Retry-After."""
    for _ in range(20):
        answer = call()
        if answer.status_code.value != 503:
            return answer
        time.sleep(min(float(answer.headers.get("retry-after", "1")), 1.0))
    return answer

anonymous = cliente.Client(base_url=base_url)
login = module("api.sesiones.iniciar_sesion").sync_detailed(
    client=anonymous, body=module("models.iniciar_sesion_body").IniciarSesionBody(usuario=user, contrasena=password))
steps["iniciar_sesion"] = login.status_code.value
token = login.parsed.token_de_acceso
client = cliente.AuthenticatedClient(base_url=base_url, token=token)

registered = module("api.atencion_a_victimas.registrar_persona").sync_detailed(
    client=client, body=module("models.victima_registrada").VictimaRegistrada.from_dict(payloads["persona"]),
    idempotency_key=str(uuid.uuid4()))
steps["registrar_persona"] = registered.status_code.value
case = registered.parsed.flujo

attention = module("api.atencion_a_victimas.registrar_atencion").sync_detailed(
    case, client=client, body=module("models.atencion_otorgada").AtencionOtorgada.from_dict(payloads["atencion"]),
    idempotency_key=str(uuid.uuid4()))
steps["registrar_atencion"] = attention.status_code.value

# Read-your-writes: the position of the last write, as the API's contract offers.
written = attention.parsed.posicion
read = patiently(lambda: module("api.expedientes.leer_expediente").sync_detailed(case, client=client, posicion=written))
steps["leer_expediente"] = read.status_code.value
steps["lineaDeTiempo"] = len(json.loads(read.content).get("lineaDeTiempo", []))

steps["listar_expedientes"] = patiently(lambda: module("api.expedientes.listar_expedientes").sync_detailed(client=client, posicion=written)).status_code.value
steps["calcular_indicadores"] = patiently(lambda: module("api.indicadores.calcular_indicadores").sync_detailed(client=client, anio=2024)).status_code.value
steps["estadisticas_vigentes"] = patiently(lambda: module("api.estadisticas.estadisticas_vigentes").sync_detailed(client=client)).status_code.value
steps["salud"] = module("api.sistema.salud").sync_detailed(client=anonymous).status_code.value

print(json.dumps(steps, sort_keys=True))
expected = {"iniciar_sesion": 201, "registrar_persona": 201, "registrar_atencion": 201, "leer_expediente": 200,
            "listar_expedientes": 200, "calcular_indicadores": 200, "estadisticas_vigentes": 200, "salud": 200}
sys.exit(0 if all(steps[k] == v for k, v in expected.items()) and steps["lineaDeTiempo"] == 2 else 1)
