import Tensor
import NN

/// The shared word representation g_e = [contextual mix | char CNN | word embedding] (the
/// reference's alphabetical order of its embedders: elmo, token_characters, tokens). Every
/// task runs it first. The contextual part is present only when configured: precomputed
/// biLM layers (`TaggingBatch.contextual`) combined by a learned `ScalarMix`.
public struct Embedder: Sendable {
    /// Precomputed contextual features: `layers` layers of `dimension` values per token (ELMo
    /// original: 3 × 1024), with dropout on the mix (the reference's ELMo dropout is 0).
    public struct ContextualSettings: Sendable, Equatable {
        public var layers: Int
        public var dimension: Int
        public var dropout: Float
        public init(layers: Int = 3, dimension: Int = 1024, dropout: Float = 0) {
            self.layers = layers
            self.dimension = dimension
            self.dropout = dropout
        }
    }

    public struct Settings: Sendable, Equatable {
        public var wordDimension = 50
        public var charDimension = 16
        public var charFilters = 64
        public var charDropout: Float = 0.1
        public var contextual: ContextualSettings?
        public init() {}
    }

    public let words: Embedding
    public let chars: CharCNN
    public let wordDimension: Int
    public let contextual: ScalarMix?
    public let contextualDimension: Int
    public let contextualDropout: Dropout
    public var outputSize: Int { contextualDimension + chars.outputSize + wordDimension }
    /// The tables indexed by a vocabulary (rows: words, characters), with that vocabulary's name
    /// in `Vocabularies.namespaces`: a run that extends a vocabulary keeps their first rows.
    public var vocabularyTables: [(namespace: String, table: Parameter)] { [("characters", chars.embedding), ("words", words.table)] }

    public init(settings: Settings, vocabularies: Vocabularies, layout: inout ParameterLayout) {
        chars = CharCNN(name: "embedder/chars", alphabetSize: vocabularies.characters.count,
                        embeddingSize: settings.charDimension, filters: settings.charFilters,
                        width: 3, dropout: settings.charDropout, layout: &layout)
        words = Embedding(name: "embedder/words", vocabularySize: vocabularies.words.count,
                          dimension: settings.wordDimension, layout: &layout)
        wordDimension = settings.wordDimension
        contextual = settings.contextual.map { ScalarMix(name: "embedder/contextual", layers: $0.layers, layout: &layout) }
        contextualDimension = settings.contextual?.dimension ?? 0
        contextualDropout = Dropout(rate: settings.contextual?.dropout ?? 0)
    }

    /// The scalar mix starts at w = 0, γ = 1 and draws nothing, so adding it leaves every other
    /// initial value unchanged.
    public func initialize(_ arena: ParameterArena, rng: inout RNG, pretrained: PretrainedVectors?) {
        chars.initialize(arena, rng: &rng)
        words.initialize(arena, rng: &rng, pretrained: pretrained)
        contextual?.initialize(arena)
    }

    public struct Cache {
        var chars: CharCNNCache
        var wordIDs: [Int32]
        var contextual: (ScalarMixCache, Dropout.Mask)?
    }

    /// Returns g_e as [B, T, outputSize]. Dropout masks: the char CNN's first, then the mix's,
    /// both from each sequence's own generator.
    public func forward(_ batch: TaggingBatch, arena: ParameterArena, training: Bool, rngs: inout [RNG]) -> (Tensor, Cache) {
        let (c, charCache) = chars.forward(
            chars: batch.charIDs, sequences: batch.count, tokensPerSequence: batch.maxLength,
            charsPerToken: batch.charsPerToken, lengths: batch.lengths,
            arena: arena, training: training, rngs: &rngs)
        let w = words.forward(ids: batch.wordIDs, frozen: batch.frozenVectors, arena: arena)
        var out = Concatenation.columns(c, w)
        var cache = Cache(chars: charCache, wordIDs: batch.wordIDs)
        if let mix = contextual {
            guard let features = batch.contextual else { preconditionFailure("Embedder: the model mixes contextual features; the batch has none") }
            precondition(features.shape == [mix.layers, batch.count, batch.maxLength, contextualDimension],
                         "Embedder: contextual features \(features.shape), expected [\(mix.layers), \(batch.count), \(batch.maxLength), \(contextualDimension)]")
            let (mixed, mixCache) = mix.forward(features, arena: arena)
            let (dropped, mask) = contextualDropout.forward(mixed, lengths: batch.lengths, training: training, rngs: &rngs)
            out = Concatenation.columns(dropped, out)
            cache.contextual = (mixCache, mask)
        }
        return (out.reshaped([batch.count, batch.maxLength, outputSize]), cache)
    }

    /// Accumulates the gradients of the mix, the word table and the char CNN, in that order —
    /// the reverse of their layout, so that `finished` can report each as it is done.
    public func backward(_ cache: Cache, dOut: Tensor, arena: ParameterArena, finished: GradientsFinished = { _ in }) {
        var dOwn = dOut
        if let mix = contextual, let (mixCache, mask) = cache.contextual {
            let (dMixed, rest) = Concatenation.splitColumns(dOut, at: contextualDimension)
            mix.backward(mixCache, dOut: contextualDropout.backward(dMixed, mask: mask), arena: arena)
            finished(mix.scalars.offset)
            dOwn = rest
        }
        let (dc, dw) = Concatenation.splitColumns(dOwn, at: chars.outputSize)
        words.backward(ids: cache.wordIDs, dOut: dw, arena: arena)
        finished(words.table.offset)
        chars.backward(cache.chars, dOut: dc, arena: arena)
        finished(chars.embedding.offset)
    }
}
