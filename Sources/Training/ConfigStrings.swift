import Corpus

/// Every checkpoint stores the run's config, so its keys and string values must pass the rule
/// every stored string does (`StoredText`); checked when the config is loaded, before any
/// corpus is read or any file written.
enum ConfigStrings {
    /// Throws a `ConfigError` naming the key path and the problem of the first key or string
    /// value, in sorted key order, that may not be stored; its message starts with `source`
    /// (the config file, or `--set`) when one is given.
    static func check(_ value: Any, source: String? = nil, path: String = "") throws {
        func failure(_ path: String, _ problem: String) -> ConfigError {
            ConfigError(path: path, message: source.map { "\($0): \(problem)" } ?? problem)
        }
        switch value {
        case let text as String:
            if let problem = StoredText.problem(in: text) { throw failure(path, problem) }
        case let object as [String: Any]:
            for key in object.keys.sorted() {
                // The key path is printed as is, so a bad key is named by its parent and quoted escaped.
                if let problem = StoredText.problem(in: key) { throw failure(path, "the key \(problem)") }
                try check(object[key]!, source: source, path: path.isEmpty ? key : "\(path).\(key)")
            }
        case let array as [Any]:
            for (index, item) in array.enumerated() { try check(item, source: source, path: "\(path)[\(index)]") }
        default:
            break
        }
    }
}
