import Postgres
import Privacy

/// A case found by a search: its row of the list (no personal field) and whether another
/// institution may already have registered the same person.
public struct CaseSearchHit: Sendable, Equatable {
    public let summary: CaseSummary
    /// Another institution registered a case whose CURP, or whole name with birth date, matches
    /// this one's, and nobody has yet declared the two the same person or different people. Only
    /// the warning: which case and which institution are for whoever reviews the duplicate, since
    /// the other case may lie outside the caller's scope.
    public let possibleDuplicateElsewhere: Bool
}

/// One page of a search, newest registration first; `next` as in `CasePage`.
public struct CaseSearchPage: Sendable {
    public let hits: [CaseSearchHit]
    public let next: Int64?
}

/// A search the caller must rephrase (empty name, no letters, a malformed CURP): the field and a
/// Spanish message to show as it is. Never says what was typed, so it can be logged.
public struct InvalidCaseSearch: Error, CustomStringConvertible, Sendable, Equatable {
    public let field: String
    public let message: String
    public var description: String { "\(field): \(message)" }
}

/// Finding a person without decrypting anything: the words typed become keyed digests
/// (`BlindIndex`), the database matches digests, and the answer is rows of the list. The search is
/// a filter of the list, so it is narrowed by the caller's scope (`CaseFilter`'s scope fields,
/// set by the API from their permissions) and paged exactly as the list is.
extension CaseFileReader {
    /// Longer than any real name; a longer text is a mistake or an attempt to make us hash a book.
    public static let maximumNameLength = 200

    /// The words of `name` the name-token index would match, or why the name cannot be searched.
    public static func nameSearchTokens(_ name: String) -> Result<[String], InvalidCaseSearch> {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        func invalid(_ message: String) -> Result<[String], InvalidCaseSearch> { .failure(InvalidCaseSearch(field: "nombre", message: message)) }
        if trimmed.isEmpty { return invalid("escriba el nombre que busca") }
        if trimmed.count > maximumNameLength { return invalid("el nombre tiene más de \(maximumNameLength) caracteres") }
        if !trimmed.contains(where: \.isLetter) { return invalid("el nombre no tiene ninguna letra") }
        let tokens = BlindIndex.nameTokens(trimmed)
        if tokens.isEmpty { return invalid("escriba al menos una palabra del nombre además de «de», «la», «y»…") }
        if tokens.count > BlindIndex.maximumNameTokens { return invalid("escriba como máximo \(BlindIndex.maximumNameTokens) palabras del nombre") }
        return .success(tokens)
    }

    /// The cases, within `scope`, of a person whose names (nombre, primer and segundo apellido)
    /// contain every word of `name`, compared without accents, case or punctuation: «maria lopez»
    /// finds «MARÍA LÓPEZ PÉREZ», «María» alone finds every María. Whole words only (no prefixes),
    /// order free; particles («de», «la», «y») are ignored. Throws `InvalidCaseSearch` for a name
    /// that cannot be searched. Needs the `expedientes` projection to have applied the case.
    public func find(name: String, within scope: CaseFilter = CaseFilter(), pageSize: Int = 50,
                     after cursor: Int64? = nil) async throws -> CaseSearchPage {
        let tokens = try Self.nameSearchTokens(name).get()
        let digests = tokens.map { BlindIndex.digest(.nameToken, of: $0, keyring: vault.keyring) }
        return try await search(IndexMatch(kind: .nameToken, digests: digests), scope, pageSize, cursor)
    }

    /// The cases, within `scope`, whose CURP is this one (as `find(curp:)`, narrowed and paged as
    /// the list is, each hit with its duplicate warning). Throws `InvalidCaseSearch` unless the
    /// CURP, without spaces, has 18 letters and digits.
    public func find(curp: String, within scope: CaseFilter, pageSize: Int = 50, after cursor: Int64? = nil) async throws -> CaseSearchPage {
        let normalized = BlindIndex.normalizeCURP(curp)
        guard normalized.count == 18, normalized.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw InvalidCaseSearch(field: "curp", message: "una CURP tiene 18 letras y dígitos")
        }
        let digest = BlindIndex.digest(.curp, of: normalized, keyring: vault.keyring)
        return try await search(IndexMatch(kind: .curp, digests: [digest]), scope, pageSize, cursor)
    }

    private func search(_ match: IndexMatch, _ scope: CaseFilter, _ pageSize: Int, _ cursor: Int64?) async throws -> CaseSearchPage {
        var filter = scope
        filter.indexMatch = match
        let page = try await list(filter, pageSize: pageSize, after: cursor)
        let flagged = try await duplicatedElsewhere(page.cases.map(\.caseId))
        return CaseSearchPage(hits: page.cases.map { CaseSearchHit(summary: $0, possibleDuplicateElsewhere: flagged.contains($0.caseId)) },
                              next: page.next)
    }

    /// Of `caseIds`, those with a possible duplicate (as `possibleDuplicates`: CURP or name with
    /// birth date, never name tokens, not yet decided) registered by another institution.
    func duplicatedElsewhere(_ caseIds: [String]) async throws -> Set<String> {
        guard !caseIds.isEmpty else { return [] }
        let rows = try await store.pool.query("""
            SELECT DISTINCT mine.subject FROM blind_indexes mine
              JOIN blind_indexes other ON other.kind = mine.kind AND other.digest = mine.digest AND other.subject <> mine.subject
              JOIN proj_expedientes.casos mc ON mc.expediente = mine.subject
              JOIN proj_expedientes.casos oc ON oc.expediente = other.subject
             WHERE mine.subject = ANY ($1) AND mine.kind = ANY ($2) AND oc.institucion_registro <> mc.institucion_registro
               AND NOT EXISTS (SELECT 1 FROM proj_expedientes.vinculos v
                                WHERE (v.expediente = mine.subject AND v.otro = other.subject) OR (v.expediente = other.subject AND v.otro = mine.subject))
            """, [.array(.text(caseIds)), .array(.text(BlindIndex.Kind.duplicateEvidence.map(\.rawValue)))])
        return Set(try rows.map { try $0.decode(String.self, 0) })
    }
}
