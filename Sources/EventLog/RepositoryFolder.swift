import Foundation

/// Where a folder of the repository (`migrations`, `events`, `projections`) is when nobody named it,
/// so `sintra` works from any directory: the first of `$SINTRA_ROOT/<name>`; a `<name>/` folder in the
/// current directory or above it; one beside or above the running executable (a build inside the
/// repository, run from anywhere); `/usr/share/sintra/<name>` (an installed package). A candidate
/// counts only when it holds `marker`, so an unrelated folder of the same name is passed over.
public enum RepositoryFolder {
    public static func locate(_ name: String, holding marker: String) -> URL? {
        var candidates: [URL] = []
        if let root = ProcessInfo.processInfo.environment["SINTRA_ROOT"], !root.isEmpty {
            candidates.append(URL(fileURLWithPath: root).appendingPathComponent(name))
        }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")).map(URL.init(fileURLWithPath:))
        for start in [URL(fileURLWithPath: FileManager.default.currentDirectoryPath), executable?.deletingLastPathComponent()].compactMap({ $0 }) {
            var directory = start.standardizedFileURL
            while true {
                candidates.append(directory.appendingPathComponent(name))
                if directory.path == "/" { break }
                directory.deleteLastPathComponent()
            }
        }
        candidates.append(URL(fileURLWithPath: "/usr/share/sintra").appendingPathComponent(name))
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent(marker).path) }
    }
}
