import CanonicalJSON
import Cryptography
@testable import EventLog
import Postgres
import Testing

@Suite struct EventHashingTests {
    /// The spliced canonical form must be byte for byte the RFC 8785 form of the content object.
    @Test(arguments: [
        (#"{"z":[1,2.50,{"b":null,"a":"ñ"}],"a":"\u00e9\n"}"#, #"{"userId":"u-1","institutionId":"FGR","client":"x"}"#),
        ("{}", #"{"userId":"\"comillas\"","institutionId":"i"}"#),
    ])
    func splicedDigestEqualsCanonicalSerialisation(payload: String, metadata: String) throws {
        let payloadValue = try CanonicalJSON.parse(payload)
        let metadataValue = try CanonicalJSON.parse(metadata)
        let occurred = Timestamp(microsecondsSinceUnixEpoch: 1_700_000_000_000_001)
        let spliced = EventHashing.contentDigest(
            streamId: "victima-ä1", streamType: "Victima", eventType: "VictimaRegistrada", schemaVersion: 12,
            canonicalPayload: CanonicalJSON.serialize(payloadValue), canonicalMetadata: CanonicalJSON.serialize(metadataValue),
            occurredAt: occurred)
        let whole = CanonicalJSON.serialize(EventHashing.content(
            streamId: "victima-ä1", streamType: "Victima", eventType: "VictimaRegistrada", schemaVersion: 12,
            payload: payloadValue, metadata: metadataValue, occurredAt: occurred))
        #expect(spliced == SHA256.hash(whole))
    }

    /// A worked example an auditor can reproduce with any RFC 8785 library and sha256sum.
    @Test func documentedExample() {
        let digest = EventHashing.contentDigest(
            streamId: "victima-1", streamType: "Victima", eventType: "VictimaRegistrada", schemaVersion: 1,
            canonicalPayload: Array(#"{"sexo":"M"}"#.utf8), canonicalMetadata: Array(#"{"institutionId":"FGR","userId":"u1"}"#.utf8),
            occurredAt: Timestamp(iso8601: "2024-03-01T10:00:00Z")!)
        let expected = SHA256.hash(Array(#"{"eventType":"VictimaRegistrada","metadata":{"institutionId":"FGR","userId":"u1"},"occurredAt":"2024-03-01T10:00:00.000000Z","payload":{"sexo":"M"},"schemaVersion":1,"streamId":"victima-1","streamType":"Victima"}"#.utf8))
        #expect(digest == expected)
        let hash = EventHashing.chainHash(previous: EventHashing.genesis, position: 1, version: 1,
                                          recordedAt: Timestamp(microsecondsSinceUnixEpoch: 1_700_000_000_000_000), digest: digest)
        var input = EventHashing.genesis
        input += [0, 0, 0, 0, 0, 0, 0, 1] + [0, 0, 0, 0, 0, 0, 0, 1]
        input += withUnsafeBytes(of: Int64(1_700_000_000_000_000).bigEndian) { Array($0) }
        input += digest
        #expect(hash == SHA256.hash(input))
    }
}
