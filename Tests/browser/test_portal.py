"""The public statistics portal in a real Chromium (issue 18), after test_secretaria.py published a
release: a person with no account opens it, reads the tables and charts, checks (reading the SVG the
browser drew) that no figure from 1 to the threshold is shown anywhere — text or attribute — and
downloads the CSV beside the tables. axe-core on each page, screenshots in $SINTRA_CAPTURAS.
"""
import glob
import os
import re
import sys
import tempfile
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

import test_escritorio as base
from test_escritorio import URL, check, audit, click_and_wait

YEAR = "2024"


def main():
    started = time.time()
    downloads = tempfile.mkdtemp(prefix="sintra-descargas-")
    driver = base.browser()
    try:
        driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
        driver.delete_all_cookies()
        driver.get(URL + "/estadisticas")
        check("Estadísticas públicas" in driver.page_source and "/salir" not in driver.page_source, "el portal abre sin cuenta")
        Select(driver.find_element(By.ID, "anio")).select_by_value(YEAR)
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form.filtros button[type=submit]"))
        audit(driver, "portal")
        threshold = int(re.search(r"umbral (\d+)", driver.page_source).group(1))
        check("(s)" in driver.page_source, "hay cifras suprimidas (Oaxaca tiene 2 personas): la prueba puede fallar")
        svgs = driver.find_elements(By.CSS_SELECTOR, "svg.grafica")
        check(len(svgs) >= 2, f"las tablas tienen gráficas ({len(svgs)})")
        shown = []
        for svg in svgs:
            markup = svg.get_attribute("outerHTML")
            check("<title" not in markup and "data-" not in markup, "la gráfica no lleva títulos emergentes ni atributos de datos")
            shown += [int(text) for text in re.findall(r'class="grafica-valor"[^>]*>(\d+)</text>', markup)]
            attributes = set(re.findall(r' ([a-z-]+)="', markup))
            allowed = {"class", "role", "aria-label", "aria-describedby", "viewBox", "width", "height", "xmlns", "focusable", "x", "y",
                       "text-anchor", "aria-hidden"}
            check(attributes <= allowed, f"solo atributos de dibujo {attributes - allowed or ''}")
        shown += [int(cell.text) for cell in driver.find_elements(By.CSS_SELECTOR, "td.cifra") if cell.text.isdigit()]
        small = [value for value in shown if 1 <= value <= threshold]
        check(shown and not small, f"ninguna cifra de 1 a {threshold} en tablas ni gráficas {small}")
        Select(driver.find_element(By.ID, "entidad")).select_by_value("07")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form.filtros button[type=submit]"))
        check("Chiapas" in driver.page_source, "el portal por entidad")
        audit(driver, "portal-entidad")
        driver.find_element(By.PARTIAL_LINK_TEXT, "en CSV").click()
        for _ in range(100):
            files = [f for f in glob.glob(os.path.join(downloads, "*")) if not f.endswith(".crdownload")]
            if files:
                break
            time.sleep(0.1)
        content = open(files[0], encoding="utf-8").read() if files else ""
        check(files and YEAR in content, "el CSV se descarga sin cuenta")
    except Exception as error:
        base.failures.append(f"se detuvo: {type(error).__name__}: {error} en {driver.current_url}")
        with open(os.path.join(base.SHOTS, "fallo-portal.html"), "w") as out:
            out.write(driver.page_source)
    finally:
        driver.quit()
    print(f"\nPortal público: {len(base.checked_pages)} páginas, {time.time() - started:.0f} s")
    if base.failures:
        print(f"{len(base.failures)} comprobación(es) fallaron:")
        for failure in base.failures:
            print(f"  - {failure}")
        sys.exit(1)
    print("Todas las comprobaciones del portal pasaron.")


if __name__ == "__main__":
    main()
