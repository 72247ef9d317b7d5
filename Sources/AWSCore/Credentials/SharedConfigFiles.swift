import Foundation

/// The shared AWS files: `~/.aws/credentials` (sections `[name]`) and `~/.aws/config` (sections
/// `[default]` and `[profile name]`), with `AWS_SHARED_CREDENTIALS_FILE` / `AWS_CONFIG_FILE`
/// overriding the paths. Indented lines under a key with no value become `key.sub` entries.
public struct SharedConfigFiles: Sendable, Equatable {
    /// Path of the credentials file that was read (or would have been).
    public let credentialsPath: String
    /// Path of the config file that was read (or would have been).
    public let configPath: String
    /// Sections of the credentials file by name.
    public let credentials: [String: [String: String]]
    /// Sections of the config file by their header text (`default`, `profile ops`, `services x`).
    public let config: [String: [String: String]]

    public init(
        credentialsPath: String, configPath: String, credentials: [String: [String: String]],
        config: [String: [String: String]]
    ) {
        self.credentialsPath = credentialsPath
        self.configPath = configPath
        self.credentials = credentials
        self.config = config
    }

    /// Reads both files; a missing file is an empty one, an unreadable one is an error.
    public static func load(environment: [String: String]) throws -> SharedConfigFiles {
        let home = environment["HOME"] ?? NSHomeDirectory()
        func expand(_ path: String) -> String {
            path.hasPrefix("~/") ? home + path.dropFirst(1) : path
        }
        let credentialsPath = expand(environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "~/.aws/credentials")
        let configPath = expand(environment["AWS_CONFIG_FILE"] ?? "~/.aws/config")
        return SharedConfigFiles(
            credentialsPath: credentialsPath, configPath: configPath, credentials: try read(credentialsPath),
            config: try read(configPath))
    }

    /// The credentials-file section of `profile`.
    public func credentialsSection(_ profile: String) -> [String: String]? {
        credentials[profile]
    }

    /// The config-file section of `profile` (`[profile name]`, or `[default]` for the default profile).
    public func configSection(_ profile: String) -> [String: String]? {
        if let section = config["profile \(profile)"] { return section }
        return profile == "default" ? config["default"] : nil
    }

    private static func read(_ path: String) throws -> [String: [String: String]] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CredentialsError.invalid("shared config", "cannot read \(path)")
        }
        return parse(String(decoding: data, as: UTF8.self))
    }

    /// Parses INI text as the AWS CLI writes it.
    public static func parse(_ text: String) -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var current: String?
        var parentKey: String?
        for rawLine in text.components(separatedBy: .newlines) {
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                let name = line.dropFirst().dropLast().split(whereSeparator: \.isWhitespace).joined(separator: " ")
                current = name
                parentKey = nil
                if sections[name] == nil { sections[name] = [:] }
                continue
            }
            guard let section = current, let equals = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<equals]).trimmingWhitespace().lowercased()
            let value = String(line[line.index(after: equals)...]).trimmingWhitespace()
            let indented = rawLine.first == " " || rawLine.first == "\t"
            if indented, let parent = parentKey {
                sections[section]?["\(parent).\(key)"] = value
            } else {
                sections[section]?[key] = value
                parentKey = value.isEmpty ? key : nil
            }
        }
        return sections
    }
}
