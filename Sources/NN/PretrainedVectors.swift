/// The vectors a word-vector file has for the words of a vocabulary, `vocabulary[i]` being the
/// (lower-cased) word of embedding row i: the initial values of the trainable rows.
public struct PretrainedVectors: Sendable {
    public let dimension: Int
    /// Only the vocabulary words that the file contains.
    public let vectors: [String: [Float]]
    public let vocabulary: [String]

    /// The vector for embedding row `row`, if its word was in the file.
    public func vector(row: Int) -> [Float]? { vectors[vocabulary[row]] }

    /// The vectors `file` has for `vocabulary`. A file sharing no word with the vocabulary is an
    /// error: it is almost surely the wrong file, and the unfound-row initialisation needs the
    /// statistics of at least one vector.
    public init(file: VectorsFile, vocabulary: [String]) throws {
        let vectors = try file.vectors(for: vocabulary)
        guard !vectors.isEmpty else {
            throw VectorsFileError(path: file.path, line: nil, message: "none of the \(vocabulary.count) vocabulary words has a vector in this file")
        }
        self.init(dimension: file.dimension, vectors: vectors, vocabulary: vocabulary)
    }

    public init(dimension: Int, vectors: [String: [Float]], vocabulary: [String]) {
        self.dimension = dimension
        self.vectors = vectors
        self.vocabulary = vocabulary
    }
}
