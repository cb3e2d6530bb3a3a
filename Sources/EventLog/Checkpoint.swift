import CanonicalJSON
import Cryptography
import Postgres

/// A signed statement "the log had this head hash at this position at this time".
///
/// The hash chain alone cannot stop whoever controls the database from rewriting every hash
/// after a change. A checkpoint signed with a key the auditor holds can: a rewritten log no
/// longer extends it. The signed message is the RFC 8785 form of
/// `{"format","hash","issuedAt","position","publicKey"}`.
public struct Checkpoint: Sendable, Equatable {
    public static let format = "sintra-checkpoint/1"
    public var position: Int64
    public var hash: [UInt8]
    public var issuedAt: Timestamp
    public var publicKey: Ed25519PublicKey
    public var signature: [UInt8]

    public init(position: Int64, hash: [UInt8], issuedAt: Timestamp, publicKey: Ed25519PublicKey, signature: [UInt8]) {
        self.position = position
        self.hash = hash
        self.issuedAt = issuedAt
        self.publicKey = publicKey
        self.signature = signature
    }

    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public static func sign(position: Int64, hash: [UInt8], issuedAt: Timestamp, key: Ed25519PrivateKey) throws -> Checkpoint {
        let publicKey = key.publicKey
        let signature = try key.signature(for: signedMessage(position: position, hash: hash, issuedAt: issuedAt, publicKey: publicKey))
        return Checkpoint(position: position, hash: hash, issuedAt: issuedAt, publicKey: publicKey, signature: signature)
    }

    static func signedMessage(position: Int64, hash: [UInt8], issuedAt: Timestamp, publicKey: Ed25519PublicKey) -> [UInt8] {
        CanonicalJSON.serialize(.object([
            JSONMember(key: "format", value: .string(format)),
            JSONMember(key: "hash", value: .string(Hex.encode(hash))),
            JSONMember(key: "issuedAt", value: .string(issuedAt.iso8601)),
            JSONMember(key: "position", value: .number(Double(position))),
            JSONMember(key: "publicKey", value: .string(Hex.encode(publicKey.rawRepresentation))),
        ]))
    }

    public var isSignatureValid: Bool {
        publicKey.isValidSignature(signature, for: Self.signedMessage(position: position, hash: hash, issuedAt: issuedAt, publicKey: publicKey))
    }

    /// The file form: one JSON object.
    public var fileContents: String {
        String(decoding: CanonicalJSON.serialize(.object([
            JSONMember(key: "format", value: .string(Self.format)),
            JSONMember(key: "position", value: .number(Double(position))),
            JSONMember(key: "hash", value: .string(Hex.encode(hash))),
            JSONMember(key: "issuedAt", value: .string(issuedAt.iso8601)),
            JSONMember(key: "publicKey", value: .string(Hex.encode(publicKey.rawRepresentation))),
            JSONMember(key: "signature", value: .string(Hex.encode(signature))),
        ])), as: UTF8.self) + "\n"
    }

    /// Reads a checkpoint file and checks its signature (and, if given, that it was signed by `trustedKey`).
    public init(fileContents: String, trustedKey: Ed25519PublicKey? = nil) throws {
        let value: JSONValue
        do { value = try CanonicalJSON.parse(fileContents) } catch { throw Invalid(description: "el punto de control no es JSON válido: \(error.message)") }
        func string(_ key: String) throws -> String {
            guard case .string(let text)? = value[key] else { throw Invalid(description: "al punto de control le falta «\(key)»") }
            return text
        }
        guard try string("format") == Self.format else { throw Invalid(description: "formato de punto de control desconocido") }
        guard case .number(let number)? = value["position"], let position = Int64(exactly: number), position >= 1 else {
            throw Invalid(description: "posición no válida en el punto de control")
        }
        guard let hash = Hex.decode(try string("hash")), hash.count == 32,
              let issuedAt = Timestamp(iso8601: try string("issuedAt")),
              let keyBytes = Hex.decode(try string("publicKey")),
              let signature = Hex.decode(try string("signature"))
        else { throw Invalid(description: "campos mal formados en el punto de control") }
        self.init(position: position, hash: hash, issuedAt: issuedAt,
                  publicKey: try Ed25519PublicKey(rawRepresentation: keyBytes), signature: signature)
        guard isSignatureValid else { throw Invalid(description: "la firma del punto de control de la posición \(self.position) no es válida") }
        if let trustedKey, trustedKey != publicKey {
            throw Invalid(description: "el punto de control de la posición \(self.position) no fue firmado con la llave pública indicada")
        }
    }
}
