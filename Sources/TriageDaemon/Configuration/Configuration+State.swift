import Foundation

extension Configuration {
    /// The state directory: `state.dir`, else `$STATE_DIRECTORY` (systemd's StateDirectory=, first
    /// entry), else `./state`.
    public func stateDirectory(environment: [String: String]) -> URL {
        if let dir = state.dir, !dir.isEmpty { return URL(fileURLWithPath: dir) }
        if let systemd = environment["STATE_DIRECTORY"]?.split(separator: ":").first, !systemd.isEmpty {
            return URL(fileURLWithPath: String(systemd))
        }
        return URL(fileURLWithPath: "state", relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
    }
}
