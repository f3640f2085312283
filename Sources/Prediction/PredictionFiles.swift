import Corpus
import Foundation
import Model
import Training

/// Predictions written in the formats `hmtl score` reads, one file per task named
/// `<task>.<extension>` after the format its level kind scores (`LevelKind.scoredFile`), so a
/// prediction made on a gold file scores with the trainer's metrics:
///
/// - tagging tasks, `<task>.conll` (`ner.conll`, `emd.conll`, …): `token TAG` (IOB2) per line, a blank line after each sentence
///   and `-DOCSTART- O` plus a blank line before each document — the CoNLL-2003 layout, so the
///   lines align with a CoNLL-2003 gold file that has a `-DOCSTART-` line per document;
/// - coreference, `coref.conll`: CoNLL-2012 (`#begin document (ID); part N`, `ID N index token cluster`
///   lines, `#end document`); a document read from CoNLL-2012 (`ID/part`) keeps its id and part;
/// - relations, `relation.jsonl`: the DyGIE layout (`doc_key`, `sentences`, `relations` as
///   `[s1, e1, s2, e2, label]` in document-wide inclusive offsets).
public enum PredictionFiles {
    /// File name → contents, for the tasks the predictions carry, in task-name order.
    public static func render(_ predictions: [DocumentPrediction]) throws -> [(name: String, text: String)] {
        guard let first = predictions.first else { return [] }
        let tasks = (Array(first.spans.keys) + Array(first.relations.keys) + Array(first.clusters.keys)).sorted()
        return try tasks.map { task in
            let kind = LevelKinds.kind(of: task).scoredFile
            let text = switch kind {
            case .spans: tagged(predictions, task)
            case .relations: try relations(predictions, task)
            case .coreference: coreference(predictions, task)
            }
            return ("\(task.rawValue).\(kind.fileExtension)", text)
        }
    }

    /// The files of `render` in `folder`, created if need be (`predict --format conll`).
    public static func write(_ predictions: [DocumentPrediction], toFolder folder: URL) throws {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw TrainingError("\(folder.path): cannot create the output folder (\(error.localizedDescription))")
        }
        for file in try render(predictions) {
            try write(file.text, to: folder.appendingPathComponent(file.name))
        }
    }

    /// One JSON object per document and line (`predict --format jsonl`), with the input's
    /// character offsets where it has them.
    public static func jsonLines(_ predictions: [DocumentPrediction], offsets: [[[Range<Int>]]]?) throws -> String {
        var text = ""
        for (d, prediction) in predictions.enumerated() {
            let object = prediction.jsonObject(offsets: offsets?[d])
            text += String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self) + "\n"
        }
        return text
    }

    /// Writes `text` to `url`, naming the file when it fails.
    public static func write(_ text: String, to url: URL) throws {
        do {
            try text.write(to: url, atomically: true, encoding: .utf8)
        } catch {
            throw TrainingError("\(url.path): cannot write (\(error.localizedDescription))")
        }
    }

    static func tagged(_ predictions: [DocumentPrediction], _ task: Task) -> String {
        var out = ""
        for p in predictions {
            out += "-DOCSTART- O\n\n"
            for (tokens, spans) in zip(p.tokens, p.spans[task]!) where !tokens.isEmpty {
                for (token, tag) in zip(tokens, iob2(spans, count: tokens.count)) { out += "\(token) \(tag)\n" }
                out += "\n"
            }
        }
        return out
    }

    static func iob2(_ spans: [LabeledSpan], count: Int) -> [String] {
        var tags = [String](repeating: "O", count: count)
        for s in spans {
            for i in s.span.start...s.span.end { tags[i] = (i == s.span.start ? "B-" : "I-") + s.label }
        }
        return tags
    }

    static func coreference(_ predictions: [DocumentPrediction], _ task: Task) -> String {
        var out = ""
        for p in predictions {
            var id = p.id, part = "0"
            if let slash = p.id.lastIndex(of: "/"), Int(p.id[p.id.index(after: slash)...]) != nil {
                id = String(p.id[..<slash])
                part = String(p.id[p.id.index(after: slash)...])
            }
            let column = id.isEmpty || id.contains(where: \.isWhitespace) ? "-" : id
            // Cells per token: one-token mentions `(n)`, openings `(n`, closings `n)`.
            var cells = p.tokens.map { $0.map { _ in [String]() } }
            for (n, cluster) in (p.clusters[task] ?? []).enumerated() {
                for m in cluster {
                    if m.span.start == m.span.end {
                        cells[m.sentence][m.span.start].append("(\(n))")
                    } else {
                        cells[m.sentence][m.span.start].append("(\(n)")
                        cells[m.sentence][m.span.end].append("\(n))")
                    }
                }
            }
            out += "#begin document (\(id)); part \(part)\n"
            for (tokens, row) in zip(p.tokens, cells) where !tokens.isEmpty {
                for (i, (token, cell)) in zip(tokens, row).enumerated() {
                    out += "\(column) \(part) \(i) \(token) \(cell.isEmpty ? "-" : cell.joined(separator: "|"))\n"
                }
                out += "\n"
            }
            out += "#end document\n"
        }
        return out
    }

    static func relations(_ predictions: [DocumentPrediction], _ task: Task) throws -> String {
        var out = ""
        for p in predictions {
            var offset = 0
            var perSentence: [[[Any]]] = []
            for (tokens, relations) in zip(p.tokens, p.relations[task] ?? []) {
                perSentence.append(relations.map {
                    [$0.head.start + offset, $0.head.end + offset, $0.tail.start + offset, $0.tail.end + offset, $0.label]
                })
                offset += tokens.count
            }
            let object: [String: Any] = ["doc_key": p.id, "sentences": p.tokens, "relations": perSentence]
            out += String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self) + "\n"
        }
        return out
    }
}
