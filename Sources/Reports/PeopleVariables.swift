import Definitions
import Statistics

/// The attributes of a person the `estadisticas` projection keeps (catalogue codes, a band, a year):
/// the only ones a report on people can use.
public enum PersonAttribute: String, Sendable, CaseIterable {
    case year, entidad, calidad, sexo, ageBand, civilStatus, nationality, migratoryStatus, origin
    case modalities, recruitment, transport, routeOrigin, routeDestination, crossing, crossingCountry

    /// The definition field each comes from (`VictimaRegistrada` or `VictimizacionDocumentada`).
    var field: String {
        switch self {
        case .year: "fechaDeDeteccion"
        case .entidad: "lugarDeDeteccion"
        case .calidad: "calidad"
        case .sexo: "sexo"
        case .ageBand: "edad"
        case .civilStatus: "estadoCivil"
        case .nationality: "nacionalidad"
        case .migratoryStatus: "condicionMigratoria"
        case .origin: "lugarDeOrigen"
        case .modalities: "modalidades"
        case .recruitment: "formasDeEnganche"
        case .transport: "mediosDeTransporte"
        case .routeOrigin: "ruta.origen"
        case .routeDestination: "ruta.destino"
        case .crossing: "cruceDeFronteraInternacional"
        case .crossingCountry: "paisDeCruce"
        }
    }

    /// The variable's name in a report: the field's, except where the projection keeps a reduction of it.
    var variableName: String {
        switch self {
        case .year: "anio"
        case .entidad: "entidadDeDeteccion"
        case .ageBand: "grupoDeEdad"
        default: field
        }
    }

    var isList: Bool { [.modalities, .recruitment, .transport].contains(self) }

    /// The person's values (one for a single attribute, any number for a list); nil is «no especificado».
    /// Ages are grouped with the public statistics' default age-band catalogue.
    func values(of person: Person, labels: Labels) -> [String?] {
        switch self {
        case .year: return [String(person.year)]
        case .entidad: return [person.entidad]
        case .calidad: return [person.first { $0.calidad }]
        case .sexo: return [person.first { $0.sexo }]
        case .ageBand: return [labels.ageBand(person.cases.lazy.compactMap(\.age).first, in: StatisticsBuilder.defaultAgeBands)]
        case .civilStatus: return [person.first { $0.civilStatus }]
        case .nationality: return [person.first { $0.nationality }]
        case .migratoryStatus: return [person.first { $0.migratoryStatus }]
        case .origin: return [person.first { $0.origin }]
        case .modalities, .recruitment, .transport:
            let list = person.union { self == .modalities ? $0.modalities : self == .recruitment ? $0.recruitment : $0.transport }
            return list.isEmpty ? [nil] : list
        case .routeOrigin: return [person.documentation?.routeOrigin]
        case .routeDestination: return [person.documentation?.routeDestination]
        case .crossing: return [person.documentation?.crossing.map { $0 ? "true" : "false" }]
        case .crossingCountry: return [person.documentation?.crossingCountry]
        }
    }
}

extension ReportCatalogue {
    /// People, from the registration and the documentation of the victimisation: every variable of those
    /// two definitions is listed, usable when the projection keeps it, personal fields never.
    static func peopleSource(_ set: DefinitionSet) -> ReportSource {
        var variables: [ReportVariable] = []
        let kept = Dictionary(uniqueKeysWithValues: PersonAttribute.allCases.map { ($0.field, $0) })
        for type in ["VictimaRegistrada", "VictimizacionDocumentada"] {
            guard let definition = set.latest(type) else { continue }
            for field in DataDictionary.fields(of: definition, in: set) where !field.path.contains("[]") {
                if field.isPersonal {
                    variables.append(ReportVariable(name: field.path, role: .personal, extraction: nil, catalog: nil, multiValued: false,
                                                    description: field.description))
                } else if let attribute = kept[field.path] {
                    let catalog: String? = switch attribute {
                    case .entidad: "entidades-federativas"
                    case .origin, .routeOrigin, .routeDestination: "lugar"
                    case .ageBand: StatisticsBuilder.defaultAgeBands
                    default: field.catalog
                    }
                    variables.append(ReportVariable(name: attribute.variableName, role: .dimension, extraction: .person(attribute), catalog: catalog,
                                                    multiValued: attribute.isList, description: field.description))
                    if attribute.variableName != field.path {
                        variables.append(ReportVariable(name: field.path, role: .unusable("use «\(attribute.variableName)»"), extraction: nil,
                                                        catalog: nil, multiValued: false, description: field.description))
                    }
                } else if field.isVariable {
                    variables.append(ReportVariable(name: field.path, role: .unusable("la proyección de estadísticas no la conserva"),
                                                    extraction: nil, catalog: nil, multiValued: false, description: field.description))
                }
            }
        }
        return ReportSource(name: ReportSource.people, module: "atencion-a-victimas",
                            description: "Personas víctimas y posibles víctimas, cada una una vez (expedientes vinculados), con registro validado y sin negativa a ser contadas.",
                            variables: variables)
    }
}
