/// A problem with user-supplied corpus data, located as precisely as the reader can:
/// `path:line: message` (1-based line) like a compiler diagnostic, or `path: message` when the
/// problem concerns the whole file (missing, unreadable, empty). Readers never trap on bad input.
public struct CorpusError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The path as the caller gave it, so the message points at the file the user named.
    public var path: String
    /// 1-based line number, when the problem sits on one line.
    public var line: Int?
    public var message: String

    public init(path: String, line: Int? = nil, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "\(path):\(line): \(message)" }
        return "\(path): \(message)"
    }
}
