import CanonicalJSON
import Catalog
import Commands
import Definitions
import EventLog
import Foundation
import Postgres
import Privacy
import Projections
import TestDatabase

let definitions = repositoryDefinitions

/// A migrated database with the command path (as the application) and a projector (as the owner).
typealias World = ProjectionWorld

/// A person as a caseworker registers them.
func persona(_ fecha: String = "2021-11-09", sexo: String = "mujer") -> JSONValue {
    ["calidad": "victima", "sexo": .string(sexo), "edad": 23, "nacionalidad": "MEX", "fechaDeDeteccion": .string(fecha),
     "institucionQueDetecta": "FGE-07", "formaDeDeteccion": "operativo-de-rescate",
     "lugarDeDeteccion": ["pais": "MEX", "entidad": "07", "municipio": "07101"], "nombre": "Ficticia"]
}

func atencion(_ fecha: String, tipo: String = "atencion-psicologica", clasificacion: String = "asistencia") -> JSONValue {
    ["fecha": .string(fecha), "tipo": .string(tipo), "clasificacion": .string(clasificacion), "institucion": "CEAV", "duracionMinutos": 60]
}
