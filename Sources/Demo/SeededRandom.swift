/// A small deterministic generator (SplitMix64) whose every derived draw is computed here, not by
/// the standard library (whose `random(in:using:)` algorithms may change between releases): the
/// same seed gives the same demo on every machine and Swift version.
public struct SeededRandom {
    private var state: UInt64

    public init(seed: UInt64, stream: UInt64 = 0) {
        state = seed &* 0x9E37_79B9_7F4A_7C15 &+ stream &* 0xD1B5_4A32_D192_ED03 &+ 0x2545_F491_4F6C_DD1D
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1), from the top 53 bits.
    public mutating func unit() -> Double { Double(next() >> 11) / 9_007_199_254_740_992 }

    /// Uniform in `range` (the modulo bias over 64 bits is far below anything a demo can show).
    public mutating func int(_ range: ClosedRange<Int>) -> Int {
        let width = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int(next() % width)
    }

    mutating func chance(_ probability: Double) -> Bool { unit() < probability }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    /// One of `options`, each with its weight (the shares of the Chiapas diagnosis, seed 004).
    mutating func weighted<T>(_ options: [(T, Double)]) -> T {
        let total = options.map(\.1).reduce(0, +)
        var point = unit() * total
        for (value, weight) in options {
            if point < weight { return value }
            point -= weight
        }
        return options[options.count - 1].0
    }

    /// Up to `count` distinct items.
    mutating func some<T: Equatable>(_ items: [T], count: Int) -> [T] {
        var result: [T] = []
        while result.count < min(count, items.count) {
            let item = pick(items)
            if !result.contains(item) { result.append(item) }
        }
        return result
    }
}
