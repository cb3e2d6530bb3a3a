import Testing

extension Trait where Self == ConditionTrait {
    /// For suites that talk to PostgreSQL: they run under `ops/test` (which starts a throwaway
    /// cluster) and are skipped, with this one line each, by a plain `swift test`.
    public static var needsDatabase: Self {
        .enabled(if: TestDatabase.isAvailable, "necesita PostgreSQL: ejecute ops/test, que arranca un clúster desechable")
    }
}
