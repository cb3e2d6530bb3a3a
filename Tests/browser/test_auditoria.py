"""The auditor's pages in a real Chromium (issue 18): a caseworker opens a case's personal data with
a purpose; the auditor sees the chain's state, uploads a checkpoint signed with the auditor's key
(`sintra checkpoint`) and sees it verified, sees who opened the case's personal data — by name and
institution — and why, reads the case's history and one event by position; then the module records,
a correction, and the CIES page. axe-core on every page, a screenshot of each.

Run by ops/test-web after test_escritorio.py, against the same live `sintra serve`.
Environment: SINTRA_URL, SINTRA_CAPTURAS, SINTRA_CUENTAS, SINTRA_PUNTO_DE_CONTROL (a checkpoint
file), SINTRA_LLAVE_PUBLICA (the auditor's .pub).
"""
import os
import tempfile
import time

from selenium.webdriver.common.by import By

from test_administracion import click_and_wait, enter, finish, stopped, submit_form
from test_escritorio import URL, audit, browser, check, fill

PURPOSE = "Revisión de la canalización solicitada por la fiscalía"


def main():
    driver = browser()
    # axe-core on the long generated forms takes a while on a loaded 2-core machine.
    driver.set_script_timeout(180)
    started = time.time()
    try:
        # A caseworker registers a person and opens her personal data, stating why.
        enter(driver, "cap.web")
        driver.get(URL + "/nuevo/registrar-persona")
        fill(driver, {"calidad": "victima", "sexo": "mujer", "edad": "30", "nacionalidad": "MEX", "condicionMigratoria": "no-aplica-nacional",
                      "fechaDeDeteccion": "2024-05-01", "institucionQueDetecta": "FGE-07", "formaDeDeteccion": "operativo-de-rescate",
                      "lugarDeDeteccion.pais": "MEX", "lugarDeDeteccion.entidad": "07", "lugarDeDeteccion.municipio": "07101",
                      "nombre": "Zenaida", "primerApellido": "Auditada"})
        submit_form(driver, "enviar")
        case_id = driver.current_url.split("?")[0].rsplit("/", 1)[1]
        driver.find_element(By.ID, "finalidad").send_keys(PURPOSE)
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form.abrir-datos button"))
        check("Zenaida" in driver.page_source, "la capturista abre los datos personales con finalidad")

        # The auditor: the chain's state, then a signed checkpoint uploaded and verified.
        enter(driver, "aud.web")
        driver.get(URL + "/auditoria/verificacion")
        check(driver.find_element(By.ID, "cabeza-posicion").text.isdigit(), "se ve la cabeza de la cadena")
        audit(driver, "auditoria-verificacion")
        junk = os.path.join(tempfile.mkdtemp(), "no-es-punto.json")
        with open(junk, "w") as out:
            out.write("esto no es un punto de control")
        driver.find_element(By.ID, "campo-puntoDeControl").send_keys(junk)
        submit_form(driver, "enviar")
        check(len(driver.find_elements(By.CSS_SELECTOR, ".resumen-errores a[href='#campo-puntoDeControl']")) == 1, "un punto de control ilegible: error en el resumen")
        check(len(driver.find_elements(By.ID, "campo-puntoDeControl-error")) == 1, "y junto al campo")
        audit(driver, "auditoria-verificacion-con-error")
        # The auditor's files, chosen as a person would (an <input type="file">, sent as multipart).
        driver.find_element(By.ID, "campo-puntoDeControl").send_keys(os.path.abspath(os.environ["SINTRA_PUNTO_DE_CONTROL"]))
        driver.find_element(By.ID, "campo-llavePublica").send_keys(os.path.abspath(os.environ["SINTRA_LLAVE_PUBLICA"]))
        submit_form(driver, "enviar")
        check("Registro íntegro" in driver.page_source, "el registro verificado está íntegro")
        check(len(driver.find_elements(By.ID, "punto-de-control")) == 1 and "extiende el punto de control firmado" in driver.page_source,
              "el punto de control firmado quedó verificado")
        audit(driver, "auditoria-verificado")

        # Who opened the case's personal data, and why.
        driver.get(URL + "/auditoria/consultas?expediente=" + case_id)
        check(PURPOSE in driver.page_source, "la auditora ve la finalidad declarada")
        check("Persona cap.web" in driver.page_source and "(FGE-07)" in driver.page_source, "y quién la consultó: nombre e institución")
        check("Víctima registrada" in driver.page_source, "y cada cambio del expediente en la misma línea de tiempo")
        check("Zenaida" not in driver.page_source, "sin mostrar los datos personales mismos")
        audit(driver, "auditoria-quien-consulto")

        # History: the case's stream, as of before it existed, and one event by position.
        driver.get(URL + "/auditoria/historial?flujo=" + case_id)
        audit(driver, "auditoria-historial")
        first = driver.find_element(By.CSS_SELECTOR, ".linea-de-tiempo li a").text
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, ".linea-de-tiempo li a"))
        check(f"Evento de la posición {first}" in driver.page_source, "un evento por su posición")
        audit(driver, "auditoria-evento")
        driver.get(URL + f"/auditoria/historial?flujo={case_id}&hasta={int(first) - 1}")
        check("no tenía eventos" in driver.page_source, "el flujo como estaba antes de su primer evento")

        # Module records: a supervisor records an operation through its generated form, corrects it, annuls it.
        enter(driver, "sup.web")
        driver.get(URL + "/registros/nuevo/registrar-operativo")
        audit(driver, "registro-nuevo")
        fill(driver, {"fecha": "2024-06-10", "institucionQueEncabeza": "FGE-07", "lugar.pais": "MEX", "lugar.entidad": "07",
                      "lugar.municipio": "07101", "personasRescatadas.mujeres": "2", "personasRescatadas.hombres": "1"})
        submit_form(driver, "enviar")
        check("Listo: quedó registrado" in driver.page_source and "Vigente" in driver.page_source, "operativo registrado desde su formulario")
        record_url = driver.current_url.split("?")[0]
        click_and_wait(driver, driver.find_element(By.ID, "accion-corregir"))
        check(driver.find_element(By.NAME, "personasRescatadas.mujeres").get_attribute("value") == "2", "la corrección abre el registro como está")
        audit(driver, "registro-corregir")
        submit_form(driver, "enviar")
        check(len(driver.find_elements(By.ID, "campo--motivo-error")) == 1, "corregir sin motivo: error junto al campo")
        fill(driver, {"personasRescatadas.mujeres": "3", "_motivo": "El informe rectificado reporta tres mujeres rescatadas."})
        submit_form(driver, "enviar")
        check("Registro corregido" in driver.page_source and "El informe rectificado" in driver.page_source, "corrección con motivo en el historial")
        audit(driver, "registro")
        driver.get(URL + "/registros")
        audit(driver, "registros")
        driver.get(record_url + "/anular")
        fill(driver, {"_motivo": "Operativo capturado dos veces."})
        submit_form(driver, "enviar")
        check("Anulado el" in driver.page_source, "la supervisora anula el registro")

        # CIES: a state liaison records a session, an agreement and its follow-up; the agreement's state shows.
        enter(driver, "enlace.web")
        driver.get(URL + "/registros/nuevo/registrar-sesion-cies")
        fill(driver, {"fecha": "2024-04-06", "entidad": "07", "institucion": "CIES-07", "tipoDeSesion": "ordinaria"})
        submit_form(driver, "enviar")
        check("Listo: quedó registrado" in driver.page_source, "sesión de la CIES registrada")
        click_and_wait(driver, driver.find_element(By.PARTIAL_LINK_TEXT, "Registrar un acuerdo"))
        fill(driver, {"fecha": "2024-04-06", "numeroDeAcuerdo": "CIES/SO/01/2024-01", "responsables": "FGE-07",
                      "descripcion": "Se aprueba el programa estatal de capacitación 2024."})
        submit_form(driver, "enviar")
        check("Adoptado" in driver.page_source, "el acuerdo nuevo queda «Adoptado»")
        click_and_wait(driver, driver.find_element(By.PARTIAL_LINK_TEXT, "Dar seguimiento"))
        fill(driver, {"fecha": "2024-06-30", "estatus": "en-proceso", "avance": "40"})
        submit_form(driver, "enviar")
        check("En proceso" in driver.page_source and "40 %" in driver.page_source, "el seguimiento cambia el estado del acuerdo")
        audit(driver, "cies")
    except Exception as error:
        stopped(driver, error)
    finish(driver, started, "Auditoría")


if __name__ == "__main__":
    main()
