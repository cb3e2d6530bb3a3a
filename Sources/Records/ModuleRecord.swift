import CanonicalJSON

/// A row of the list: the record as it stands, without personal fields.
public struct ModuleRecordSummary: Sendable, Equatable {
    public let recordId: String
    public let eventType: String
    public let module: String
    /// The record's own date (`AAAA-MM-DD`).
    public let date: String
    public let institution: String
    /// The position of the event that opened it (the list's cursor).
    public let position: Int64
    public let data: JSONValue

    public var json: JSONValue {
        .object([
            .init(key: "registro", value: .string(recordId)), .init(key: "tipo", value: .string(eventType)),
            .init(key: "modulo", value: .string(module)), .init(key: "fecha", value: .string(date)),
            .init(key: "institucion", value: .string(institution)), .init(key: "posicion", value: .number(Double(position))),
            .init(key: "datos", value: data),
        ])
    }
}

public struct ModuleRecordPage: Sendable {
    public let records: [ModuleRecordSummary]
    /// The cursor of the next page, when there is one.
    public let next: Int64?

    public var json: JSONValue {
        .object([.init(key: "registros", value: .array(records.map(\.json))),
                 .init(key: "siguiente", value: next.map { .number(Double($0)) } ?? .null)])
    }
}

/// One record: as it stands now, and every event of its life.
public struct ModuleRecord: Sendable {
    public struct FieldChange: Sendable, Equatable {
        public let field: String
        public let before: JSONValue
        public let after: JSONValue
    }

    public struct Change: Sendable {
        public enum Kind: String, Sendable { case registrado, corregido, anulado, agregado }
        public let kind: Kind
        public let eventType: String
        public let version: Int64
        public let position: Int64
        public let recordedAt: String
        public let userId: String?
        public let institution: String
        /// The stated reason of a correction or annulment.
        public let reason: String?
        /// For a correction: each field before → after.
        public let fields: [FieldChange]
    }

    public let recordId: String
    public let eventType: String
    public let module: String
    public let institution: String
    /// The annulment's date; nil while the record counts.
    public let annulledOn: String?
    public let data: JSONValue
    public let history: [Change]

    public var json: JSONValue {
        .object([
            .init(key: "registro", value: .string(recordId)), .init(key: "tipo", value: .string(eventType)),
            .init(key: "modulo", value: .string(module)), .init(key: "institucion", value: .string(institution)),
            .init(key: "estado", value: .string(annulledOn == nil ? "vigente" : "anulado")),
            .init(key: "anuladoEl", value: annulledOn.map(JSONValue.string) ?? .null),
            .init(key: "datos", value: data),
            .init(key: "historial", value: .array(history.map { change in
                .object([
                    .init(key: "evento", value: .string(change.kind.rawValue)), .init(key: "tipo", value: .string(change.eventType)),
                    .init(key: "version", value: .number(Double(change.version))), .init(key: "posicion", value: .number(Double(change.position))),
                    .init(key: "registradoEn", value: .string(change.recordedAt)), .init(key: "usuario", value: change.userId.map(JSONValue.string) ?? .null),
                    .init(key: "institucion", value: .string(change.institution)), .init(key: "motivo", value: change.reason.map(JSONValue.string) ?? .null),
                    .init(key: "cambios", value: .array(change.fields.map {
                        .object([.init(key: "campo", value: .string($0.field)), .init(key: "antes", value: $0.before), .init(key: "despues", value: $0.after)])
                    })),
                ])
            })),
        ])
    }
}
