/// The documents of a read under a `ReadPolicy`, and what it skipped (always empty when strict).
public struct CorpusRead: Sendable {
    public var documents: [Document]
    public var skipped: SkippedRecords

    public init(documents: [Document], skipped: SkippedRecords = SkippedRecords()) {
        self.documents = documents
        self.skipped = skipped
    }
}
