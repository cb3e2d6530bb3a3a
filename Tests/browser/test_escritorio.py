"""The caseworker's desk in a real Chromium (Debian's chromium + chromium-driver, Selenium).

Run by ops/test-web against a live `sintra serve`: a caseworker logs in, registers a victim with a
mistake (sees the inline error), fixes it, records consent and two attentions, refers the case; the
receiving institution accepts; a supervisor validates; an outsider cannot see it. A screenshot of
each main page goes to $SINTRA_CAPTURAS and axe-core checks each one: no serious or critical
violation. Also: every control has a label, focus is visible, errors link to their fields.

Environment: SINTRA_URL, SINTRA_CAPTURAS, SINTRA_CUENTAS (a JSON file {login: password}).
"""
import base64
import json
import os
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.support.ui import Select, WebDriverWait
from axe_selenium_python import Axe

URL = os.environ.get("SINTRA_URL", "http://127.0.0.1:8080").rstrip("/")
SHOTS = os.environ.get("SINTRA_CAPTURAS", ".build/capturas")
ACCOUNTS = json.load(open(os.environ["SINTRA_CUENTAS"]))
os.makedirs(SHOTS, exist_ok=True)

failures = []
checked_pages = []


def check(condition, message):
    if condition:
        print(f"  ok   {message}")
    else:
        print(f"  FALLA {message}")
        failures.append(message)


def browser():
    options = Options()
    for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,900", "--lang=es-MX"]:
        options.add_argument(flag)
    options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.implicitly_wait(2)
    return driver


def audit(driver, name):
    """Screenshot, axe-core, labels and focus on the page now shown."""
    path = os.path.join(SHOTS, f"{len(checked_pages) + 1:02d}-{name}.png")
    # The whole page, not only the first screen (Chromium's DevTools protocol).
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": {
        "x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 8000), "scale": 1}})
    with open(path, "wb") as out:
        out.write(base64.b64decode(shot["data"]))
    checked_pages.append(path)
    axe = Axe(driver)
    axe.inject()
    results = axe.run()
    bad = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
    for violation in bad:
        print(f"       axe {violation['impact']}: {violation['id']} — {violation['help']} ({len(violation['nodes'])} nodos)")
    check(not bad, f"{name}: axe-core sin violaciones graves o críticas")
    unlabeled = driver.execute_script("""
        return [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
          .filter(e => !(e.id && document.querySelector('label[for="' + e.id + '"]')) && !e.closest('label') && !e.getAttribute('aria-label'))
          .map(e => e.name);
    """)
    check(not unlabeled, f"{name}: cada campo tiene etiqueta {unlabeled if unlabeled else ''}")
    title = driver.title
    check("Zenaida" not in title and "ZEFA" not in title, f"{name}: el título no lleva datos personales")


def focus_is_visible(driver):
    """Tab to the first link: its outline must be drawn."""
    body = driver.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    active = driver.switch_to.active_element
    style = driver.execute_script("const s = getComputedStyle(arguments[0]); return [s.outlineStyle, s.outlineWidth, s.left];", active)
    return style[0] != "none" and style[1] not in ("0px", "")


def login(driver, user):
    driver.delete_all_cookies()
    driver.get(URL + "/entrar")
    driver.find_element(By.ID, "usuario").send_keys(user)
    driver.find_element(By.ID, "contrasena").send_keys(ACCOUNTS[user])
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    check(driver.current_url.endswith("/expedientes"), f"{user} entra y ve Mis expedientes")


def fill(driver, values):
    for name, value in values.items():
        element = driver.find_element(By.NAME, name)
        if element.tag_name == "select":
            Select(element).select_by_value(value)
        elif element.get_attribute("type") == "checkbox":
            driver.find_element(By.CSS_SELECTOR, f'input[name="{name}"][value="{value}"]').click()
        elif element.get_attribute("type") == "date":
            driver.execute_script("arguments[0].value = arguments[1]", element, value)
        else:
            element.clear()
            element.send_keys(value)


def click_and_wait(driver, element):
    """Click, then wait until the browser has left the page and the next one is loaded. On a loaded
    machine Chromium may answer «node does not belong to the document» instead of «stale element»
    when asked about the old page's element: both mean the page changed."""
    element.click()

    def left(_):
        try:
            element.is_enabled()
            return False
        except WebDriverException:
            return True
    WebDriverWait(driver, 30).until(left)
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")


def submit(driver):
    click_and_wait(driver, driver.find_element(By.ID, "enviar"))


def main():
    driver = browser()
    started = time.time()
    try:
        # The login page, and a wrong password.
        driver.get(URL + "/entrar")
        audit(driver, "entrar")
        check(focus_is_visible(driver), "el foco del teclado se ve")
        driver.find_element(By.ID, "usuario").send_keys("cap.web")
        driver.find_element(By.ID, "contrasena").send_keys("no es la contraseña")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
        check("resumen-errores" in driver.page_source, "contraseña equivocada: mensaje claro")

        login(driver, "cap.web")
        audit(driver, "mis-expedientes")

        # Register with a mistake: a CURP that is not one.
        driver.get(URL + "/nuevo/registrar-persona")
        person = {
            "calidad": "victima", "sexo": "mujer", "edad": "23", "nacionalidad": "MEX", "condicionMigratoria": "no-aplica-nacional",
            "fechaDeDeteccion": "2024-03-01", "institucionQueDetecta": "FGE-07", "formaDeDeteccion": "operativo-de-rescate",
            "lugarDeDeteccion.pais": "MEX", "lugarDeDeteccion.entidad": "07", "lugarDeDeteccion.municipio": "07101",
            "nombre": "Zenaida", "primerApellido": "Ficticia", "curp": "ESTO-NO-ES-CURP",
        }
        fill(driver, person)
        audit(driver, "registrar-persona")
        submit(driver)
        summary = driver.find_elements(By.CSS_SELECTOR, ".resumen-errores a[href='#campo-curp']")
        check(len(summary) == 1, "el error aparece en el resumen con enlace al campo")
        check(len(driver.find_elements(By.ID, "campo-curp-error")) == 1, "el error aparece junto al campo")
        check(driver.find_element(By.NAME, "nombre").get_attribute("value") == "Zenaida", "los valores escritos se conservan")
        check(driver.find_element(By.ID, "campo-curp").get_attribute("aria-invalid") == "true", "el campo con error está marcado aria-invalid")
        audit(driver, "registrar-persona-con-error")
        summary[0].click()
        check(driver.switch_to.active_element.get_attribute("id") == "campo-curp", "el enlace del resumen lleva al campo")
        # Fix it (no CURP known) and send.
        curp = driver.find_element(By.NAME, "curp")
        curp.clear()
        submit(driver)
        check("/expedientes/expediente-" in driver.current_url, "registrada: se abre su expediente")
        case_url = driver.current_url.split("?")[0]
        check("Zenaida" not in driver.page_source, "el expediente no muestra datos personales sin finalidad")
        audit(driver, "expediente")

        # Consent to share (so the receiving institution can see it), two attentions, a referral.
        driver.get(case_url + "/acciones/registrar-consentimiento")
        fill(driver, {"fecha": "2024-03-02", "compartirConOtrasInstituciones": "si", "contarEnEstadisticas": "si",
                      "fundamento": "consentimiento-expreso-de-la-persona"})
        submit(driver)
        check(driver.current_url.startswith(case_url), "consentimiento registrado")
        for day in ["2024-03-05", "2024-03-12"]:
            driver.get(case_url + "/acciones/registrar-atencion")
            fill(driver, {"fecha": day, "tipo": "atencion-psicologica", "clasificacion": "asistencia", "institucion": "FGE-07",
                          "duracionMinutos": "60"})
            if day == "2024-03-05":
                audit(driver, "registrar-atencion")
            submit(driver)
            check(driver.current_url.startswith(case_url) and "hecho=registrar-atencion" in driver.current_url, f"atención del {day} registrada")
        check(driver.page_source.count("Atención otorgada") >= 2, "la línea de tiempo muestra las dos atenciones")
        driver.get(case_url + "/acciones/canalizar")
        fill(driver, {"fecha": "2024-03-13", "folio": "FGE-2024-WEB-1", "institucionDestino": "DIF-07", "serviciosSolicitados": "alojamiento"})
        audit(driver, "canalizar")
        submit(driver)
        check("hecho=canalizar" in driver.current_url, "canalizada al DIF-07")

        # Personal data, with a purpose: shown, and the page is not cached.
        driver.find_element(By.ID, "finalidad").send_keys("Seguimiento de la atención psicológica")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form.abrir-datos button"))
        check("Zenaida" in driver.page_source, "con finalidad se ven los datos personales")
        audit(driver, "expediente-datos-personales")

        # The receiving institution accepts from its Bandeja.
        login(driver, "dif.web")
        driver.get(URL + "/bandeja")
        audit(driver, "bandeja-recibidas")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "a.aceptar"))
        check(driver.find_element(By.NAME, "folio").get_attribute("value") == "FGE-2024-WEB-1", "el folio viene prellenado")
        submit(driver)
        check("hecho=aceptar-canalizacion" in driver.current_url, "el DIF-07 acepta la canalización")

        # A supervisor validates.
        login(driver, "sup.web")
        driver.get(URL + "/bandeja")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, f"a.validar[href*='{case_url.rsplit('/', 1)[1]}']"))
        audit(driver, "validar")
        submit(driver)
        check("hecho=validar-registro" in driver.current_url, "la supervisora valida")
        check("<dd>Sí</dd>" in driver.page_source.replace("\n", ""), "el expediente queda validado")

        # An outsider cannot see it.
        login(driver, "ajeno.web")
        driver.get(case_url)
        check("Sin permiso" in driver.page_source, "otra institución no ve el expediente")
        audit(driver, "sin-permiso")
        driver.get(URL + "/expedientes/expediente-que-no-existe")
        check("No encontrado" in driver.page_source, "un expediente inexistente: página clara")
    except Exception as error:
        # Where it stopped, to look at: the page's address and source (a test database's synthetic data).
        failures.append(f"se detuvo: {type(error).__name__} en {driver.current_url}")
        with open(os.path.join(SHOTS, "fallo.html"), "w") as out:
            out.write(driver.page_source)
        driver.save_screenshot(os.path.join(SHOTS, "fallo.png"))
    finally:
        driver.quit()
    report("Capturas", started)


def report(heading, started):
    """The suite's last lines: where the screenshots are, then every failed check (exit 1) or the all-clear."""
    print(f"\n{heading} en {os.path.abspath(SHOTS)} ({len(checked_pages)} páginas), {time.time() - started:.0f} s")
    if failures:
        print(f"{len(failures)} comprobación(es) fallaron:")
        for failure in failures:
            print(f"  - {failure}")
        sys.exit(1)
    print("Todas las comprobaciones del navegador pasaron.")


if __name__ == "__main__":
    main()
