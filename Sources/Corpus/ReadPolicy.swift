/// What a reader does with a bad record (a unit of a corpus file that fails to parse: which
/// unit is each reader's choice, named in its doc comment).
///
/// Whole-file problems are errors under either policy: a missing or unreadable path, a
/// directory where a file is expected, a file that holds only whitespace, and a file in which no
/// record is usable — lenient reading of a file in the wrong format would otherwise yield
/// nothing. A line that is not valid UTF-8 or holds a character no stored string may hold
/// (`StoredText`) makes only its record bad.
public enum ReadPolicy: String, Sendable, CaseIterable {
    /// Throw the first bad record's `CorpusError` (the default everywhere).
    case strict
    /// Leave bad records out and report them in `SkippedRecords`.
    case lenient

    /// Strict: throws `reason`. Lenient: counts it in `skipped`, and the caller drops the record.
    func reject(_ reason: CorpusError, into skipped: inout SkippedRecords) throws(CorpusError) {
        switch self {
        case .strict: throw reason
        case .lenient: skipped.add(reason)
        }
    }

    /// `records`, unless there are none: `emptyMessage` when the file held none at all, or a
    /// whole-file error naming the first reason when every record was skipped.
    func usable<Record>(_ records: [Record], skipped: SkippedRecords, path: String,
                        emptyMessage: String) throws(CorpusError) -> [Record] {
        guard records.isEmpty else { return records }
        guard let first = skipped.firstReasons.first else { throw CorpusError(path: path, message: emptyMessage) }
        throw CorpusError(path: path, message: "no usable records: all \(skipped.count) are bad; first: \(first)")
    }
}
