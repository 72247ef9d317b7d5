/// The product version, reported by `triaged version` and sent in `User-Agent`.
public enum TriagedVersion {
    public static let current = "0.1.0"
}
