import Definitions
import TestDatabase
import Testing

/// `EventType` and `events/definitions` name the same event types, both ways: the code cannot
/// decide on a type no definition declares, and no definition lacks its compiler-checked name.
@Suite struct EventTypeTests {
    @Test func everyCaseIsDeclaredByADefinition() {
        #expect(repositoryDefinitions.missingEventTypes() == [])
    }

    @Test func everyDefinitionHasACase() {
        let declared = Set(repositoryDefinitions.all.map(\.eventType))
        let named = Set(EventType.allCases.map(\.rawValue))
        #expect(declared.subtracting(named).sorted() == [])
    }
}
