import Corpus
import Foundation

/// Runs every corpus reader, strict and lenient, on one input held in memory. Thrown errors are
/// the expected outcome for most inputs; a trap (out-of-range index, overflow, failed
/// precondition) or a hang is a bug in a reader.
///
/// LitBank reads a document from two files: the input is split at its first NUL character into
/// the coreference file and the entities file.
enum ReaderHarness {
    static func run(_ bytes: Data) {
        guard let text = try? TextFile.text(decoding: bytes, path: "fuzz") else { return }
        for policy in ReadPolicy.allCases {
            for scheme in TagScheme.allCases {
                _ = try? CoNLL2003Reader(scheme: scheme).read(text: text, path: "fuzz.conll", policy: policy)
            }
            _ = try? CoNLL04Reader().read(text: text, path: "fuzz.txt", policy: policy)
            _ = try? CoNLL2012Reader().read(text: text, path: "fuzz.gold_conll", policy: policy)
            for spans in DyGIEReader.EntitySpans.allCases {
                _ = try? DyGIEReader(entitySpansAs: spans).read(text: text, path: "fuzz.json", policy: policy)
            }
        }
        let halves = text.split(separator: "\0", maxSplits: 1, omittingEmptySubsequences: false)
        guard halves.count == 2,
              let coref = try? TextFile(path: "coref/fuzz_brat.conll", text: String(halves[0])),
              let entities = try? TextFile(path: "entities/fuzz_brat.tsv", text: String(halves[1])) else { return }
        _ = try? LitBankReader().document(named: "fuzz", coref: coref, entities: entities)
    }
}
