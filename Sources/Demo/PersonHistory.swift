import CanonicalJSON
import Catalog
import Commands

/// One step of a synthetic history: a command and the institution that sends it.
struct DemoStep: Sendable {
    let command: String
    let data: JSONValue
    let institution: String
    var user: String { "demo-\(institution.lowercased())" }
}

/// A synthetic person and everything that happens to their case, with the shares of the Chiapas
/// state diagnosis (seed 004): 91 % women; ages 12–17 and 18–25 a third each; 64 % Mexican, the
/// rest mostly Guatemalan and Honduran; sexual exploitation 73 %, labour 20 %, both 7 %.
struct PersonHistory {
    let stream: String
    var steps: [DemoStep] = []

    static let firstNamesWomen = ["María", "Guadalupe", "Juana", "Rosa", "Ana", "Lucía", "Itzel", "Xóchitl", "Marisol", "Daniela", "Karla", "Yesenia", "Brenda", "Paola", "Fernanda"]
    static let firstNamesMen = ["José", "Juan", "Luis", "Carlos", "Miguel", "Jorge", "Pedro", "Ángel", "Diego", "Mateo"]
    static let surnames = ["Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez", "Ramírez", "Cruz", "Gómez", "Vázquez", "Díaz", "Morales", "Jiménez", "Ruiz", "Méndez", "Pérez", "Aguilar", "Santiz"]
    /// Entidades with the detection weight used here (Chiapas first, as in the seed's diagnosis).
    static let entidades: [(String, Double)] = [("07", 30), ("09", 12), ("15", 8), ("14", 6), ("30", 6), ("21", 5), ("20", 4), ("02", 5), ("19", 4), ("23", 5), ("29", 3), ("25", 3), ("26", 3), ("11", 3), ("16", 3)]
    static let chiapasMunicipios = ["07101", "07089", "07019", "07078", "07087"]
    static let entidadCURP = ["02": "BC", "07": "CS", "09": "DF", "11": "GT", "14": "JC", "15": "MC", "16": "MN", "19": "NL", "20": "OC",
                              "21": "PL", "23": "QR", "25": "SL", "26": "SR", "29": "TL", "30": "VZ"]

    init(seed: UInt64, index: Int, lastDay: CalendarDate, catalogs: CatalogSet) {
        var random = SeededRandom(seed: seed, stream: UInt64(index) &+ 1)
        stream = "expediente-demo-\(seed)-\(index)"
        let entidad = random.weighted(Self.entidades.map { ($0.0, $0.1) })
        let registrar = random.weighted([("FGE-\(entidad)", 45.0), ("FGR", 15), ("INM", 10), ("DIF-\(entidad)", 15), ("CEAV", 10), ("CIES-\(entidad)", 5)])
        let detectionWindow = CalendarDate("2019-01-01")!.dayNumber...min(CalendarDate("2024-10-31")!.dayNumber, lastDay.dayNumber - 60)
        let detection = CalendarDate(dayNumber: random.int(detectionWindow))
        let woman = random.chance(0.907)
        let age = random.weighted([(random.int(6...11), 4.0), (random.int(12...17), 35), (random.int(18...25), 33), (random.int(26...35), 18), (random.int(36...55), 10)])
        let birth = detection.adding(days: -(age * 365 + age / 4) - random.int(1...360))
        let nationality = random.weighted([("MEX", 64.0), ("GTM", 16), ("HND", 15), ("SLV", 2.6), ("NIC", 1.4), ("USA", 0.5), ("ECU", 0.5)])
        // Outside Chiapas, the entidad's first municipio in INEGI's catalogue (Ciudad de México's alcaldías start at 002).
        let first = catalogs["municipios"]?.values.first { $0.code.hasPrefix(entidad) && $0.isValid(on: detection) }?.code
        let municipio = entidad == "07" ? random.pick(Self.chiapasMunicipios) : first ?? entidad + "001"
        let here: JSONValue = ["pais": "MEX", "entidad": .string(entidad), "municipio": .string(municipio)]
        let name = woman ? random.pick(Self.firstNamesWomen) : random.pick(Self.firstNamesMen)
        let surname1 = random.pick(Self.surnames), surname2 = random.pick(Self.surnames)

        var person: [JSONMember] = [
            .init(key: "calidad", value: .string(random.weighted([("victima", 60.0), ("posible-victima", 35), ("victima-indirecta", 5)]))),
            .init(key: "sexo", value: woman ? "mujer" : "hombre"),
            .init(key: "edad", value: .number(Double(Self.years(birth, detection)))),
            .init(key: "nacionalidad", value: .string(nationality)),
            .init(key: "condicionMigratoria", value: nationality == "MEX" ? "no-aplica-nacional" : .string(random.pick(["situacion-irregular", "visitante-razones-humanitarias", "solicitante-refugio"]))),
            .init(key: "lugarDeOrigen", value: nationality == "MEX" ? here : ["pais": .string(nationality)]),
            .init(key: "lugarDeDeteccion", value: here),
            .init(key: "fechaDeDeteccion", value: .string(detection.description)),
            .init(key: "institucionQueDetecta", value: .string(registrar)),
            .init(key: "formaDeDeteccion", value: .string(random.pick(["operativo-de-rescate", "denuncia", "linea-telefonica", "canalizacion-de-otra-institucion", "autoidentificacion", "revision-migratoria"]))),
            .init(key: "nombre", value: .string(name)), .init(key: "primerApellido", value: .string(surname1)),
            .init(key: "segundoApellido", value: .string(surname2)), .init(key: "fechaDeNacimiento", value: .string(birth.description)),
            .init(key: "telefono", value: .string("55 \(random.int(1000...9999)) \(random.int(1000...9999))")),
        ]
        if nationality == "MEX" && random.chance(0.7) {
            person.append(.init(key: "curp", value: .string(Self.curp(name: name, surname1: surname1, surname2: surname2, birth: birth,
                                                                       woman: woman, entidad: entidad, random: &random))))
        }
        steps.append(DemoStep(command: "registrar-persona", data: .object(person), institution: registrar))

        let modality = random.weighted([(["explotacion-sexual"], 73.0), (["explotacion-laboral"], 19.5), (["explotacion-sexual", "explotacion-laboral"], 7), (["mendicidad-forzosa"], 1), (["trabajo-forzado"], 1)])
        let abroad = nationality != "MEX"
        var victimisation: [JSONMember] = [
            .init(key: "fechaDeDocumentacion", value: .string(detection.adding(days: random.int(0...5)).description)),
            .init(key: "modalidades", value: .array(modality.map { .string($0) })),
            .init(key: "mediosComisivos", value: .array(random.some(["engano", "violencia-fisica", "violencia-moral", "servidumbre-por-deudas", "retencion-de-documentos", "aprovechamiento-de-vulnerabilidad"], count: random.int(1...3)).map { .string($0) })),
            .init(key: "formasDeEnganche", value: .array(random.some(["oferta-de-empleo", "enamoramiento", "redes-sociales", "promesa-de-matrimonio", "agencia-de-colocacion"], count: random.int(1...2)).map { .string($0) })),
            .init(key: "relacionConLaPersonaTratante", value: .string(random.pick(["pareja", "amistad", "otro-familiar", "empleador", "desconocido"]))),
            .init(key: "ruta", value: ["origen": abroad ? ["pais": .string(nationality)] : here, "destino": here]),
            .init(key: "mediosDeTransporte", value: .array(random.some(["autobus", "automovil-particular", "camion-de-carga"], count: random.int(1...2)).map { .string($0) })),
            .init(key: "cruceDeFronteraInternacional", value: .bool(abroad)),
        ]
        if abroad { victimisation.append(.init(key: "paisDeCruce", value: "GTM")) }
        steps.append(DemoStep(command: "documentar-victimizacion", data: .object(victimisation), institution: registrar))

        var day = detection
        let attentionTypes = (catalogs["tipos-de-atencion"]?.values ?? []).filter { $0.code != "otra" }
        // The registering institution validates the case after its first attentions: a validation
        // covers the versions up to the one it names, so public statistics count those attentions
        // (validating only the registration would leave every attention table empty).
        var validation = random.chance(0.8) ? random.int(1...3) : nil
        func validate(_ steps: inout [DemoStep]) {
            let on = min(lastDay, max(detection.adding(days: 10), day))
            steps.append(DemoStep(command: "validar-registro", data: ["fecha": .string(on.description),
                                  "versionValidada": .number(Double(steps.count))], institution: registrar))
            validation = nil
        }
        for given in 0..<random.int(8...36) {
            if validation == given { validate(&steps) }
            day = day.adding(days: random.int(1...45))
            guard day <= lastDay else { break }
            let type = random.pick(attentionTypes)
            let giver = random.weighted([(registrar, 50.0), ("CEAV", 20), ("DIF-\(entidad)", 20), ("osc", 10)])
            var attention: [JSONMember] = [
                .init(key: "fecha", value: .string(day.description)), .init(key: "tipo", value: .string(type.code)),
                .init(key: "clasificacion", value: type.extra["clasificacion"] ?? "asistencia"),
                .init(key: "duracionMinutos", value: .number(Double(random.pick([30, 45, 60, 90, 120, 240])))),
            ]
            attention.append(giver == "osc" ? .init(key: "organizacionDeLaSociedadCivil", value: "Refugio Esperanza A.C. (ficticio)")
                                            : .init(key: "institucion", value: .string(giver)))
            steps.append(DemoStep(command: "registrar-atencion", data: .object(attention), institution: registrar))
        }
        if validation != nil { validate(&steps) }
        if random.chance(0.3), day.adding(days: 2) <= lastDay {
            let destination = registrar == "DIF-\(entidad)" ? "CEAV" : "DIF-\(entidad)"
            steps.append(DemoStep(command: "canalizar", data: ["fecha": .string(day.description), "folio": "C-1", "institucionDestino": .string(destination),
                                                               "serviciosSolicitados": ["alojamiento", "atencion-psicologica"]], institution: registrar))
            steps.append(DemoStep(command: "aceptar-canalizacion", data: ["fecha": .string(day.adding(days: 2).description), "folio": "C-1"], institution: destination))
        }
        if random.chance(0.2) {
            steps.append(DemoStep(command: "dictar-medida-de-proteccion", data: ["fecha": .string(detection.adding(days: 1).description),
                "medida": "prohibicion-de-acercamiento", "autoridad": .string(registrar.hasPrefix("FGE") ? registrar : "FGE-\(entidad)")], institution: registrar))
        }
        if random.chance(0.85) {
            steps.append(DemoStep(command: "registrar-consentimiento", data: ["fecha": .string(detection.description),
                "compartirConOtrasInstituciones": .bool(random.chance(0.8)), "contarEnEstadisticas": .bool(random.chance(0.95)),
                "fundamento": age < 18 ? "interes-superior-de-la-ninez" : "consentimiento-expreso-de-la-persona"], institution: registrar))
        }
        if random.chance(0.4), day.adding(days: 1) <= lastDay {
            steps.append(DemoStep(command: "cerrar-caso", data: ["fecha": .string(day.adding(days: 1).description),
                "motivo": .string(random.pick(["proyecto-de-vida-concluido", "retorno-al-pais-de-origen", "desistimiento", "localizacion-perdida"]))], institution: registrar))
        }
    }

    static func years(_ birth: CalendarDate, _ date: CalendarDate) -> Int {
        date.year - birth.year - ((date.month, date.day) < (birth.month, birth.day) ? 1 : 0)
    }

    /// A well-formed CURP (RENAPO's layout and check digit) for a fictitious person.
    static func curp(name: String, surname1: String, surname2: String, birth: CalendarDate, woman: Bool, entidad: String,
                     random: inout SeededRandom) -> String {
        func plain(_ text: String) -> [Character] {
            Array(text.uppercased().folding(options: .diacriticInsensitive, locale: nil).filter { $0.isLetter && $0.isASCII })
        }
        let s1 = plain(surname1), s2 = plain(surname2), n = plain(name)
        let vowel = s1.dropFirst().first { "AEIOU".contains($0) } ?? "X"
        let consonant = { (word: [Character]) in word.dropFirst().first { !"AEIOU".contains($0) } ?? "X" }
        let yymmdd = String(birth.description.dropFirst(2).filter(\.isNumber))
        let homoclave: Character = birth.year < 2000 ? Character(String(random.int(0...9))) : random.pick(Array("ABCDEFGHIJ"))
        let first17 = String([s1[0], vowel, s2[0], n[0]]) + yymmdd + (woman ? "M" : "H") + (entidadCURP[entidad] ?? "NE")
            + String([consonant(s1), consonant(s2), consonant(n), homoclave])
        return first17 + String(CURP.checkDigit(first17)!)
    }
}
