import Corpus

/// Every checkpoint stores the run's config, so its keys and string values must pass the rule
/// every stored string does (`StoredText`); checked when the config is parsed, before any
/// corpus is read or any file written.
enum ConfigStrings {
    /// Throws a `ConfigError` naming the key path and the problem of the first key or string
    /// value, in sorted key order, that may not be stored (`RunConfig` then names the file or
    /// the `--set` that gave it).
    static func check(_ value: Any, path: String = "") throws {
        switch value {
        case let text as String:
            if let problem = StoredText.problem(in: text) { throw ConfigError(path: path, message: problem) }
        case let object as [String: Any]:
            for key in object.keys.sorted() {
                // The key path is printed as is, so a bad key is named by its parent and quoted escaped.
                if let problem = StoredText.problem(in: key) { throw ConfigError(path: path, message: "the key \(problem)") }
                try check(object[key]!, path: path.isEmpty ? key : "\(path).\(key)")
            }
        case let array as [Any]:
            for (index, item) in array.enumerated() { try check(item, path: "\(path)[\(index)]") }
        default:
            break
        }
    }
}
