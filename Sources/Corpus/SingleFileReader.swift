/// A reader of one corpus file: it parses a `TextFile` under a `ReadPolicy`, and gets the
/// public entry points — from a path or from text in memory, strict or with a policy — here.
public protocol SingleFileReader {
    func read(_ file: TextFile, policy: ReadPolicy) throws -> CorpusRead
}

extension SingleFileReader {
    public func read(path: String) throws -> [Document] {
        try read(path: path, policy: .strict).documents
    }

    public func read(path: String, policy: ReadPolicy) throws -> CorpusRead {
        try read(TextFile(path: path, undecodable: .keep), policy: policy)
    }

    /// Parses content already in memory; `path` names it in errors (and in document ids).
    public func read(text: String, path: String) throws -> [Document] {
        try read(text: text, path: path, policy: .strict).documents
    }

    public func read(text: String, path: String, policy: ReadPolicy) throws -> CorpusRead {
        try read(TextFile(path: path, text: text), policy: policy)
    }
}
