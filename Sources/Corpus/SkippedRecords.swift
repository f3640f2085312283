/// What a lenient read left out: how many records, and why the first few were bad.
public struct SkippedRecords: Sendable, Equatable {
    /// Enough to see a pattern without flooding the log when a whole file is off.
    public static let reasonLimit = 5

    public private(set) var count = 0
    /// The first `reasonLimit` reasons, each the error a strict read would have thrown for
    /// its record (so it names the file and line).
    public private(set) var firstReasons: [CorpusError] = []

    public init() {}

    public var isEmpty: Bool { count == 0 }

    public mutating func add(_ reason: CorpusError) {
        count += 1
        if firstReasons.count < Self.reasonLimit { firstReasons.append(reason) }
    }

    /// Appends `other`'s records after this one's (reads of several files of one source).
    public mutating func merge(_ other: SkippedRecords) {
        for reason in other.firstReasons { add(reason) }
        count += other.count - other.firstReasons.count
    }

    /// One log line: `skipped 3 bad records in data/train.conll; first: a; b; c`.
    public func summary(source: String) -> String {
        let noun = count == 1 ? "record" : "records"
        return "skipped \(count) bad \(noun) in \(source); first: " + firstReasons.map(\.description).joined(separator: "; ")
    }
}
