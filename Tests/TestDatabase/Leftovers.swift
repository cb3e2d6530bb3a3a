import Foundation
import Postgres

/// Test databases are named `t_<pid>_<random>`, after the test process that made them. Swift
/// Testing has no teardown after a suite, so the first database a test run asks for drops every
/// database left by a test process that is gone: `ops/test`'s cluster is removed anyway, and a
/// developer's long-lived cluster no longer fills up (one had collected 3,128, and its autovacuum
/// then took a steady share of a core). Databases of a run still going are never touched.
enum Leftovers {
    static let prefix = "t_\(getpid())_"

    private static let cleanup = Task<Void, Never> { await drop() }

    /// Drops the databases of test processes that are gone.
    static func drop() async {
        guard let admin = try? await PostgresConnection.connect(TestDatabase.clusterAdminURL) else { return }
        let names = (try? await admin.query("SELECT datname FROM pg_database WHERE datname ~ '^t_[0-9a-f_]+$'").map { try $0.decode(String.self, 0) }) ?? []
        for name in names where !isRunning(owner(of: name)) {
            try? await admin.execute(SQLScript("DROP DATABASE IF EXISTS \(SQLIdentifier.quote(name)) WITH (FORCE)", origin: "TestDatabase"))
        }
        await admin.close()
    }

    /// Runs once per test process, before its first database.
    static func dropOnce() async { await cleanup.value }

    /// The process id in `t_<pid>_…`; nil for the older `t_<random>` names, whose process is long gone.
    static func owner(of name: String) -> Int32? {
        let parts = name.split(separator: "_")
        return parts.count == 3 ? Int32(parts[1]) : nil
    }

    static func isRunning(_ pid: Int32?) -> Bool {
        guard let pid else { return false }
        return pid == getpid() || kill(pid, 0) == 0 || errno == EPERM
    }
}

extension TestDatabase {
    /// What the first test of a run does: drops the databases of test processes that are gone.
    public static func dropLeftovers() async { await Leftovers.drop() }
}
