import CanonicalJSON
import Foundation
import Logging

/// One JSON object per line on stderr, for a log collector (journald, Loki, Elastic): `ts` (UTC,
/// milliseconds), `nivel`, `origen` (the logger's label), `mensaje` and the metadata as strings.
/// What goes into metadata is the caller's responsibility: SINTRA never logs a body, a token or a
/// personal field (`RequestLogMiddleware`, `ProblemMiddleware`).
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let write: @Sendable (String) -> Void

    public init(label: String, write: @escaping @Sendable (String) -> Void = JSONLogHandler.standardError) {
        self.label = label
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
                    file: String, function: String, line: UInt) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let explicit { all.merge(explicit) { $1 } }
        var members: [JSONMember] = [
            .init(key: "ts", value: .string(Self.timestamp(Date()))),
            .init(key: "nivel", value: .string(level.rawValue)),
            .init(key: "origen", value: .string(label)),
            .init(key: "mensaje", value: .string(message.description)),
        ]
        let reserved = Set(members.map(\.key))
        for (key, value) in all.sorted(by: { $0.key < $1.key }) where !reserved.contains(key) {
            members.append(.init(key: key, value: Self.json(value)))
        }
        write(String(decoding: CanonicalJSON.serialize(.object(members)), as: UTF8.self))
    }

    static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let text): return .string(text)
        case .stringConvertible(let item): return .string(item.description)
        case .array(let items): return .array(items.map(json))
        case .dictionary(let items): return .object(items.sorted { $0.key < $1.key }.map { JSONMember(key: $0.key, value: json($0.value)) })
        }
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!))
    }

    /// One write per line, so that lines from concurrent requests never interleave.
    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
