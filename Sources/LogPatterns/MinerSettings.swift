/// The one configuration of the template miner, used for every log source (no per-source tuning).
public struct MinerSettings: Sendable, Equatable {
    /// A line joins a cluster when this share of its tokens match the cluster's template.
    public var similarityThreshold: Double
    /// How many leading tokens route a line (fewer for shorter lines, so their last token counts too).
    public var routingTokens: Int
    /// Distinct children a routing node keeps before further tokens share its wildcard child.
    public var maxChildren: Int
    /// Clusters kept at most; the least recently used one is evicted beyond this.
    public var maxClusters: Int
    /// A position where lines differ only by plain words becomes a variable once this many distinct
    /// words were seen there; until then each word keeps its own pattern (`state Active` and
    /// `state Inactive` are different events, `user alice` … `user dave` are one).
    public var variableMinValues: Int
    /// Clusters of the same length searched when a line's own route has no match.
    public var wideSearchLimit: Int

    public init(
        similarityThreshold: Double = 0.5, routingTokens: Int = 2, maxChildren: Int = 100, maxClusters: Int = 5000,
        variableMinValues: Int = 4, wideSearchLimit: Int = 256
    ) {
        self.similarityThreshold = similarityThreshold
        self.routingTokens = max(1, min(routingTokens, 3))
        self.maxChildren = maxChildren
        self.maxClusters = max(1, maxClusters)
        self.variableMinValues = max(2, variableMinValues)
        self.wideSearchLimit = max(0, wideSearchLimit)
    }
}
