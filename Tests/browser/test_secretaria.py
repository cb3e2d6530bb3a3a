"""The Secretaría Técnica's pages in a real Chromium (issue 18), run by ops/test-web after the desk.

The Secretaría Técnica records the programme facts behind ficha 1.2 through the generated forms,
sees its value and its substitution in the annex, opens its provenance, compares the annex with an
earlier day, publishes the annex and the year's statistics (the people behind them are registered and
validated first through the API, as an institution's load would), and opens the reports and the
annual report. A capturista is refused «Publicar» and «Hechos del programa». Every page: a screenshot
in $SINTRA_CAPTURAS and axe-core with no serious or critical violation.
"""
import datetime
import zoneinfo
import http.client
import json
import sys
import time
import urllib.parse
import uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

import test_escritorio as base
from test_escritorio import URL, ACCOUNTS, check, audit, fill, click_and_wait, submit

YEAR = 2024


def api(method, path, token=None, body=None):
    url = urllib.parse.urlparse(URL)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    headers = {"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())}
    if token:
        headers["Authorization"] = "Bearer " + token
    connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, json.loads(data) if data.startswith(b"{") else data


def token(user):
    status, body = api("POST", "/v1/sesiones", body={"usuario": user, "contrasena": ACCOUNTS[user]})
    assert status in (200, 201), body
    return body["tokenDeAcceso"]


def counted_people():
    """People detected in YEAR, consenting to be counted, validated: what the statistics count."""
    capturista, supervisor = token("cap.web"), token("sup.web")
    for entidad, municipio, sexo, count in [("07", "07101", "mujer", 14), ("07", "07101", "hombre", 12), ("20", "20067", "mujer", 2)]:
        for _ in range(count):
            person = {"calidad": "victima", "sexo": sexo, "edad": 23, "nacionalidad": "MEX", "condicionMigratoria": "no-aplica-nacional",
                      "fechaDeDeteccion": f"{YEAR}-03-01", "institucionQueDetecta": "FGE-07", "formaDeDeteccion": "operativo-de-rescate",
                      "lugarDeDeteccion": {"pais": "MEX", "entidad": entidad, "municipio": municipio}}
            status, body = api("POST", "/v1/comandos/registrar-persona", capturista, person)
            assert status == 201, body
            stream = body["flujo"]
            status, body = api("POST", f"/v1/flujos/{stream}/registrar-consentimiento", capturista, {
                "fecha": f"{YEAR}-03-02", "compartirConOtrasInstituciones": True, "contarEnEstadisticas": True,
                "fundamento": "consentimiento-expreso-de-la-persona"})
            assert status == 201, body
            status, body = api("POST", f"/v1/flujos/{stream}/validar-registro", supervisor, {"fecha": f"{YEAR}-03-03", "versionValidada": 2})
            assert status == 201, body


def login(driver, user):
    driver.delete_all_cookies()
    driver.get(URL + "/entrar")
    driver.find_element(By.ID, "usuario").send_keys(user)
    driver.find_element(By.ID, "contrasena").send_keys(ACCOUNTS[user])
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))


def record_fact(driver, command, values, checkboxes=()):
    driver.get(URL + f"/hechos/{command}")
    fill(driver, values)
    for name, value in checkboxes:
        driver.find_element(By.CSS_SELECTOR, f'input[name="{name}"][value="{value}"]').click()
    submit(driver)
    recorded = "/hechos?hecho=" + command in driver.current_url
    check(recorded, f"{command}: registrado desde su formulario generado")
    if not recorded:
        with open(base.os.path.join(base.SHOTS, f"fallo-{command}.html"), "w") as out:
            out.write(driver.page_source)


def main():
    started = time.time()
    counted_people()
    driver = base.browser()
    try:
        login(driver, "cap.web")
        driver.get(URL + "/publicar")
        check("Sin permiso" in driver.page_source, "una capturista no puede publicar")
        driver.get(URL + "/hechos")
        check("Sin permiso" in driver.page_source, "una capturista no registra hechos del programa")
        check('href="/publicar"' not in driver.page_source, "el menú de una capturista no ofrece «Publicar»")

        login(driver, "st.web")
        driver.get(URL + "/hechos")
        audit(driver, "hechos-del-programa")
        record_fact(driver, "establecer-valor-programado", {
            "fecha": "2022-12-27", "variable": "1-2-nep", "valor": "6", "alcanceTemporal": "periodo", "anioInicial": "2019", "anioFinal": "2024",
            "fundamento": "PNTdP 2022-2024, ficha del parámetro 1.2: seis espacios de participación en el sexenio."})
        driver.get(URL + "/hechos/registrar-espacio-de-participacion")
        audit(driver, "hecho-espacio-de-participacion")
        for date in ["2023-05-10", "2023-09-02"]:
            record_fact(driver, "registrar-espacio-de-participacion", {
                "fecha": date, "nombre": "Mesa del grupo redactor de la reforma", "tipoDeEspacio": "mesa-de-trabajo",
                "relacionadoConLaReforma": "si", "institucionConvocante": "SEGOB", "modalidad": "presencial",
                "lugar.pais": "MEX", "lugar.entidad": "09", "lugar.municipio": "09015"},
                checkboxes=[("sectoresParticipantes", "sector-publico")])

        driver.get(URL + "/indicadores?anio=2023")
        check("PEPC=(2/6)*100 = 33.33" in driver.page_source, "la ficha 1.2 de 2023 muestra su valor y su sustitución")
        audit(driver, "indicadores-2023")
        driver.get(URL + "/indicadores")
        check(len(driver.find_elements(By.CSS_SELECTOR, "svg.grafica")) >= 15, "una gráfica de serie contra meta por ficha")
        audit(driver, "indicadores")
        driver.get(URL + "/indicadores/1.2/2023")
        check("EspacioDeParticipacionCelebrado" in driver.page_source, "la procedencia nombra los espacios contados")
        audit(driver, "procedencia")
        driver.get(URL + "/indicadores/1.2")
        audit(driver, "ficha")
        # Yesterday in Mexico City: "as of a day" is the end of that day there (Timestamp(endOfDay:)).
        today = datetime.datetime.now(zoneinfo.ZoneInfo("America/Mexico_City")).date()
        yesterday = (today - datetime.timedelta(days=1)).isoformat()
        driver.get(URL + f"/indicadores?anio=2023&al={yesterday}")
        check(f"Como estaba el {yesterday}" in driver.page_source and "Registrado tarde" in driver.page_source,
              "al día de ayer: la diferencia y los eventos registrados después, nombrados")
        audit(driver, "indicadores-al-dia")

        driver.get(URL + "/publicar")
        audit(driver, "publicar")
        Select(driver.find_element(By.ID, "desde")).select_by_value("2023")
        Select(driver.find_element(By.ID, "hasta")).select_by_value("2023")
        click_and_wait(driver, driver.find_element(By.ID, "publicar-anexo"))
        check("/publicar/publicacion-" in driver.current_url and "Se reproduce" in driver.page_source, "el anexo publicado se reproduce")
        audit(driver, "publicacion-anexo")
        driver.get(URL + "/publicar")
        Select(driver.find_element(By.ID, "anio")).select_by_value(str(YEAR))
        click_and_wait(driver, driver.find_element(By.ID, "publicar-estadisticas"))
        check("/publicar/publicacion-" in driver.current_url, f"las estadísticas de {YEAR} publicadas desde el navegador")
        audit(driver, "publicacion-estadisticas")

        driver.get(URL + "/reportes?fuente=personas&filas=sexo&medida=personas&modo=publicacion&titulo=Personas+por+sexo")
        check(len(driver.find_elements(By.ID, "tabla-reporte")) == 1, "el reporte se calcula y muestra su tabla")
        audit(driver, "reportes")
        fill(driver, {"nombre": "personas-por-sexo"})
        click_and_wait(driver, driver.find_element(By.ID, "guardar"))
        check("personas-por-sexo" in driver.page_source and "guardado" in driver.page_source, "el reporte se guarda con su nombre")
        driver.get(URL + f"/informe-anual?anio={YEAR}")
        check("Revisión de completitud" in driver.page_source, "el informe anual muestra la revisión de completitud")
        audit(driver, "informe-anual")
    except Exception as error:
        base.failures.append(f"se detuvo: {type(error).__name__}: {error} en {driver.current_url}")
        with open(base.os.path.join(base.SHOTS, "fallo-secretaria.html"), "w") as out:
            out.write(driver.page_source)
    finally:
        driver.quit()
    print(f"\nSecretaría Técnica: {len(base.checked_pages)} páginas, {time.time() - started:.0f} s")
    if base.failures:
        print(f"{len(base.failures)} comprobación(es) fallaron:")
        for failure in base.failures:
            print(f"  - {failure}")
        sys.exit(1)
    print("Todas las comprobaciones de la Secretaría Técnica pasaron.")


if __name__ == "__main__":
    main()
