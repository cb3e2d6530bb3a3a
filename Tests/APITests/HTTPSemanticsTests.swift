import CanonicalJSON
import API
import CompressNIO
import Foundation
import HTTPTypes
import NIOCore
import Testing
import TestDatabase

/// HTTP as clients expect it (issue 19): another method on a known path is 405 with `Allow`, `OPTIONS`
/// and `HEAD` are answered, a body that is not JSON is 415, an `Accept` nothing satisfies is 406, and
/// the catalogues and definitions are served with an `ETag` that turns a repeat into 304.
@Suite(.needsDatabase) struct HTTPSemanticsTests {
    @Test func methodsBodiesAndAcceptAnswerAsHTTPSays() async throws {
        let world = try await APIWorld.make()
        try await world.account("capturista.fge", "FGE-07", [.capturista])
        try await world.test { client in
            var answer = try await client.call(.delete, "/v1/estadisticas")
            #expect(answer.status == 405 && answer.headers[.allow] == "GET, HEAD, OPTIONS", "\(answer.status) \(answer.headers)")
            #expect(answer.json["detail"]?.stringValue?.contains("no acepta DELETE") == true)
            answer = try await client.call(.options, "/v1/expedientes/exp-123")
            #expect(answer.status == 204 && answer.headers[.allow] == "GET, HEAD, OPTIONS", "\(answer.headers)")
            answer = try await client.call(.head, "/health")
            #expect(answer.status == 200 && answer.text.isEmpty)
            #expect(try await client.call(.get, "/v1/no-existe").status == 404)

            let token = try await client.login("capturista.fge")
            answer = try await client.call(.post, "/v1/comandos/registrar-persona", token: token, raw: "calidad=victima",
                                           headers: ["Content-Type": "application/x-www-form-urlencoded", "Idempotency-Key": UUID().uuidString])
            #expect(answer.status == 415 && answer.json["title"]?.stringValue == "Tipo de contenido no admitido", "\(answer.text)")
            answer = try await client.call(.get, "/v1/expedientes", token: token, headers: ["Accept": "application/xml"])
            #expect(answer.status == 406 && answer.text.contains("application/json"), "\(answer.text)")
            #expect(try await client.call(.get, "/v1/catalogos", headers: ["Accept": "text/html, application/*;q=0.8"]).status == 200)
            // An account is told what is left of its limit on every answer, errors included.
            answer = try await client.call(.get, "/v1/catalogos", token: token)
            let remaining = Int(answer.headers[HTTPField.Name("RateLimit-Remaining")!] ?? "")
            #expect(answer.headers[HTTPField.Name("RateLimit-Limit")!] != nil && remaining != nil, "\(answer.headers)")
            answer = try await client.call(.get, "/v1/expedientes/no-existe", token: token)
            #expect(answer.status == 404 && Int(answer.headers[HTTPField.Name("RateLimit-Remaining")!] ?? "") != nil, "\(answer.headers)")
            #expect(try await client.call(.get, "/v1/catalogos", headers: ["Accept": "application/json;q=0"]).status == 406)
        }
    }

    @Test func catalogsAndDefinitionsForFrontEndsWithETags() async throws {
        let world = try await APIWorld.make()
        try await world.test { client in
            var answer = try await client.call(.get, "/v1/catalogos")
            #expect(answer.status == 200 && (answer.json["catalogos"]?.arrayValue?.count ?? 0) > 40)
            answer = try await client.call(.get, "/v1/catalogos/municipios?entidad=07")
            let values = answer.json["valores"]?.arrayValue ?? []
            #expect(answer.status == 200 && values.count > 100 && values.allSatisfy { $0["entidad"]?.stringValue == "07" }, "\(values.count)")
            #expect(values.contains { $0["codigo"]?.stringValue == "07101" && $0["etiqueta"]?.stringValue?.hasPrefix("Tuxtla Gutiérrez") == true })
            let tag = try #require(answer.headers[.eTag])
            let again = try await client.call(.get, "/v1/catalogos/municipios?entidad=07", headers: ["If-None-Match": tag])
            #expect(again.status == 304 && again.text.isEmpty && again.headers[.eTag] == tag)
            #expect(try await client.call(.get, "/v1/catalogos/municipios?entidad=08", headers: ["If-None-Match": tag]).status == 200)

            // Validity: PGR stops being in force in December 2018, FGR starts.
            answer = try await client.call(.get, "/v1/catalogos/instituciones?vigenteEn=2024-01-01")
            let codes = Set(answer.json["valores"]?.arrayValue?.compactMap { $0["codigo"]?.stringValue } ?? [])
            #expect(codes.contains("FGR") && !codes.contains("PGR"))

            answer = try await client.call(.get, "/v1/catalogos/municipios?entidad=7&vigenteEn=ayer")
            let paths = answer.json["problemas"]?.arrayValue?.compactMap { $0["ruta"]?.stringValue } ?? []
            #expect(answer.status == 400 && Set(paths) == ["consulta.vigenteEn", "consulta.entidad"], "\(answer.text)")
            #expect(try await client.call(.get, "/v1/catalogos/paises?entidad=07").status == 400)
            #expect(try await client.call(.get, "/v1/catalogos/no-existe").status == 404)

            answer = try await client.call(.get, "/v1/definiciones")
            let list = answer.json["definiciones"]?.arrayValue ?? []
            #expect(list.contains { $0["comando"]?.stringValue == "registrar-persona" && $0["esquema"]?.stringValue?.hasPrefix("#/components/schemas/VictimaRegistrada") == true })
        }
    }
}

extension HTTPSemanticsTests {
    @Test func theAccountSeesItsLimitGoDownAndTheLivenessProbeIsNeverLimited() async throws {
        var configuration = APIServer.Configuration()
        configuration.perAccount = (perSecond: 0.01, burst: 5)
        configuration.perAddress = (perSecond: 0.01, burst: 8)
        let world = try await APIWorld.make(configuration: configuration)
        try await world.account("capturista.fge", "FGE-07", [.capturista])
        try await world.test { client in
            let token = try await client.login("capturista.fge")
            var left: [String] = []
            for _ in 0..<3 {
                let answer = try await client.call(.get, "/v1/catalogos", token: token)
                left.append(answer.headers[HTTPField.Name("RateLimit-Remaining")!] ?? "-")
                #expect(answer.headers[HTTPField.Name("RateLimit-Limit")!] == "5")
            }
            #expect(left == ["4", "3", "2"], "\(left)")
            // The address burst (8) is spent by now; /health still answers.
            for _ in 0..<10 { #expect(try await client.call(.get, "/health").status == 200) }
        }
    }
}

extension HTTPSemanticsTests {
    @Test func aWriteLocationReadsItsOwnWriteAndPagesLinkTheNext() async throws {
        let world = try await APIWorld.make()
        try await world.account("capturista.fge", "FGE-07", [.capturista])
        let following = Task {
            while !Task.isCancelled {
                try? await world.catchUp()
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        defer { following.cancel() }
        // In process: the live test client gives up on a request after 20 s, which a login can take
        // while every suite runs at once on two cores; what is checked here is the headers' meaning.
        try await world.test { client in
            let token = try await client.login("capturista.fge")
            var location = ""
            for day in ["2024-03-01", "2024-03-02", "2024-03-03"] {
                let created = try await client.command("registrar-persona", persona(fecha: day), token: token)
                location = created.headers[.location] ?? ""
                #expect(created.status == 201 && location.contains("?posicion="), "\(created.headers)")
            }
            // The server waits 5 s for the projector, then answers 503 with Retry-After; a client
            // retries then, as this one does (with every suite running, 5 s was once not enough).
            var read = try await client.call(.get, location, token: token)
            for _ in 0..<20 where read.status == 503 && read.headers[.retryAfter] != nil {
                try await Task.sleep(for: .seconds(1))
                read = try await client.call(.get, location, token: token)
            }
            #expect(read.status == 200 && (read.json["lineaDeTiempo"]?.arrayValue?.count ?? 0) == 1, "\(read.status) \(read.text.prefix(300))")

            var page = try await client.call(.get, "/v1/expedientes?limite=2", token: token)
            let link = try #require(page.headers[HTTPField.Name("Link")!], "\(page.headers)")
            #expect(link.hasSuffix("; rel=\"next\"") && link.contains("limite=2") && link.contains("despuesDe="), "\(link)")
            let next = String(link.dropFirst().prefix { $0 != ">" })
            page = try await client.call(.get, next, token: token)
            #expect(page.status == 200 && page.json["expedientes"]?.arrayValue?.count == 1 && page.headers[HTTPField.Name("Link")!] == nil, "\(page.text.prefix(300))")
        }
    }

    /// gzip for a client that asks (JSON, CSV, the annex), the same bytes once decompressed; the compressed
    /// answer has its own ETag, and either form of the tag names the same version for If-None-Match.
    @Test func textAnswersAreCompressedForAClientThatAsks() async throws {
        let world = try await APIWorld.make()
        try await world.test { client in
            let plain = try await client.call(.get, "/v1/catalogos/municipios?entidad=07")
            #expect(plain.status == 200 && plain.headers[.contentEncoding] == nil && plain.headers[.vary]?.contains("Accept-Encoding") == true, "\(plain.headers)")
            let packed = try await client.call(.get, "/v1/catalogos/municipios?entidad=07", headers: ["Accept-Encoding": "br;q=1, gzip;q=0.8"])
            #expect(packed.status == 200 && packed.headers[.contentEncoding] == "gzip", "\(packed.headers)")
            var buffer = ByteBuffer(bytes: packed.bytes)
            let unpacked = try buffer.decompress(with: .gzip)
            #expect(Array(buffer: unpacked) == plain.bytes)
            #expect(packed.bytes.count * 3 < plain.bytes.count, "\(packed.bytes.count) de \(plain.bytes.count) bytes")
            let plainTag = try #require(plain.headers[.eTag]), packedTag = try #require(packed.headers[.eTag])
            #expect(plainTag != packedTag && packedTag.hasSuffix("-gzip\""), "\(plainTag) \(packedTag)")
            for tag in [plainTag, packedTag] {
                let again = try await client.call(.get, "/v1/catalogos/municipios?entidad=07", headers: ["If-None-Match": tag, "Accept-Encoding": "gzip"])
                #expect(again.status == 304 && again.bytes.isEmpty, "\(tag): \(again.status)")
            }
            // Refused outright, or too small to be worth it: sent as is.
            #expect(try await client.call(.get, "/v1/catalogos", headers: ["Accept-Encoding": "gzip;q=0"]).headers[.contentEncoding] == nil)
            #expect(try await client.call(.get, "/health", headers: ["Accept-Encoding": "gzip"]).headers[.contentEncoding] == nil)
        }
    }
}
