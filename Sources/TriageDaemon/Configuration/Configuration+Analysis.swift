import AWSServices
import Triage

extension Configuration {
    /// The model settings the analyser uses: configured prices first, then the built-in table.
    public var analysisSettings: AnalysisSettings {
        var settings = AnalysisSettings()
        let bedrock = analysis.bedrock
        settings.enabled = bedrock.enabled
        settings.modelId = bedrock.modelId
        settings.fallbackModelId = bedrock.fallbackModelId
        settings.api = bedrock.api == .invoke ? .invoke : .converse
        settings.maxOutputTokens = bedrock.maxOutputTokens
        settings.temperature = bedrock.temperature
        settings.timeout = bedrock.timeout
        settings.dailyBudgetUSD = bedrock.dailyBudgetUSD
        // Longest match first; configured per 1,000 tokens, the catalogue's unit is per million.
        settings.prices = bedrock.prices.sorted { $0.key.count > $1.key.count }.map {
            let price = $0.value
            return (
                match: $0.key,
                price: BedrockModelCatalogue.Price(
                    input: price.inputPer1K * 1000, output: price.outputPer1K * 1000,
                    cacheRead: price.cacheReadPer1K.map { $0 * 1000 },
                    cacheWrite: price.cacheWritePer1K.map { $0 * 1000 },
                    source: "analysis.bedrock.prices")
            )
        }
        return settings
    }
}
