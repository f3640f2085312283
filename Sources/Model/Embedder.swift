import Tensor
import NN

/// The shared word representation g_e = [char CNN | word embedding] (the reference's
/// alphabetical order: token_characters before tokens). Every task runs it first.
public struct Embedder: Sendable {
    public struct Settings: Sendable, Equatable {
        public var wordDimension = 50
        public var charDimension = 16
        public var charFilters = 64
        public var charDropout: Float = 0.1
        public init() {}
    }

    public let words: Embedding
    public let chars: CharCNN
    public let wordDimension: Int
    public var outputSize: Int { chars.outputSize + wordDimension }

    public init(settings: Settings, vocabularies: Vocabularies, layout: inout ParameterLayout) {
        chars = CharCNN(name: "embedder/chars", alphabetSize: vocabularies.characters.count,
                        embeddingSize: settings.charDimension, filters: settings.charFilters,
                        width: 3, dropout: settings.charDropout, layout: &layout)
        words = Embedding(name: "embedder/words", vocabularySize: vocabularies.words.count,
                          dimension: settings.wordDimension, layout: &layout)
        wordDimension = settings.wordDimension
    }

    public func initialize(_ arena: ParameterArena, rng: inout RNG, pretrained: PretrainedVectors?) {
        chars.initialize(arena, rng: &rng)
        words.initialize(arena, rng: &rng, pretrained: pretrained)
    }

    public struct Cache {
        var chars: CharCNNCache
        var wordIDs: [Int32]
    }

    /// Returns g_e as [B, T, outputSize].
    public func forward(_ batch: TaggingBatch, arena: ParameterArena, training: Bool, rngs: inout [RNG]) -> (Tensor, Cache) {
        let (c, charCache) = chars.forward(
            chars: batch.charIDs, sequences: batch.count, tokensPerSequence: batch.maxLength,
            charsPerToken: batch.charsPerToken, lengths: batch.lengths,
            arena: arena, training: training, rngs: &rngs)
        let w = words.forward(ids: batch.wordIDs, arena: arena)
        let out = Concatenation.columns(c, w).reshaped([batch.count, batch.maxLength, outputSize])
        return (out, Cache(chars: charCache, wordIDs: batch.wordIDs))
    }

    public func backward(_ cache: Cache, dOut: Tensor, arena: ParameterArena) {
        let (dc, dw) = Concatenation.splitColumns(dOut, at: chars.outputSize)
        chars.backward(cache.chars, dOut: dc, arena: arena)
        words.backward(ids: cache.wordIDs, dOut: dw, arena: arena)
    }
}
