import Corpus

/// A prediction file scored against a gold file with the metrics the trainer uses (`hmtl
/// score`): conlleval-style span F1 (tagging tasks), head and strict relation F1 (relations),
/// and the CoNLL-2012 scorer's MUC, B³, CEAF-e and average (coreference).
public struct FileScore {
    /// What a task's prediction file holds, as its level kind writes it.
    public enum Kind: Sendable {
        /// A column file of one tag column named as the task.
        case spans
        /// DyGIE-style relations.
        case relations
        /// CoNLL-2012 coreference.
        case coreference

        /// The extension of a prediction file of this kind (`hmtl predict --format conll`).
        public var fileExtension: String { self == .relations ? "jsonl" : "conll" }
    }

    /// The task's name (its column in a span file, and what messages say) and its file's kind.
    let task: String, kind: Kind
    let gold: String, pred: String
    /// Span files: the files' column maps ("word=N,TASK=N") and tag-scheme names, nil for the
    /// defaults (the tag column last, the scheme read off the file).
    let columns: String?, tagScheme: String?, predColumns: String?, predTagScheme: String?

    public init(task: String, kind: Kind, gold: String, pred: String, columns: String?, tagScheme: String?, predColumns: String?, predTagScheme: String?) {
        self.task = task
        self.kind = kind
        self.gold = gold
        self.pred = pred
        self.columns = columns
        self.tagScheme = tagScheme
        self.predColumns = predColumns
        self.predTagScheme = predTagScheme
    }

    /// The table for people and the object `--json` prints.
    public func score() throws -> (table: String, object: [String: Any]) {
        let columnOptions = [("--columns", columns), ("--tag-scheme", tagScheme), ("--pred-columns", predColumns), ("--pred-tag-scheme", predTagScheme)]
        if kind != .spans, let given = columnOptions.first(where: { $0.1 != nil }) {
            throw ScoringError("\(given.0) describes the column files of --task ner and emd, not \(task)")
        }
        switch kind {
        case .spans:
            var metrics = SpanMetrics()
            let goldFormat = try columnFormat("--columns", columns, "--tag-scheme", tagScheme)
            let predictedFormat = try columnFormat("--pred-columns", predColumns, "--pred-tag-scheme", predTagScheme)
            for sentence in try TaggedSpanFiles.read(gold: gold, predicted: pred, goldFormat: goldFormat, predictedFormat: predictedFormat) {
                metrics.add(predicted: sentence.predicted, gold: sentence.gold)
            }
            return (metrics.table(), Self.object(metrics.overall, perType: metrics.perType))
        case .relations:
            var metrics = RelationMetrics()
            for sentence in try RelationFiles.read(gold: gold, predicted: pred) {
                metrics.add(predicted: sentence.predicted, gold: sentence.gold)
            }
            var object: [String: Any] = [:]
            for match in RelationMetrics.Match.allCases {
                object[match.rawValue] = Self.object(metrics.overall(match), perType: metrics.perType(match))
            }
            return (metrics.table(), object)
        case .coreference:
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
        let layer = SpanLayer(rawValue: task)
        var word = 0, tags: [SpanLayer: Int] = [layer: -1]
        if let map {
            do {
                (word, tags) = try ColumnFormat.columnMap(parsing: map, layers: Set([.entities, .mentions, layer]).sorted { $0 > $1 })
            } catch {
                throw ScoringError("\(columnsOption) \(map): \(error)")
            }
            if let other = tags.keys.first(where: { $0 != layer }) {
                throw ScoringError("\(columnsOption) \(map): --task \(task) scores the \(layer.rawValue) column, not \(other.rawValue)")
            }
            tags[layer] = tags[layer] ?? -1
            if let clash = ColumnFormat(word: word, tags: tags, scheme: nil).sameColumn {
                throw ScoringError("\(columnsOption) \(map): \(clash) (the \(layer.rawValue) column is the last unless given)")
            }
        }
        let scheme = try schemeName.map { name in
            guard let scheme = TagScheme(name: name) else {
                throw ScoringError("\(schemeOption): expected one of \(TagScheme.names.joined(separator: ", ")), got \(name)")
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
