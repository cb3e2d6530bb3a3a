import Definitions
import Foundation
import TestDatabase
import Testing

@Suite struct DictionaryTests {
    /// The dictionary in events/README.md is generated; if a definition changes, regenerate it with
    /// `sintra definitions dictionary --write`.
    @Test func theReadmeDictionaryIsUpToDate() throws {
        let url = TestDatabase.repositoryRoot.appendingPathComponent("events/README.md")
        let readme = try String(contentsOf: url, encoding: .utf8)
        #expect(readme.contains(DataDictionary.startMarker))
        #expect(DataDictionary.updating(readme: readme, with: repositoryDefinitions) == readme,
                "events/README.md está desactualizado: ejecute `swift run sintra definitions dictionary --write`")
    }

    @Test func theDictionaryListsEveryCurrentEventAndMarksPersonalFields() {
        let markdown = DataDictionary.markdown(repositoryDefinitions)
        for definition in repositoryDefinitions.all { #expect(markdown.contains("`\(definition.eventType)` v\(definition.version)")) }
        #expect(markdown.contains("| `curp` |"))
        #expect(markdown.contains("| **total** | | **189** | **189** |"))
    }
}
