import Corpus
import NN
import Random
import Tensor

/// A padded batch of token sequences with the gold of its task, as every level consumes it:
/// sentences for NER, EMD and RE; one whole document as a single sequence for coreference
/// (the reference's coref reader gives the encoder all the document's tokens at once).
///
/// Layout is batch-major: `wordIDs` is [B, T], `charIDs` is [B, T, C] with C ≥ 3 (the char
/// CNN's width; the reference crashes on shorter batches), id 0 = padding everywhere. A word
/// outside the training vocabulary that has a frozen pretrained vector gets an id past the
/// vocabulary, naming a row of `frozenVectors`; any other unseen word the unknown id.
public struct TaggingBatch: Sendable {
    /// Global example ids (index in the task's training set); they seed per-sequence dropout.
    public var exampleIDs: [Int]
    public var lengths: [Int]
    public var maxLength: Int
    public var charsPerToken: Int
    public var wordIDs: [Int32]
    /// [rows, word dimension]: the frozen vectors of the batch's words outside the training
    /// vocabulary, in order of first occurrence; word id V + r (V the vocabulary size) is row r.
    public var frozenVectors: [Float] = []
    public var charIDs: [Int32]
    /// Gold tag indices per sentence (NER, EMD; empty when unlabeled).
    public var tags: [[Int]]
    /// Gold relation cells per sentence (RE).
    public var relations: [[RelationPair]] = []
    /// Gold clusters and sentence boundaries of the one document (coreference).
    public var coreference: CoreferenceDocument?
    /// Precomputed contextual features [layers, B, T, dim] (zero at padding) when the model
    /// mixes them into g_e; see `ContextualFeatures.batch`.
    public var contextual: Tensor?

    public var count: Int { lengths.count }
    public var tokenCount: Int { lengths.reduce(0, +) }

    /// `frozen`: the pretrained vectors of words outside the vocabulary, when the model has them.
    public init(sentences: [[String]], exampleIDs: [Int], tags: [[Int]] = [], vocabulary: Vocabularies, frozen: FrozenVectors?) {
        precondition(sentences.count == exampleIDs.count, "TaggingBatch: one example id per sentence")
        precondition(sentences.allSatisfy { !$0.isEmpty }, "TaggingBatch: empty sentence")
        self.exampleIDs = exampleIDs
        self.tags = tags
        lengths = sentences.map(\.count)
        maxLength = lengths.max() ?? 0
        charsPerToken = max(3, sentences.lazy.flatMap { $0 }.map(\.count).max() ?? 0)
        let b = sentences.count, t = maxLength, c = charsPerToken
        wordIDs = [Int32](repeating: 0, count: b * t)
        charIDs = [Int32](repeating: 0, count: b * t * c)
        var frozenRows: [String: Int32] = [:]
        for (s, sentence) in sentences.enumerated() {
            for (i, token) in sentence.enumerated() {
                var id = Int32(vocabulary.words.index(of: token) ?? Vocabulary.unknownIndex)
                if id == Vocabulary.unknownIndex, let vector = frozen?.vector(of: token) {
                    let word = token.lowercased()
                    if let row = frozenRows[word] {
                        id = row
                    } else {
                        id = Int32(vocabulary.words.count + frozenRows.count)
                        frozenRows[word] = id
                        frozenVectors += vector
                    }
                }
                wordIDs[s * t + i] = id
                for (j, ch) in token.enumerated() {
                    charIDs[(s * t + i) * c + j] = Int32(vocabulary.characters.index(of: String(ch)) ?? Vocabulary.unknownIndex)
                }
            }
        }
    }
}

/// The vocabularies every rank must share (their fingerprints enter the start-up agreement).
public struct Vocabularies: Sendable, Equatable {
    public var words: Vocabulary
    public var characters: Vocabulary
    /// BILOU tag set per tagging task, "O" first.
    public var tags: [Task: Vocabulary]
    /// Relation type labels (RE), sorted; `RelationPair.r` indexes them.
    public var relations: Vocabulary?

    public init(words: Vocabulary, characters: Vocabulary, tags: [Task: Vocabulary], relations: Vocabulary? = nil) {
        self.words = words
        self.characters = characters
        self.tags = tags
        self.relations = relations
    }

    public var relationTypes: [String] { relations?.entries ?? [] }
}

extension Vocabularies {
    /// One stable hash over every vocabulary, for the start-up agreement check.
    public var fingerprint: UInt64 {
        let parts = [words.fingerprint, characters.fingerprint] + tags.keys.sorted().flatMap { [$0.seedID, tags[$0]!.fingerprint] }
            + (relations.map { [$0.fingerprint] } ?? [])
        return FNV1a.combine(parts)
    }
}
