#!/usr/bin/env python3
"""The attacker's audit of a statistics release (README "Public statistics").

Reads released JSON documents (what `sintra stats --format json`, the public endpoint and
`sintra publish stats` give: suppressed figures are null) and, for every group of tables of a year
that share their totals row (same `grupo`), sets up what an attacker knows: every published figure,
each row and column adding up to its total, the totals row equal in every table of the group,
every count >= 0, and the total of every listed row >= 1 (rows are listed only when they occur).
Then, with scipy's HiGHS solver, it minimises and maximises every suppressed figure: the interval
the attacker can narrow it down to. With --enteros the unknowns are integers (a MILP: a stronger
attacker); by default the LP, as tau-ARGUS and sdcTable check protection levels.

It fails (exit 1) if any interval is narrower than the protection level (by default each
document's `umbral`). It prints one JSON document: tables, groups, suppressed figures, the narrowest
interval and every failure. It knows nothing of how SINTRA chose what to suppress.
"""
import json
import sys

import numpy as np
from scipy.optimize import linprog


def groups_of(document):
    grouped = {}
    for table in document["tablas"]:
        grouped.setdefault((table["anio"], table.get("grupo", table["id"])), []).append(table)
    return grouped


def audit_group(tables, level, integers):
    """Intervals of every suppressed figure of one group: [(table, row, column, low, high)]."""
    index = {}
    names = []

    def variable(key, name):
        if key not in index:
            index[key] = len(names)
            names.append(name)
        return index[key]

    # A term is (variable, None) or (None, constant).
    def term(table, row, column, value):
        if value is not None:
            return (None, value)
        if row == "total":  # the shared totals row: one unknown per column for the whole group
            return (variable(("total", column), (table["id"], "total", column)), None)
        return (variable((table["id"], row, column), (table["id"], row, column)), None)

    equations = []  # lists of (coefficient, term)
    floors = {}
    for table in tables:
        columns = [c["clave"] for c in table["columnas"]] + ["total"]
        lines = [(f["clave"], f["valores"] + [f["total"]]) for f in table["filas"]]
        lines.append(("total", table["totales"]["valores"] + [table["totales"]["total"]]))
        grid = {(row, column): term(table, row, column, value) for row, values in lines for column, value in zip(columns, values)}
        rows = [row for row, _ in lines]
        for row in rows:
            equations.append([(1, grid[(row, c)]) for c in columns[:-1]] + [(-1, grid[(row, "total")])])
            if row != "total" and grid[(row, "total")][0] is not None:
                floors[grid[(row, "total")][0]] = 1  # a listed row has at least one unit
        for column in columns:
            equations.append([(1, grid[(r, column)]) for r in rows[:-1]] + [(-1, grid[("total", column)])])

    n = len(names)
    if n == 0:
        return []
    a_eq, b_eq = [], []
    for equation in equations:
        row = np.zeros(n)
        constant = 0.0
        for coefficient, (var, value) in equation:
            if var is None:
                constant += coefficient * value
            else:
                row[var] += coefficient
        if not row.any():
            if abs(constant) > 1e-9:
                raise SystemExit(f"publicación incoherente: una relación publicada no cuadra ({constant})")
            continue
        a_eq.append(row)
        b_eq.append(-constant)
    bounds = [(floors.get(i, 0), None) for i in range(n)]
    options = dict(A_eq=np.array(a_eq), b_eq=np.array(b_eq), bounds=bounds, method="highs")
    whole = dict(options, integrality=np.ones(n))
    intervals = []
    for i in range(n):
        objective = np.zeros(n)
        objective[i] = 1
        low = linprog(objective, **options)
        high = linprog(-objective, **options)
        if low.status != 0:
            raise SystemExit(f"el solver no resolvió el mínimo de {names[i]}: {low.message}")
        if high.status not in (0, 3):
            raise SystemExit(f"el solver no resolvió el máximo de {names[i]}: {high.message}")
        lower, upper = low.fun, float("inf") if high.status == 3 else -high.fun
        if integers:
            # The integer attacker: the same bounds over whole numbers (unbounded stays unbounded:
            # the relations have integer coefficients, so an unbounded direction has integer points).
            low = linprog(objective, **whole)
            if low.status != 0:
                raise SystemExit(f"el solver no resolvió el mínimo entero de {names[i]}: {low.message}")
            lower = low.fun
            if upper != float("inf"):
                high = linprog(-objective, **whole)
                if high.status != 0:
                    raise SystemExit(f"el solver no resolvió el máximo entero de {names[i]}: {high.message}")
                upper = -high.fun
        intervals.append((*names[i], lower, upper))
    return intervals


def main(arguments):
    integers = "--enteros" in arguments
    every = "--intervalos" in arguments
    level = None
    paths = []
    iterator = iter(arguments)
    for argument in iterator:
        if argument == "--nivel":
            level = float(next(iterator))
        elif argument not in ("--enteros", "--intervalos"):
            paths.append(argument)
    if not paths:
        raise SystemExit("uso: audit-suppression.py [--nivel N] [--enteros] [--intervalos] DOCUMENTO.json…")
    report = {"documentos": len(paths), "tablas": 0, "grupos": 0, "suprimidas": 0, "masEstrecho": None, "fallas": []}
    if every:
        report["intervalos"] = []
    for number, path in enumerate(paths):
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
        protection = level if level is not None else float(document["umbral"])
        for (year, group), tables in sorted(groups_of(document).items(), key=lambda item: (item[0][0], item[0][1])):
            report["grupos"] += 1
            report["tablas"] += len(tables)
            for table_id, row, column, low, high in audit_group(tables, protection, integers):
                report["suprimidas"] += 1
                width = high - low
                cell = {"documento": number, "anio": year, "grupo": group, "tabla": table_id, "fila": row, "columna": column,
                        "minimo": round(low, 6), "maximo": None if high == float("inf") else round(high, 6),
                        "ancho": None if width == float("inf") else round(width, 6), "nivel": protection}
                narrowest = report["masEstrecho"]
                if width != float("inf") and (narrowest is None or narrowest["ancho"] is None or width < narrowest["ancho"]):
                    report["masEstrecho"] = cell
                elif narrowest is None:
                    report["masEstrecho"] = cell
                if every:
                    report["intervalos"].append(cell)
                if width < protection - 1e-6:
                    report["fallas"].append(cell)
    json.dump(report, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 1 if report["fallas"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
