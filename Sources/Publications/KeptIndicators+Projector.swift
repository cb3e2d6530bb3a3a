import Indicators
import Projections

extension KeptIndicators {
    /// Kept figures keyed by the scripts of the projections the fichas read (`hechos`, `expedientes`):
    /// a new version of either never reads what the old one computed.
    public init(projector: Projector) {
        self.init(projectionsFingerprint: projector.projections.filter { ["hechos", "expedientes"].contains($0.name) }
            .sorted { $0.name < $1.name }.map(\.fingerprint).joined(separator: "\n"))
    }
}
