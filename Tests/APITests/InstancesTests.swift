import API
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// Issue 20, several instances behind a proxy: the rate limits are one budget whichever instance
/// answers, and a forwarded address is believed only from a configured proxy.
@Suite struct InstancesTests {
    @Test func anAccountsLimitIsSharedByTwoInstances() async throws {
        var configuration = APIServer.Configuration()
        // A burst of 4 and one request per 100 s: nothing refills while the test runs.
        configuration.perAccount = (0.01, 4)
        let world = try await APIWorld.make(configuration: configuration)
        try await world.account("cap.a", "FGE-07", [.capturista])
        try await world.catchUp()
        // A second server on the same database: its own limiter objects, as another process would have.
        let other = APIServer(services: world.services, configuration: configuration)
        let statuses: [Int] = try await world.test { first in
            let token = try await first.login("cap.a")
            return try await other.application(host: "127.0.0.1", port: 0, logger: Logger(label: "pruebas")).test(.router) { raw in
                let second = Client(client: raw)
                var statuses: [Int] = []
                for index in 0..<6 { statuses.append(try await (index.isMultiple(of: 2) ? first : second).call(.get, "/v1/expedientes", token: token).status) }
                return statuses
            }
        }
        #expect(statuses == [200, 200, 200, 200, 429, 429], "\(statuses)")
    }

    @Test func aSpoofedForwardedAddressFromAPeerThatIsNoProxyIsIgnored() async throws {
        var configuration = APIServer.Configuration()
        configuration.perAddress = (0.01, 2)
        let world = try await APIWorld.make(configuration: configuration)
        let statuses: [Int] = try await world.test(live: true) { client in
            var statuses: [Int] = []
            for index in 0..<3 {
                statuses.append(try await client.call(.get, "/openapi.json", headers: ["X-Forwarded-For": "203.0.113.\(index + 1)"]).status)
            }
            statuses.append(try await client.call(.get, "/openapi.json", headers: ["Forwarded": "for=198.51.100.7"]).status)
            return statuses
        }
        // Every request counted against the real peer (127.0.0.1), whatever the headers claimed.
        #expect(statuses == [200, 200, 429, 429], "\(statuses)")
    }

    @Test func theConfiguredProxysForwardedAddressIsTheClient() async throws {
        var configuration = APIServer.Configuration()
        configuration.perAddress = (0.01, 2)
        configuration.trustedProxies = TrustedProxies(["127.0.0.1", "::1"])
        let world = try await APIWorld.make(configuration: configuration)
        let statuses: [Int] = try await world.test(live: true) { client in
            var statuses: [Int] = []
            // Three clients, one request each: none is limited.
            for index in 0..<3 { statuses.append(try await client.call(.get, "/openapi.json", headers: ["X-Forwarded-For": "203.0.113.\(index + 1)"]).status) }
            // One client, three requests: its own limit, whatever it writes to the left of the proxy's entry.
            for index in 0..<3 {
                statuses.append(try await client.call(.get, "/openapi.json", headers: ["X-Forwarded-For": "10.9.9.\(index), 198.51.100.7"]).status)
            }
            return statuses
        }
        #expect(statuses == [200, 200, 200, 200, 200, 429], "\(statuses)")
    }

    @Test func theForwardedChainIsReadFromTheRight() {
        let proxies = TrustedProxies(list: "10.0.0.1, 10.0.0.2")
        #expect(proxies.client(peer: "10.0.0.1", headers: [HTTPField.Name("X-Forwarded-For")!: "6.6.6.6, 192.0.2.9, 10.0.0.2"]) == "192.0.2.9")
        #expect(proxies.client(peer: "192.0.2.50", headers: [HTTPField.Name("X-Forwarded-For")!: "192.0.2.9"]) == "192.0.2.50")
        #expect(proxies.client(peer: "10.0.0.1", headers: [HTTPField.Name("Forwarded")!: "for=192.0.2.60;proto=https, for=\"[2001:db8::1]:4711\""])
            == "2001:db8::1")
        #expect(proxies.client(peer: "10.0.0.1", headers: [HTTPField.Name("X-Forwarded-For")!: "no-es-una-direccion"]) == "10.0.0.1")
        #expect(proxies.client(peer: "10.0.0.1", headers: [:]) == "10.0.0.1")
    }

    @Test func behindTLSEveryAnswerCarriesHSTS() async throws {
        var configuration = APIServer.Configuration()
        configuration.strictTransportSecurity = true
        let world = try await APIWorld.make(configuration: configuration)
        let plain = try await APIWorld.make()
        try await world.test { (client: Client) async throws in
            #expect(try await client.call(.get, "/health").headers[HTTPField.Name("Strict-Transport-Security")!]?.hasPrefix("max-age=") == true)
            #expect(try await client.call(.get, "/no-existe").headers[HTTPField.Name("Strict-Transport-Security")!] != nil)
        }
        try await plain.test { (client: Client) async throws in #expect(try await client.call(.get, "/health").headers[HTTPField.Name("Strict-Transport-Security")!] == nil) }
    }
}
