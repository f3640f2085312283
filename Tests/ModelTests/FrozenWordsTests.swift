import Corpus
import Model
import NN
import Tensor
import XCTest

/// Words outside the training vocabulary with a pretrained vector: their ids in a batch, and
/// their place in g_e.
final class FrozenWordsTests: XCTestCase {
    /// Vocabulary: padding, unknown, "the", "cat" (V = 4); frozen 2-d vectors of "dog", "emu"
    /// and "cat" (a vocabulary word: its trainable row wins).
    private let vocabularies = Vocabularies(
        words: Vocabulary(kind: .words, entries: [Vocabulary.padding, Vocabulary.unknown, "the", "cat"])!,
        characters: .characters(from: [Document(id: "d", sentences: [Sentence(tokens: ["TheDogzebraemucat"])])]), tags: [:])
    private let frozen = FrozenVectors(dimension: 2, vectors: ["dog": [0.5, -1], "emu": [2, 3], "cat": [9, 9]])
    private let sentences = [["The", "Dog", "zebra"], ["dog", "emu", "cat", "EMU"]]

    func testWordsOutsideTheVocabularyGetFrozenRowsInOrderOfFirstOccurrence() {
        let batch = TaggingBatch(sentences: sentences, exampleIDs: [0, 1], vocabulary: vocabularies, frozen: frozen)
        XCTAssertEqual(batch.wordIDs, [2, 4, 1, 0,
                                       4, 5, 3, 5], "Dog and dog share row V; zebra (no vector) is unknown; cat keeps its id")
        XCTAssertEqual(batch.frozenVectors, [0.5, -1, 2, 3])

        let plain = TaggingBatch(sentences: sentences, exampleIDs: [0, 1], vocabulary: vocabularies, frozen: nil)
        XCTAssertEqual(plain.wordIDs, [2, 1, 1, 0, 1, 1, 3, 1], "without frozen vectors every unseen word is unknown")
        XCTAssertEqual(plain.frozenVectors, [])
    }

    /// The word columns of g_e (its last ones) hold the frozen vector exactly; the trainable
    /// rows' words their row.
    func testGeCarriesTheFrozenVectors() {
        var settings = Embedder.Settings()
        settings.wordDimension = 2
        settings.charDimension = 2
        settings.charFilters = 3
        var layout = ParameterLayout()
        let embedder = Embedder(settings: settings, vocabularies: vocabularies, layout: &layout)
        let arena = ParameterArena(layout: layout)
        var rng = RNG(seed: 4)
        embedder.initialize(arena, rng: &rng, pretrained: nil)
        let batch = TaggingBatch(sentences: sentences, exampleIDs: [0, 1], vocabulary: vocabularies, frozen: frozen)
        var rngs = [RNG]()
        let (ge, _) = embedder.forward(batch, arena: arena, training: false, rngs: &rngs)
        XCTAssertEqual(ge.shape, [2, 4, embedder.outputSize])
        func words(_ b: Int, _ t: Int) -> [Float] {
            let end = (b * 4 + t + 1) * embedder.outputSize
            return Array(ge.data[(end - 2)..<end])
        }
        let table = embedder.words.table
        XCTAssertEqual(words(0, 1), [0.5, -1])
        XCTAssertEqual(words(1, 0), [0.5, -1])
        XCTAssertEqual(words(1, 3), [2, 3])
        XCTAssertEqual(words(1, 2), Array(arena.values[(table.offset + 3 * 2)..<(table.offset + 4 * 2)]), "cat: its trainable row")
        XCTAssertEqual(words(0, 2), Array(arena.values[(table.offset + 2)..<(table.offset + 4)]), "zebra: the unknown row")
    }
}
