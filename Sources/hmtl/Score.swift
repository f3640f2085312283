import ArgumentParser
import Corpus
import Foundation
import Model

/// Offline scoring of prediction files against gold files, with the metrics the trainer uses:
/// conlleval-style span F1 (NER, EMD), head and strict relation F1 (RE), and the CoNLL-2012
/// scorer's MUC, B³, CEAF-e and average (coreference).
struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score a prediction file against a gold file.",
        discussion: """
        Formats: ner and emd — CoNLL columns, token first, tag last (IOB2 or BILOU), blank lines \
        between sentences; re — JSON lines with doc_key, sentences and relations \
        ([s1, e1, s2, e2, label], document-wide inclusive offsets); coref — CoNLL-2012 \
        (#begin document … #end document, clusters in the last column).
        """)

    enum Kind: String, ExpressibleByArgument, CaseIterable { case ner, emd, re, coref }

    @Option(help: "What to score: ner, emd, re or coref.") var task: Kind
    @Option(help: "The gold file.") var gold: String
    @Option(help: "The prediction file.") var pred: String
    @Flag(help: "Print one JSON object instead of a table.") var json = false

    func run() throws {
        try runReportingFailures {
            let (table, object) = try score()
            print(json ? String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self) : table)
        }
    }

    private func score() throws -> (String, [String: Any]) {
        switch task {
        case .ner, .emd:
            var metrics = SpanMetrics()
            for sentence in try TaggedSpanFiles.read(gold: gold, predicted: pred) {
                metrics.add(predicted: sentence.predicted, gold: sentence.gold)
            }
            return (metrics.table(), Self.object(metrics.overall, perType: metrics.perType))
        case .re:
            var metrics = RelationMetrics()
            for sentence in try RelationFiles.read(gold: gold, predicted: pred) {
                metrics.add(predicted: sentence.predicted, gold: sentence.gold)
            }
            var object: [String: Any] = [:]
            for match in RelationMetrics.Match.allCases {
                object[match.rawValue] = Self.object(metrics.overall(match), perType: metrics.perType(match))
            }
            return (metrics.table(), object)
        case .coref:
            var metrics = CoreferenceMetrics()
            for document in try CoreferenceFiles.read(gold: gold, predicted: pred) {
                metrics.add(key: document.clusters.gold, response: document.clusters.predicted)
            }
            func prf(_ m: PrecisionRecall) -> [String: Double] { ["precision": m.precision, "recall": m.recall, "f1": m.f1] }
            return (metrics.table(), ["mentions": prf(metrics.mentions), "muc": prf(metrics.muc), "b3": prf(metrics.bCubed),
                                      "ceafe": prf(metrics.ceafE), "average_f1": metrics.averageF1])
        }
    }

    private static func object(_ overall: SpanMetrics.Counts, perType: [String: SpanMetrics.Counts]) -> [String: Any] {
        func row(_ c: SpanMetrics.Counts) -> [String: Double] {
            ["precision": c.precision, "recall": c.recall, "f1": c.f1, "predicted": c.predicted, "gold": c.gold, "correct": c.correct]
        }
        return ["overall": row(overall), "per_type": perType.mapValues(row)]
    }
}
