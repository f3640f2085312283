import ArgumentParser
import Corpus
import Foundation
import Model
import Scoring
import Training

/// Offline scoring of prediction files against gold files, with the metrics the trainer uses:
/// conlleval-style span F1 (NER, EMD), head and strict relation F1 (relation), and the CoNLL-2012
/// scorer's MUC, B³, CEAF-e and average (coreference).
struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score a prediction file against a gold file.",
        discussion: """
        Formats: ner and emd — column files, blank lines between sentences, by default token \
        first and tag last with the scheme read off each file (BILOU when a tag starts with L- or \
        U-, else IOB); --columns/--tag-scheme describe a gold file laid out otherwise (e.g. \
        --columns word=0,ner=3 --tag-scheme bioes), --pred-columns/--pred-tag-scheme the \
        predictions; relation — JSON lines with doc_key, sentences and relations ([s1, e1, s2, e2, \
        label], document-wide inclusive offsets); coref — CoNLL-2012 (#begin document … #end \
        document, clusters in the last column).
        """)

    @Option(help: "What to score: ner, emd, relation, coref, or another tagging task by name.") var task: String
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
        try rejectEarlierSpelling("--task", task)
        try runReportingFailures {
            let kind = LevelKinds.kind(of: Task(rawValue: task)).scoredFile
            let (table, object) = try FileScore(task: task, kind: kind, gold: gold, pred: pred, columns: columns, tagScheme: tagScheme,
                                                 predColumns: predColumns, predTagScheme: predTagScheme).score()
            print(json ? String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self) : table)
        }
    }
}
