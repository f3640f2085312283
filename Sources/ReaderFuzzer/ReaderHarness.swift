import Corpus
import Foundation

/// Runs every corpus reader, strict and lenient, on one input held in memory. Thrown errors are
/// the expected outcome for most inputs; a trap (out-of-range index, overflow, failed
/// precondition) or a hang is a bug in a reader.
///
/// The single-file readers get the bytes as their path entry points decode them (`.keep`: lines
/// that are not UTF-8 stay, marked bad), so invalid UTF-8 reaches them too; CoNLL-2012 and
/// LitBank read text. LitBank reads a document from two files: the input is split at its first
/// NUL character into the coreference file and the entities file.
enum ReaderHarness {
    /// Column maps and schemes for `ColumnReader`: two-column files in every scheme, a
    /// three-column file with both tag layers, and the scheme read off the file.
    static let columnFormats: [ColumnFormat] = TagScheme.allCases.map { ColumnFormat(word: 0, tags: [.entities: -1], scheme: $0) }
        + [ColumnFormat(word: 0, tags: [.entities: 1, .mentions: -1], scheme: .iob2), ColumnFormat(word: -2, tags: [.mentions: -1], scheme: nil)]

    static func run(_ bytes: Data) {
        guard let file = try? TextFile(path: "fuzz.txt", data: bytes, undecodable: .keep) else { return }
        let readers: [any SingleFileReader] = TagScheme.allCases.map { CoNLL2003Reader(scheme: $0) }
            + columnFormats.map { ColumnReader(format: $0) }
            + [CoNLL04Reader()]
            + DyGIEReader.EntitySpans.allCases.map { DyGIEReader(entitySpansAs: $0) }
        for policy in ReadPolicy.allCases {
            for reader in readers { _ = try? reader.read(file, policy: policy) }
        }
        guard let text = try? TextFile.text(decoding: bytes, path: "fuzz") else { return }
        for policy in ReadPolicy.allCases {
            _ = try? CoNLL2012Reader().read(text: text, path: "fuzz.gold_conll", policy: policy)
        }
        let halves = text.split(separator: "\0", maxSplits: 1, omittingEmptySubsequences: false)
        guard halves.count == 2,
              let coref = try? TextFile(path: "coref/fuzz_brat.conll", text: String(halves[0])),
              let entities = try? TextFile(path: "entities/fuzz_brat.tsv", text: String(halves[1])) else { return }
        _ = try? LitBankReader().document(named: "fuzz", coref: coref, entities: entities)
    }
}
