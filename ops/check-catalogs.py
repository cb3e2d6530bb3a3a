#!/usr/bin/env python3
"""Checks events/catalogs/ with Python jsonschema and the conventions of events/catalogs/README.md. Run from the repository root."""
import json, glob, os, sys, datetime
from jsonschema import Draft202012Validator
D = 'events/catalogs'
schema = json.load(open(os.path.join(D, 'catalogo.schema.json')))
Draft202012Validator.check_schema(schema)
val = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
errors = 0; cats = {}
files = sorted(f for f in glob.glob(os.path.join(D, '*.json')) if not f.endswith('.schema.json'))
for f in files:
    c = json.load(open(f, encoding='utf-8')); cats[c['catalogo']] = c
    errs = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in val.iter_errors(c)]
    if c['catalogo'] + '.json' != os.path.basename(f): errs.append('catalogo != nombre de archivo')
    codes = [x['codigo'] for x in c['valores']]
    dup = {x for x in codes if codes.count(x) > 1}
    if dup: errs.append(f'códigos duplicados: {dup}')
    labels = [x['etiqueta'] for x in c['valores']]
    dupl = {x for x in labels if labels.count(x) > 1}
    if dupl: errs.append(f'etiquetas duplicadas: {dupl}')
    declared = set(c.get('campos', {}))
    base = {'codigo', 'etiqueta', 'vigenteDesde', 'vigenteHasta', 'codigoInternacional'}
    for x in c['valores']:
        extra = set(x) - base - declared
        if extra: errs.append(f"{x['codigo']}: claves no declaradas en campos: {extra}")
        if x['vigenteHasta'] and not x['vigenteHasta'] > x['vigenteDesde']:
            errs.append(f"{x['codigo']}: vigenteHasta <= vigenteDesde")
    v = c.get('verificacion')
    if v and v['consultado'] < v['fecha']: errs.append('verificacion: consultado anterior a fecha')
    used = set().union(*(set(x) for x in c['valores'])) - base
    if declared - used: errs.append(f'campos declarados sin uso: {declared - used}')
    for e in errs: print(f'{os.path.basename(f)}: {e}')
    errors += len(errs)
# referencias entre catálogos
def refs(cat, key, target):
    global errors
    ok = {x['codigo'] for x in cats[target]['valores']}
    for x in cats[cat]['valores']:
        if x.get(key) is not None and x[key] not in ok:
            print(f'{cat}: {x["codigo"]}.{key}={x[key]} no existe en {target}'); errors += 1
refs('tipos-de-atencion', 'clasificacion', 'clasificacion-de-atencion')
refs('poblaciones-objetivo', 'nivelDeMando', 'niveles-de-mando')
refs('instituciones', 'entidad', 'entidades-federativas')
refs('municipios', 'entidad', 'entidades-federativas')
for x in cats['municipios']['valores']:
    if not x['codigo'].startswith(x['entidad']):
        print(f'municipios: {x["codigo"]} no empieza con su entidad {x["entidad"]}'); errors += 1
print(f'{len(files)} catalogues, {sum(len(c["valores"]) for c in cats.values())} values, {errors} problems')
sys.exit(1 if errors else 0)
