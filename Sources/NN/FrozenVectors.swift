/// Pretrained vectors of words outside the trainable vocabulary: the words of a vectors file
/// (`embedder.glove`) that a run meets only in dev, test or prediction input. They live outside
/// the parameter arena, held once however many splits share them, so they take no gradient, no
/// optimizer state and no allreduce, and stay the file's values. A batch copies the rows of
/// its words (`TaggingBatch.frozenVectors`), where `Embedding` reads them.
public struct FrozenVectors: Sendable {
    public let dimension: Int
    /// By lower-cased word, each of `dimension` values.
    private let vectors: [String: [Float]]

    public var count: Int { vectors.count }

    public init(dimension: Int, vectors: [String: [Float]]) {
        precondition(vectors.values.allSatisfy { $0.count == dimension }, "FrozenVectors: every vector must have \(dimension) values")
        self.dimension = dimension
        self.vectors = vectors
    }

    /// The vector of `word`, lower-cased first as the vocabularies look words up.
    public func vector(of word: String) -> [Float]? { vectors[word.lowercased()] }
}
