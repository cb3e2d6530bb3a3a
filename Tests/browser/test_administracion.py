"""The administrator's pages in a real Chromium (issue 18): an administrator registers an account
with a mistake (sees the errors at the top and beside each field), fixes it, and the new person logs
in; the account is suspended (cannot log in), reactivated and given a new password, and every change
shows in the account's history; institutions are listed and registered. A capturista sees none of
these pages. axe-core on every page (no serious or critical violation), a screenshot of each.

Run by ops/test-web after test_escritorio.py, against the same live `sintra serve`.
Environment: SINTRA_URL, SINTRA_CAPTURAS, SINTRA_CUENTAS (a JSON file {login: password}).
"""
import os
import time

from selenium.webdriver.common.by import By

from test_escritorio import ACCOUNTS, SHOTS, URL, audit, browser, check, click_and_wait, failures, fill, report

NEW_PASSWORD = "una frase larga para la cuenta nueva"


def enter(driver, user, password=None):
    """Logs in; returns the address the login led to."""
    driver.delete_all_cookies()
    driver.get(URL + "/entrar")
    driver.find_element(By.ID, "usuario").send_keys(user)
    driver.find_element(By.ID, "contrasena").send_keys(password or ACCOUNTS[user])
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    return driver.current_url


def submit_form(driver, button_id):
    click_and_wait(driver, driver.find_element(By.ID, button_id))


def finish(driver, started, name):
    driver.quit()
    report(f"{name}: capturas", started)


def stopped(driver, error):
    failures.append(f"se detuvo: {type(error).__name__}: {error} en {driver.current_url}")
    with open(os.path.join(SHOTS, "fallo-gestion.html"), "w") as out:
        out.write(driver.page_source)
    driver.save_screenshot(os.path.join(SHOTS, "fallo-gestion.png"))


def main():
    driver = browser()
    # axe-core on the long generated forms takes a while on a loaded 2-core machine.
    driver.set_script_timeout(180)
    started = time.time()
    try:
        enter(driver, "administracion")
        check('href="/admin/usuarios"' in driver.page_source, "la administración ve el enlace a Cuentas")
        driver.get(URL + "/admin/usuarios")
        check("Cuentas" in driver.title, "la lista de cuentas abre")
        audit(driver, "admin-cuentas")

        # A new account with mistakes: no name, no role, a short password. Nothing is written.
        driver.get(URL + "/admin/usuarios/nueva")
        audit(driver, "admin-nueva-cuenta")
        fill(driver, {"usuario": "nueva.web", "institucion": "FGE-07", "contrasena": "corta"})
        submit_form(driver, "enviar")
        check(len(driver.find_elements(By.CSS_SELECTOR, ".resumen-errores a[href='#campo-nombre']")) == 1, "falta el nombre: en el resumen")
        check(len(driver.find_elements(By.ID, "campo-roles-error")) == 1, "falta el rol: junto al campo")
        check(driver.find_element(By.NAME, "usuario").get_attribute("value") == "nueva.web", "los valores escritos se conservan")
        audit(driver, "admin-nueva-cuenta-con-error")
        driver.find_element(By.CSS_SELECTOR, ".resumen-errores a[href='#campo-nombre']").click()
        check(driver.switch_to.active_element.get_attribute("id") == "campo-nombre", "el enlace del resumen lleva al campo")

        fill(driver, {"nombre": "Persona Nueva Web", "roles": "capturista", "contrasena": NEW_PASSWORD})
        submit_form(driver, "enviar")
        check("quedó registrada" in driver.page_source, "la cuenta queda registrada")
        account_url = driver.current_url.split("?")[0]
        check("Usuario registrado" in driver.page_source, "el historial muestra el alta")
        audit(driver, "admin-cuenta")

        # The new person logs in with the password the administrator gave.
        landed = enter(driver, "nueva.web", NEW_PASSWORD)
        check(landed.endswith("/expedientes"), "la cuenta nueva entra y ve Mis expedientes")
        check('href="/admin/usuarios"' not in driver.page_source and 'href="/auditoria"' not in driver.page_source,
              "una capturista no ve enlaces de administración ni auditoría")
        for path in ["/admin/usuarios", "/admin/instituciones", "/auditoria/verificacion", "/auditoria/consultas"]:
            driver.get(URL + path)
            check("Sin permiso" in driver.page_source, f"una capturista no abre {path}")

        # Suspend: the person can no longer log in; reactivate; a new password.
        enter(driver, "administracion")
        driver.get(account_url)
        submit_form(driver, "suspender")
        check(len(driver.find_elements(By.ID, "campo-suspender-motivo-error")) == 1, "suspender sin motivo: el error junto al campo")
        driver.find_element(By.ID, "campo-suspender-motivo").send_keys("Licencia temporal")
        submit_form(driver, "suspender")
        check("quedó suspendida" in driver.page_source, "la cuenta queda suspendida")
        enter(driver, "nueva.web", NEW_PASSWORD)
        check("resumen-errores" in driver.page_source and driver.current_url.endswith("/entrar"), "una cuenta suspendida no entra")

        enter(driver, "administracion")
        driver.get(account_url)
        driver.find_element(By.ID, "campo-reactivar-motivo").send_keys("Regresó de su licencia")
        submit_form(driver, "reactivar")
        check("quedó reactivada" in driver.page_source, "la cuenta queda reactivada")
        driver.find_element(By.ID, "campo-contrasena").send_keys("otra frase larga y nueva")
        submit_form(driver, "asignar-contrasena")
        check("se asignó la contraseña nueva" in driver.page_source, "contraseña restablecida")
        for event in ["Usuario suspendido", "Usuario reactivado", "Contraseña establecida"]:
            check(event in driver.page_source, f"el historial de la cuenta muestra «{event}»")
        audit(driver, "admin-cuenta-historial")
        check(enter(driver, "nueva.web", "otra frase larga y nueva").endswith("/expedientes"), "entra con la contraseña restablecida")

        # Institutions.
        enter(driver, "administracion")
        driver.get(URL + "/admin/instituciones")
        audit(driver, "admin-instituciones")
        fill(driver, {"clave": "DIF-20"})
        submit_form(driver, "enviar")
        check("quedó registrada" in driver.page_source and "DIF-20" in driver.page_source, "institución registrada desde el catálogo")
    except Exception as error:
        stopped(driver, error)
    finish(driver, started, "Administración")


if __name__ == "__main__":
    main()
