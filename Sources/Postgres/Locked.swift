import Foundation

/// A value behind a lock, for state touched briefly from any thread (the pool's connections, the
/// caches of a server): cheaper than an actor, whose every use may cost a thread switch.
public final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    public init(_ value: Value) { self.value = value }

    public func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
