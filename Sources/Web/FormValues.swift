import Foundation
import Hummingbird

/// A submitted HTML form (`application/x-www-form-urlencoded`): names in order, a name may repeat
/// (checkboxes). Read from the body only — a form's values never travel in a URL.
struct FormValues: Sendable {
    private(set) var pairs: [(name: String, value: String)]

    init(pairs: [(name: String, value: String)] = []) { self.pairs = pairs }

    static let maximumBytes = 1 << 20

    static func read(_ request: Request) async throws -> FormValues {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: maximumBytes) } catch {
            throw WebError.badRequest("El formulario es demasiado grande.")
        }
        return parse(String(buffer: buffer))
    }

    static func parse(_ text: String) -> FormValues {
        FormValues(pairs: text.split(separator: "&").compactMap { item in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]) else { return nil }
            return (name, parts.count > 1 ? decode(parts[1]) ?? "" : "")
        })
    }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    func first(_ name: String) -> String? { pairs.first { $0.name == name }?.value }
    func all(_ name: String) -> [String] { pairs.filter { $0.name == name }.map(\.value) }

    /// The value typed, trimmed; nil when empty.
    func text(_ name: String) -> String? {
        guard let value = first(name)?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    mutating func set(_ name: String, _ value: String) {
        pairs.removeAll { $0.name == name }
        pairs.append((name, value))
    }
}
