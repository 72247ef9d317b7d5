import Triage

extension Configuration {
    /// The model settings the analyser uses: configured prices first, then the built-in table.
    public var analysisSettings: AnalysisSettings {
        var settings = AnalysisSettings()
        let bedrock = analysis.bedrock
        settings.enabled = bedrock.enabled
        settings.modelId = bedrock.modelId
        settings.api = bedrock.api == .invoke ? .invoke : .converse
        settings.maxOutputTokens = bedrock.maxOutputTokens
        settings.temperature = bedrock.temperature
        settings.timeout = bedrock.timeout
        settings.dailyBudgetUSD = bedrock.dailyBudgetUSD
        let configured = bedrock.prices.sorted { $0.key.count > $1.key.count }.map {
            (match: $0.key, input: $0.value.inputPer1K, output: $0.value.outputPer1K)
        }
        settings.prices = configured + AnalysisSettings.defaultPrices
        return settings
    }
}
