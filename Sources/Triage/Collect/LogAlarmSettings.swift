extension CollectSettings {
    /// The settings for one incident. A log alarm (or a composite whose triggering child is one)
    /// says which logs it counted: its log groups replace the configured and discovered ones, and its
    /// query's `like` terms replace the filter pattern when they can be written as one.
    public func forAlarm(_ alarm: AlarmEvent) -> CollectSettings {
        guard let query = alarm.logQuery else { return self }
        var settings = self
        if !query.logGroupNames.isEmpty { settings.logGroups = query.logGroupNames }
        if let pattern = query.filterPattern { settings.filterPattern = pattern }
        return settings
    }
}
