import CanonicalJSON

/// Case payloads as the statistics and reports tests write them: a person, a victimisation, a
/// consent, a validation and an attention, with personal strings (Ficticia, Apellidoinventado,
/// secreto) that a test can look for in any output to prove it never leaks.
public enum CaseFixtures {
    /// A person as a caseworker registers them; `entidad` is where they were detected.
    public static func persona(_ fecha: String = "2023-03-10", sexo: String = "mujer", edad: Int = 23, entidad: String = "07", nacionalidad: String = "MEX",
                 nombre: String = "Ficticia", calidad: String = "victima") -> JSONValue {
        var data: [JSONMember] = [
            .init(key: "calidad", value: .string(calidad)), .init(key: "sexo", value: .string(sexo)), .init(key: "edad", value: .number(Double(edad))),
            .init(key: "estadoCivil", value: "soltero"), .init(key: "nacionalidad", value: .string(nacionalidad)),
            .init(key: "condicionMigratoria", value: nacionalidad == "MEX" ? "no-aplica-nacional" : "situacion-irregular"),
            .init(key: "fechaDeDeteccion", value: .string(fecha)), .init(key: "institucionQueDetecta", value: "FGE-07"),
            .init(key: "formaDeDeteccion", value: "operativo-de-rescate"),
            .init(key: "lugarDeDeteccion", value: ["pais": "MEX", "entidad": .string(entidad)]),
            .init(key: "nombre", value: .string(nombre)), .init(key: "primerApellido", value: "Apellidoinventado"),
            .init(key: "relato", value: "Relato secreto de la persona registrada"),
        ]
        data.append(.init(key: "lugarDeOrigen", value: nacionalidad == "MEX" ? ["pais": "MEX", "entidad": .string(entidad)] : ["pais": .string(nacionalidad)]))
        return .object(data)
    }

    public static func victimizacion(_ fecha: String = "2023-03-11", modalidades: [String] = ["explotacion-sexual"], origen: JSONValue = ["pais": "GTM"],
                       destino: JSONValue = ["pais": "MEX", "entidad": "07"], cruce: Bool = true) -> JSONValue {
        var data: [JSONMember] = [
            .init(key: "fechaDeDocumentacion", value: .string(fecha)), .init(key: "modalidades", value: .array(modalidades.map { .string($0) })),
            .init(key: "formasDeEnganche", value: ["oferta-de-empleo"]), .init(key: "mediosDeTransporte", value: ["autobus"]),
            .init(key: "ruta", value: ["origen": origen, "destino": destino]), .init(key: "cruceDeFronteraInternacional", value: .bool(cruce)),
        ]
        if cruce { data.append(.init(key: "paisDeCruce", value: "GTM")) }
        return .object(data)
    }

    public static func consentimiento(_ contar: Bool, fecha: String = "2023-03-12") -> JSONValue {
        ["fecha": .string(fecha), "compartirConOtrasInstituciones": true, "contarEnEstadisticas": .bool(contar),
         "fundamento": "consentimiento-expreso-de-la-persona", "observaciones": "Firmó la representante Observacionsecreta"]
    }

    public static func validacion(_ version: Int, fecha: String = "2023-03-20") -> JSONValue {
        ["fecha": .string(fecha), "versionValidada": .number(Double(version))]
    }

    public static func atencion(_ fecha: String = "2023-04-01", tipo: String = "atencion-psicologica", clasificacion: String = "asistencia") -> JSONValue {
        ["fecha": .string(fecha), "tipo": .string(tipo), "clasificacion": .string(clasificacion), "institucion": "CEAV",
         "duracionMinutos": 60, "descripcion": "Descripcionsecreta de la sesión"]
    }
}
