#!/usr/bin/env python3
"""Reference check of SINTRA's event definitions with Python `jsonschema` (Draft 2020-12).

Run from the repository root:
  ops/check-definitions.py            lint every definition, validate its examples, print variables per module
  ops/check-definitions.py --corpus   print a JSON Lines corpus of payloads (examples and deterministic
                                      mutations of them) with this implementation's verdict, one per line;
                                      the Swift test suite compares its own validator's verdict on every line.

Exit status 1 when any problem is found. Independent of the Swift code on purpose: it is the second opinion.
"""
import copy, glob, json, os, re, sys
from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ROOT = "events"
ALLOWED = set("""$schema $id $ref $defs $comment title description examples default deprecated type enum const
properties required additionalProperties items prefixItems minItems maxItems uniqueItems minLength maxLength pattern
format minimum maximum exclusiveMinimum exclusiveMaximum multipleOf allOf anyOf oneOf not if then else dependentRequired
minProperties maxProperties x-evento x-variable x-catalogo x-personal x-entidad""".split())
MODULES = {"instrumentos": 13, "convenios": 5, "avances-legislativos": 6, "comisiones": 16, "colaboracion-internacional": 7,
           "capacitacion": 34, "difusion": 13, "materiales-de-difusion": 6, "atencion-a-victimas": 44,
           "modelos-de-atencion": 19, "unidades-especializadas": 10, "operativos": 16}
OTHER_MODULES = {"programa", "sistema"}
SCHEMA_KEYS = {"properties", "$defs", "dependentRequired"}  # maps whose keys are names, not keywords

problems = []

def ecma_pattern(validator, pattern, instance, schema):
    """`pattern` with ECMA-262 semantics, as JSON Schema specifies: Python's `$` also matches before a
    final newline and its `\\d`/`\\s` are Unicode-wide; ECMA's are not. Our definitions use `[0-9]`
    and anchors only, so translating the anchors to `\\Z` is enough to make the reference faithful."""
    if not validator.is_type(instance, "string"): return
    translated = re.sub(r"(?<!\\)\$(?=\)*$)|(?<!\\)\$(?=\|)", r"\\Z", pattern)
    if not re.search(translated, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")

Reference = validators.extend(Draft202012Validator, {"pattern": ecma_pattern})
def problem(where, message): problems.append(f"{where}: {message}")

catalogs = {}
for f in sorted(glob.glob(os.path.join(ROOT, "catalogs", "*.json"))):
    if f.endswith(".schema.json"): continue
    c = json.load(open(f, encoding="utf-8"))
    catalogs[c["catalogo"]] = {v["codigo"]: v for v in c["valores"]}

def load(path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh, object_pairs_hook=no_duplicates(path))
def no_duplicates(path):
    def hook(pairs):
        keys = [k for k, _ in pairs]
        for k in set(k for k in keys if keys.count(k) > 1): problem(path, f"clave duplicada «{k}»")
        return dict(pairs)
    return hook

common = load(os.path.join(ROOT, "definitions", "comun.json"))
definitions = {}
for f in sorted(glob.glob(os.path.join(ROOT, "definitions", "*", "*.json"))):
    definitions[f] = load(f)

registry = Registry().with_resources(
    [(d["$id"], Resource.from_contents(d, default_specification=DRAFT202012)) for d in [common, *definitions.values()]])

def walk(node, where, path=""):
    """Lint one schema node and its subschemas."""
    if isinstance(node, bool): return
    if not isinstance(node, dict): problem(where, f"{path or '/'}: un esquema debe ser objeto"); return
    for k in node:
        if k not in ALLOWED: problem(where, f"{path or '/'}: palabra clave desconocida «{k}»")
    if "format" in node and node["format"] != "date": problem(where, f"{path}: formato «{node['format']}» no admitido")
    if "x-catalogo" in node and node["x-catalogo"] not in catalogs:
        problem(where, f"{path}: catálogo «{node['x-catalogo']}» inexistente")
    if node.get("type") == "object" and "properties" in node and node.get("additionalProperties") is not False:
        problem(where, f"{path or '/'}: un objeto con properties debe declarar additionalProperties: false")
    if "x-entidad" in node and not isinstance(node["x-entidad"], str): problem(where, f"{path}: x-entidad debe ser texto")
    for k in ("properties", "$defs"):
        for name, sub in node.get(k, {}).items():
            if k == "properties" and not re.fullmatch(r"[a-z][A-Za-z0-9]*", name):
                problem(where, f"{path}/{name}: los campos se nombran en lowerCamelCase")
            conditional = any(f"/{c}" in path for c in ("if", "not", "anyOf", "oneOf", "allOf", "then", "else"))
            if k == "properties" and not conditional and isinstance(sub, dict) and "description" not in sub and "$ref" not in sub:
                problem(where, f"{path}/{name}: falta description")
            walk(sub, where, f"{path}/{k}/{name}")
    for k in ("items", "not", "if", "then", "else", "additionalProperties"):
        if isinstance(node.get(k), dict): walk(node[k], where, f"{path}/{k}")
    for k in ("allOf", "anyOf", "oneOf", "prefixItems"):
        for i, sub in enumerate(node.get(k, [])): walk(sub, where, f"{path}/{k}/{i}")

def variables(node, path=()):
    """Property paths marked x-variable, in the definition's own tree (references are not followed)."""
    found = []
    if not isinstance(node, dict): return found
    for name, sub in node.get("properties", {}).items():
        if isinstance(sub, dict) and sub.get("x-variable") is True: found.append(".".join(path + (name,)))
        found += variables(sub, path + (name,))
    if isinstance(node.get("items"), dict): found += variables(node["items"], path + ("*",))
    for k in ("allOf", "anyOf", "oneOf"):
        for sub in node.get(k, []): found += variables(sub, path)
    for k in ("then", "else"):
        if isinstance(node.get(k), dict): found += variables(node[k], path)
    return found

walk(common, "comun.json")
latest, commands, per_module = {}, {}, {m: set() for m in MODULES}
for f, d in definitions.items():
    where = os.path.relpath(f, ROOT)
    walk(d, where)
    ev = d.get("x-evento")
    if not isinstance(ev, dict): problem(where, "falta x-evento"); continue
    name = f"{ev.get('tipo')}.v{ev.get('version')}.json"
    if os.path.basename(f) != name: problem(where, f"el archivo debe llamarse {name}")
    if d.get("$id") != f"https://sintra.gob.mx/esquemas/eventos/{name}": problem(where, "$id no corresponde al archivo")
    if d.get("title") != ev.get("tipo"): problem(where, "title debe ser el tipo de evento")
    if ev.get("modulo") not in MODULES and ev.get("modulo") not in OTHER_MODULES: problem(where, f"módulo «{ev.get('modulo')}» desconocido")
    if os.path.basename(os.path.dirname(f)) != ev.get("modulo"): problem(where, "la carpeta debe ser el módulo")
    if not isinstance(ev.get("accion"), str): problem(where, "x-evento.accion es obligatoria (la acción de la tabla de permisos)")
    if not isinstance(ev.get("leidoPorLasReglas", True), bool): problem(where, "x-evento.leidoPorLasReglas debe ser true o false")
    fecha = ev.get("fecha")
    if fecha is not None and fecha not in d.get("properties", {}): problem(where, f"x-evento.fecha «{fecha}» no es una propiedad")
    if not d.get("examples"): problem(where, "se requiere al menos un ejemplo")
    Draft202012Validator.check_schema(d)
    validator = Reference(d, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)
    for i, example in enumerate(d.get("examples", [])):
        for e in validator.iter_errors(example):
            problem(where, f"examples/{i}/{'/'.join(map(str, e.absolute_path))}: {e.message}")
    key = ev.get("tipo")
    if key not in latest or ev["version"] > latest[key][0]: latest[key] = (ev["version"], d)
for tipo, (_, d) in latest.items():
    ev = d["x-evento"]
    if ev.get("comando") in commands: problem(tipo, f"comando «{ev['comando']}» repetido con {commands[ev['comando']]}")
    commands[ev.get("comando")] = tipo
    if ev.get("modulo") in per_module: per_module[ev["modulo"]].update(variables(d))

def mutations(value, schema_path=()):
    """Deterministic broken and edge-case variants of a valid payload: (label, payload)."""
    out = []
    def at(path, fn):
        doc = copy.deepcopy(value); node = doc
        for p in path[:-1]: node = node[p]
        fn(node, path[-1]); return doc
    def visit(node, path):
        if isinstance(node, dict):
            if path: out.append(("/".join(map(str, path)) + ": extra", at(path, lambda n, k: n[k].__setitem__("campoDesconocido", 1))))
            else: out.append(("extra", {**copy.deepcopy(node), "campoDesconocido": 1}))
            for k in node:
                out.append(("/".join(map(str, path + (k,))) + ": borrado", at(path + (k,), lambda n, kk: n.pop(kk))))
                visit(node[k], path + (k,))
        elif isinstance(node, list):
            out.append(("/".join(map(str, path)) + ": vacía", at(path, lambda n, k: n.__setitem__(k, []))))
            if node:
                out.append(("/".join(map(str, path)) + ": duplicada", at(path, lambda n, k: n.__setitem__(k, n[k] + [n[k][0]]))))
                visit(node[0], path + (0,))
        if path and isinstance(node, str):
            label = "/".join(map(str, path))
            for name, bad in (("salto de línea final", node + "\n"), ("espacios alrededor", f" {node} "),
                              ("dígitos no ASCII", node.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))),
                              ("mayúsculas", node.upper()), ("minúsculas", node.lower())):
                out.append((f"{label}: {name}", at(path, lambda n, k, b=bad: n.__setitem__(k, b))))
        if path:
            label = "/".join(map(str, path))
            for name, bad in (("null", None), ("número", 12345), ("negativo", -1), ("decimal", 2.5), ("texto", "x"),
                              ("vacío", ""), ("largo", "a" * 6000), ("fecha imposible", "2023-02-30"),
                              ("fecha sin guiones", "20230214"), ("booleano", True), ("lista", ["x"]), ("objeto", {}),
                              ("entero como decimal", 3.0), ("cero", 0), ("enorme", 10**12)):
                out.append((f"{label}: {name}", at(path, lambda n, k, b=bad: n.__setitem__(k, b))))
    visit(value, ())
    return out

if "--corpus" in sys.argv:
    for f, d in definitions.items():
        validator = Reference(d, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)
        name = os.path.basename(f)[:-len(".json")]
        for i, example in enumerate(d.get("examples", [])):
            for label, payload in [("ejemplo", example)] + mutations(example):
                print(json.dumps({"definicion": name, "caso": f"ejemplo {i}: {label}", "datos": payload,
                                  "valido": validator.is_valid(payload)}, ensure_ascii=False))
    sys.exit(1 if problems else 0)

for p in problems: print(p)
print("variables por módulo:")
for m, expected in MODULES.items():
    count = len(per_module[m])
    print(f"  {m:28} {count:3} de {expected}{'' if count == expected else '  ✗'}")
    if count != expected and "--parcial" not in sys.argv: problems.append(f"{m}: {count} variables, se esperaban {expected}")
print(f"{len(definitions)} definiciones, {len(problems)} problemas")
sys.exit(1 if problems else 0)
