/// The Python-literal lists of the multi-head format: `['Work_For', 'N']` and `[3, 17]`.
enum ListSyntax {
    struct Failure: Error { var message: String }

    static func strings(_ text: Substring) throws(Failure) -> [String] {
        try elements(text, kind: "relation label list").map { item throws(Failure) in
            guard item.count >= 3, let quote = item.first, quote == "'" || quote == "\"", item.last == quote else {
                throw Failure(message: "malformed relation label list '\(text)': expected quoted labels like ['Work_For']")
            }
            return String(item.dropFirst().dropLast())
        }
    }

    static func integers(_ text: Substring) throws(Failure) -> [Int] {
        try elements(text, kind: "head list").map { item throws(Failure) in
            guard let value = Int(item), value >= 0 else {
                throw Failure(message: "malformed head list '\(text)': '\(item)' is not a token index")
            }
            return value
        }
    }

    /// The comma-separated items between the brackets, trimmed; at least one.
    private static func elements(_ text: Substring, kind: String) throws(Failure) -> [Substring] {
        let trimmed = text.trimmingWhitespace()
        guard trimmed.first == "[", trimmed.last == "]", trimmed.count >= 2 else {
            throw Failure(message: "malformed \(kind) '\(text)': expected '[...]'")
        }
        let inner = trimmed.dropFirst().dropLast()
        guard !inner.allSatisfy(\.isWhitespace) else {
            throw Failure(message: "empty \(kind) '\(text)': use ['N'] and [own index] for no relation")
        }
        return inner.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
    }
}
