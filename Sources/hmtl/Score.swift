import ArgumentParser
import Corpus
import Foundation
import Scoring

/// Offline scoring of prediction files against gold files, with the metrics the trainer uses:
/// conlleval-style span F1 (NER, EMD), head and strict relation F1 (RE), and the CoNLL-2012
/// scorer's MUC, B³, CEAF-e and average (coreference).
struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score a prediction file against a gold file.",
        discussion: """
        Formats: ner and emd — column files, blank lines between sentences, by default token \
        first and tag last with the scheme read off each file (BILOU when a tag starts with L- or \
        U-, else IOB); --columns/--tag-scheme describe a gold file laid out otherwise (e.g. \
        --columns word=0,ner=3 --tag-scheme bioes), --pred-columns/--pred-tag-scheme the \
        predictions; re — JSON lines with doc_key, sentences and relations ([s1, e1, s2, e2, \
        label], document-wide inclusive offsets); coref — CoNLL-2012 (#begin document … #end \
        document, clusters in the last column).
        """)

    enum Kind: String, ExpressibleByArgument, CaseIterable { case ner, emd, re, coref }

    @Option(help: "What to score: ner, emd, re or coref.") var task: Kind
    @Option(help: "The gold file.") var gold: String
    @Option(help: "The prediction file.") var pred: String
    @Flag(help: "Print one JSON object instead of a table.") var json = false
    @Option(help: ArgumentHelp("ner/emd: the gold file's column map (default word=0,TASK=-1).", valueName: "word=N,TASK=N"))
    var columns: String?
    @Option(help: ArgumentHelp("ner/emd: the gold file's tag scheme, \(TagScheme.names.joined(separator: ", ")) (default: read off the file).", valueName: "scheme"))
    var tagScheme: String?
    @Option(help: ArgumentHelp("ner/emd: the prediction file's column map (default word=0,TASK=-1).", valueName: "word=N,TASK=N"))
    var predColumns: String?
    @Option(help: ArgumentHelp("ner/emd: the prediction file's tag scheme (default: read off the file).", valueName: "scheme"))
    var predTagScheme: String?

    func run() throws {
        try runReportingFailures {
            let (table, object) = try score()
            print(json ? String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self) : table)
        }
    }

    private func score() throws -> (String, [String: Any]) {
        let columnOptions = [("--columns", columns), ("--tag-scheme", tagScheme), ("--pred-columns", predColumns), ("--pred-tag-scheme", predTagScheme)]
        if task == .re || task == .coref, let given = columnOptions.first(where: { $0.1 != nil }) {
            throw ValidationError("\(given.0) describes the column files of --task ner and emd, not \(task.rawValue)")
        }
        switch task {
        case .ner, .emd:
            var metrics = SpanMetrics()
            let goldFormat = try columnFormat("--columns", columns, "--tag-scheme", tagScheme)
            let predictedFormat = try columnFormat("--pred-columns", predColumns, "--pred-tag-scheme", predTagScheme)
            for sentence in try TaggedSpanFiles.read(gold: gold, predicted: pred, goldFormat: goldFormat, predictedFormat: predictedFormat) {
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

    /// The column map and scheme of one span file: the task's tag column, last by default.
    private func columnFormat(_ columnsOption: String, _ map: String?, _ schemeOption: String, _ schemeName: String?) throws -> ColumnFormat {
        let layer = ColumnFormat.Layer(rawValue: task.rawValue)!
        var word = 0, tags: [ColumnFormat.Layer: Int] = [layer: -1]
        if let map {
            do {
                (word, tags) = try ColumnFormat.columnMap(parsing: map)
            } catch {
                throw ValidationError("\(columnsOption) \(map): \(error)")
            }
            if let other = tags.keys.first(where: { $0 != layer }) {
                throw ValidationError("\(columnsOption) \(map): --task \(task.rawValue) scores the \(layer.rawValue) column, not \(other.rawValue)")
            }
            tags[layer] = tags[layer] ?? -1
            if let clash = ColumnFormat(word: word, tags: tags, scheme: nil).sameColumn {
                throw ValidationError("\(columnsOption) \(map): \(clash) (the \(layer.rawValue) column is the last unless given)")
            }
        }
        let scheme = try schemeName.map { name in
            guard let scheme = TagScheme(name: name) else {
                throw ValidationError("\(schemeOption): expected one of \(TagScheme.names.joined(separator: ", ")), got \(name)")
            }
            return scheme
        }
        return ColumnFormat(word: word, tags: tags, scheme: scheme)
    }

    private static func object(_ overall: SpanMetrics.Counts, perType: [String: SpanMetrics.Counts]) -> [String: Any] {
        func row(_ c: SpanMetrics.Counts) -> [String: Double] {
            ["precision": c.precision, "recall": c.recall, "f1": c.f1, "predicted": c.predicted, "gold": c.gold, "correct": c.correct]
        }
        return ["overall": row(overall), "per_type": perType.mapValues(row)]
    }
}
