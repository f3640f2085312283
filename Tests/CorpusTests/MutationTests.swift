import Corpus
import XCTest

/// Valid files of every format after thousands of random edits (`Mutator`): each read must
/// return documents or throw a `CorpusError`. A trap (index out of range, integer overflow,
/// force unwrap) would crash the test process, which is what this test is for.
final class MutationTests: XCTestCase {
    static let conll2003 = """
        -DOCSTART- -X- -X- O

        EU NNP I-NP B-ORG
        rejects VBZ I-VP O
        German JJ I-NP B-MISC
        call NN I-NP O

        Peter NNP I-NP B-PER
        Blackburn NNP I-NP I-PER

        """

    static let conll04 = """
        #doc 5001
        0\tJohn\tB-Peop\t['N']\t[0]
        1\tSmith\tI-Peop\t['Work_For', 'Live_In']\t[3, 5]
        2\tof\tO\t['N']\t[2]
        3\tAcme\tB-Org\t['OrgBased_In']\t[5]
        4\tin\tO\t['N']\t[4]
        5\tParis\tB-Loc\t['N']\t[5]
        #doc 5002
        0\tHi\tO\t['N']\t[0]

        """

    /// Asserts that `read` either succeeds or throws a `CorpusError` on `count` mutations of `text`.
    private func assertNoTrap(_ text: String, seed: UInt64, count: Int, file: StaticString = #filePath, line: UInt = #line,
                              _ read: (String) throws -> Void) {
        var mutator = Mutator(seed: seed)
        XCTAssertNoThrow(try read(text), "the unmutated fixture must be valid", file: file, line: line)
        for _ in 0..<count {
            let mutated = mutator.mutate(text)
            do {
                try read(mutated)
            } catch is CorpusError {
                continue
            } catch {
                XCTFail("\(error) is not a CorpusError, input:\n\(mutated)", file: file, line: line)
            }
        }
    }

    func testCoNLL2003() {
        for scheme in [TagScheme.iob1, .iob2] {
            assertNoTrap(Self.conll2003, seed: 1, count: 1500) { _ = try CoNLL2003Reader(scheme: scheme).read(text: $0, path: "a.txt") }
        }
    }

    /// Two columns in BIOES, and tab-separated cells with both tag layers in BILOU.
    func testColumns() {
        let bioes = "-DOCSTART- O\n\nJohn B-PER\nSmith E-PER\nsaw O\nParis S-LOC\n\nIBM S-ORG\n"
        assertNoTrap(bioes, seed: 5, count: 1500) {
            _ = try ColumnReader(format: ColumnFormat(word: 0, tags: [.entities: -1], scheme: .bioes)).read(text: $0, path: "a.txt")
        }
        let tabs = "1\tNew York\tB-LOC\tU-GPE\t\n2\tis\tL-LOC\tO\t\n\n1\tAnn\tU-PER\tU-PER\n"
        assertNoTrap(tabs, seed: 6, count: 1500) {
            _ = try ColumnReader(format: ColumnFormat(word: 1, tags: [.entities: -2, .mentions: -1], scheme: .bilou)).read(text: $0, path: "a.txt")
        }
    }

    func testCoNLL04() {
        assertNoTrap(Self.conll04, seed: 2, count: 2000) { _ = try CoNLL04Reader().read(text: $0, path: "a.txt") }
    }

    func testCoNLL2012() {
        let text = CoNLL2012ReaderTests.sample.joined(separator: "\n") + "\n"
        assertNoTrap(text, seed: 3, count: 1000) { _ = try CoNLL2012Reader().read(text: $0, path: "a.gold_conll") }
    }

    func testDyGIE() {
        let text = DyGIEReaderTests.ace + "\n" + DyGIEReaderTests.bare + "\n"
        for (seed, option) in zip(4..., DyGIEReader.EntitySpans.allCases) {
            assertNoTrap(text, seed: UInt64(seed), count: 1000) { _ = try DyGIEReader(entitySpansAs: option).read(text: $0, path: "a.json") }
        }
    }

    /// Fewer rounds: every one writes a file.
    func testLitBank() throws {
        let fixtures = try LitBankReaderTests.corpus()
        let originals = try ["coref/emma_brat.conll", "entities/emma_brat.tsv", "splits.txt"].map { name in
            (name, try String(contentsOfFile: fixtures.path(name), encoding: .utf8))
        }
        for (seed, (name, original)) in zip(10..., originals) {
            assertNoTrap(original, seed: UInt64(seed), count: 150) { text in
                _ = try fixtures.write(name, text)
                _ = try LitBankReader().read(directory: fixtures.directory.path)
            }
            _ = try fixtures.write(name, original)
        }
    }
}
