/// A content error found by a column decoder that knows the 0-based line of the offending cell
/// but not the file; the reader that owns the `TextFile` turns it into a `CorpusError`.
struct LineFailure: Error {
    var line: Int
    var message: String
}

extension TextFile {
    func error(_ failure: LineFailure) -> CorpusError {
        error(atIndex: failure.line, failure.message)
    }
}
