import Definitions
import Foundation

/// The repository's own event definitions and catalogues, loaded once per test process.
public let repositoryDefinitions: DefinitionSet = {
    do {
        return try DefinitionSet.load(eventsDirectory: TestDatabase.repositoryRoot.appendingPathComponent("events"))
    } catch {
        fatalError("las definiciones del repositorio no cargan: \(error)")
    }
}()
