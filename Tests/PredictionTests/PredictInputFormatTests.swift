import Checkpoint
import Corpus
import Foundation
import Model
import TestSupport
import XCTest
@testable import Prediction
@testable import Training

/// `hmtl predict` and `hmtl embed` on every corpus input format and on standard input: the same
/// demo documents written as CoNLL-2003, CoNLL04, CoNLL-2012, a LitBank folder and plain text
/// must reach the model as the documents, sentences and tokens the file holds, and each gives
/// the predictions the model makes on those documents in memory.
final class PredictInputFormatTests: XCTestCase {
    /// Unseen demo documents (several sentences each, entities, mentions, relations), without
    /// initials like `K.`, which `SimpleTokenizer` splits differently from the generator
    /// (`K` `.`), so that text input must give back exactly the generated tokens.
    static let documents = Array(DemoCorpus.generate(documents: 8, seed: 41).filter { d in
        d.sentences.allSatisfy { $0.tokens.allSatisfy { $0 == "." || !$0.contains(".") } }
    }.prefix(3))

    /// An input on disk and the documents its reader must return (ids as the format names them).
    struct Input {
        var format: String
        var path: URL
        var expected: [Document]
    }

    /// IOB2 tags of a sentence's entities.
    private static func iob2(_ sentence: Sentence) -> [String] {
        var tags = sentence.tokens.map { _ in "O" }
        for e in sentence.entities {
            for i in e.span.start...e.span.end { tags[i] = (i == e.span.start ? "B-" : "I-") + e.label }
        }
        return tags
    }

    /// `word POS chunk NER` lines, a `-DOCSTART-` line per document; the reader names documents
    /// `<file name>#<n>`.
    private static func conll2003(_ documents: [Document], in dir: URL) throws -> Input {
        var text = ""
        for d in documents {
            text += "-DOCSTART- -X- -X- O\n\n"
            for s in d.sentences {
                text += zip(s.tokens, iob2(s)).map { "\($0) NN O \($1)\n" }.joined() + "\n"
            }
        }
        let url = dir.appendingPathComponent("input.conll")
        try text.write(to: url, atomically: true, encoding: .utf8)
        let expected = documents.enumerated().map { n, d in Document(id: "input.conll#\(n + 1)", sentences: d.sentences.map { Sentence(tokens: $0.tokens) }) }
        return Input(format: "conll2003", path: url, expected: expected)
    }

    /// The multi-head format: one sentence per `#doc` block, `index token BIO ['N'] [index]`.
    private static func conll04(_ documents: [Document], in dir: URL) throws -> Input {
        var text = "", expected: [Document] = []
        for (d, document) in documents.enumerated() {
            for (s, sentence) in document.sentences.enumerated() {
                let id = "\(d)\(s)"
                text += "#doc \(id)\n" + zip(sentence.tokens, iob2(sentence)).enumerated().map { "\($0)\t\($1.0)\t\($1.1)\t['N']\t[\($0)]\n" }.joined()
                expected.append(Document(id: id, sentences: [Sentence(tokens: sentence.tokens)]))
            }
        }
        let url = dir.appendingPathComponent("input.corp")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return Input(format: "conll04", path: url, expected: expected)
    }

    /// One CoNLL-2012 document (12 columns: id, part, index, word, 7 unused, coreference `-`).
    private static func conll2012Document(_ id: String, _ document: Document) -> String {
        "#begin document (\(id)); part 000\n"
            + document.sentences.map { s in
                s.tokens.enumerated().map { "\(id)\t0\t\($0)\t\($1)\t-\t-\t-\t-\t-\t-\t*\t-\n" }.joined() + "\n"
            }.joined()
            + "#end document\n"
    }

    /// The reader names documents `<id>/<part>`.
    private static func conll2012(_ documents: [Document], in dir: URL) throws -> Input {
        let url = dir.appendingPathComponent("input_gold_conll")
        try documents.enumerated().map { conll2012Document("doc\($0)", $1) }.joined().write(to: url, atomically: true, encoding: .utf8)
        let expected = documents.enumerated().map { n, d in Document(id: "doc\(n)/000", sentences: d.sentences.map { Sentence(tokens: $0.tokens) }) }
        return Input(format: "conll2012", path: url, expected: expected)
    }

    /// A LitBank folder with one document per split (listed dev first: the reader returns train,
    /// dev, test); `coref/NAME_brat.conll` and `entities/NAME_brat.tsv` with the same tokens.
    private static func litbank(_ documents: [Document], in dir: URL) throws -> Input {
        let root = dir.appendingPathComponent("litbank")
        for sub in ["coref", "entities"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        let names = ["austen", "bronte", "conrad"]
        try "# one document per split\ndev bronte\ntrain austen\n\ntest conrad\n"
            .write(to: root.appendingPathComponent("splits.txt"), atomically: true, encoding: .utf8)
        for (name, document) in zip(names, documents) {
            try conll2012Document("\(name)_brat", document)
                .write(to: root.appendingPathComponent("coref/\(name)_brat.conll"), atomically: true, encoding: .utf8)
            try document.sentences.map { s in zip(s.tokens, iob2(s)).map { "\($0)\t\($1)\tO\tO\tO\t\n" }.joined() }.joined(separator: "\n")
                .write(to: root.appendingPathComponent("entities/\(name)_brat.tsv"), atomically: true, encoding: .utf8)
        }
        let expected = zip(names, documents).map { Document(id: $0, sentences: $1.sentences.map { Sentence(tokens: $0.tokens) }) }
        return Input(format: "litbank", path: root, expected: expected)
    }

    /// One document per line, its sentences joined by spaces (blank lines skipped: ids are
    /// `line-N` of the line number). Demo tokens survive `SimpleTokenizer` unchanged, and each
    /// sentence ends in `.` before a capitalised word, so tokens and sentences come back as written.
    private static func text(_ documents: [Document], in dir: URL) throws -> Input {
        let lines = documents.map { $0.sentences.map { $0.tokens.joined(separator: " ") }.joined(separator: " ") }
        let url = dir.appendingPathComponent("input.txt")
        try (lines.joined(separator: "\n\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        let expected = documents.enumerated().map { n, d in Document(id: "line-\(2 * n + 1)", sentences: d.sentences.map { Sentence(tokens: $0.tokens) }) }
        return Input(format: "text", path: url, expected: expected)
    }

    private func inputs(in dir: URL) throws -> [Input] {
        let documents = Self.documents
        XCTAssertEqual(documents.count, 3)
        XCTAssertTrue(documents.allSatisfy { $0.sentences.count > 1 }, "the fixture should have multi-sentence documents")
        return [try Self.conll2003(documents, in: dir), try Self.conll04(documents, in: dir), try Self.conll2012(documents, in: dir),
                try Self.litbank(documents, in: dir), try Self.text(documents, in: dir)]
    }

    /// The JSON line `predict` should write for each expected document: what the model predicts
    /// for it in memory (without `offsets`, which only text input has).
    private func expectedLines(_ documents: [Document], checkpoint: URL) throws -> [String] {
        let trained = try TrainedModel(checkpoint: checkpoint)
        return try Predictor(model: trained.model, arena: trained.arena, batchSize: 64).predict(documents).map {
            String(decoding: try JSONSerialization.data(withJSONObject: $0.jsonObject(), options: [.sortedKeys]), as: UTF8.self)
        }
    }

    /// A predicted JSON line without its `offsets`, re-serialised as `expectedLines` writes them.
    private func withoutOffsets(_ line: Substring) throws -> String {
        var object = try jsonObject(String(line))
        object["offsets"] = nil
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    /// Equal JSON lines, or a failure that shows where they part (they run to kilobytes).
    private func assertSameLine(_ got: String, _ expected: String, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        guard got != expected else { return }
        let common = zip(got, expected).prefix { $0 == $1 }.count
        XCTFail("\(message): they part at character \(common): …\(got.dropFirst(max(0, common - 80)).prefix(200)) vs …\(expected.dropFirst(max(0, common - 80)).prefix(200))",
                file: file, line: line)
    }

    func testPredictReadsEveryInputFormatAsItsDocuments() throws {
        let checkpoint = try TrainedCheckpoint.fourTask()
        let dir = try makeTemporaryDirectory()
        for input in try inputs(in: dir) {
            let out = dir.appendingPathComponent("\(input.format).jsonl")
            let run = try succeeded(CommandRunner.run(["predict", "--checkpoint", checkpoint.path, "--input", input.path.path,
                                                       "--input-format", input.format, "--output", out.path]))
            let sentences = input.expected.reduce(0) { $0 + $1.sentences.count }
            XCTAssertTrue(run.stderr.contains("\(input.expected.count) documents, \(sentences) sentences"), "\(input.format): \(run.stderr)")
            let lines = try String(contentsOf: out, encoding: .utf8).split(separator: "\n")
            XCTAssertEqual(lines.count, input.expected.count, input.format)
            let expected = try expectedLines(input.expected, checkpoint: checkpoint)
            for (n, (line, wanted)) in zip(lines, expected).enumerated() {
                let object = try jsonObject(String(line))
                XCTAssertEqual(object["id"] as? String, input.expected[n].id, input.format)
                XCTAssertEqual(object["tokens"] as? [[String]], input.expected[n].sentences.map(\.tokens), "\(input.format) document \(n)")
                assertSameLine(try withoutOffsets(line), wanted, "\(input.format) document \(n): predictions differ from the in-memory ones")
                XCTAssertEqual(object["offsets"] != nil, input.format == "text", "\(input.format): offsets are for text input only")
            }
            // A tag for every token of every sentence, in the files `hmtl score` reads.
            let folder = dir.appendingPathComponent("\(input.format)-conll")
            try succeeded(CommandRunner.run(["predict", "--checkpoint", checkpoint.path, "--input", input.path.path,
                                             "--input-format", input.format, "--format", "conll", "--output", folder.path]))
            let blocks = try String(contentsOf: folder.appendingPathComponent("ner.conll"), encoding: .utf8)
                .components(separatedBy: "\n\n").map { $0.split(separator: "\n") }.filter { !$0.isEmpty && $0 != ["-DOCSTART- O"] }
            XCTAssertEqual(blocks.map { $0.map { String($0.split(separator: " ")[0]) } },
                           input.expected.flatMap(\.sentences).map(\.tokens), "\(input.format): ner.conll")
        }
    }

    /// Standard input (text only): the same JSON lines as the file it came from.
    func testPredictReadsStandardInput() throws {
        let checkpoint = try TrainedCheckpoint.fourTask()
        let dir = try makeTemporaryDirectory()
        let input = try Self.text(Self.documents, in: dir)
        let piped = try succeeded(CommandRunner.execute("/bin/sh", ["-c", "exec \"$0\" predict --checkpoint \"$1\" < \"$2\"",
                                                                    CommandRunner.hmtl, checkpoint.path, input.path.path],
                                                        timeout: 120, environment: [:]))
        let fromFile = try succeeded(CommandRunner.run(["predict", "--checkpoint", checkpoint.path, "--input", input.path.path]))
        let lines = piped.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, input.expected.count)
        XCTAssertEqual(piped.stdout, fromFile.stdout)
        let expected = try expectedLines(input.expected, checkpoint: checkpoint)
        for (n, line) in lines.enumerated() {
            let object = try jsonObject(String(line))
            XCTAssertEqual(object["tokens"] as? [[String]], input.expected[n].sentences.map(\.tokens))
            assertSameLine(try withoutOffsets(line), expected[n], "document \(n)")
        }
    }

    /// Text with a token no HDF5 string can hold stops `embed` (and `predict`) before any output,
    /// naming the file or standard input and the line — not at the end, when `embed` stores it.
    func testTextWithANulByteIsRejectedAtItsLine() throws {
        let checkpoint = try TrainedCheckpoint.fourTask()
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent("bad.txt"), output = dir.appendingPathComponent("out.h5")
        try Data("Fine words here .\nJo\u{0}hn left .\n".utf8).write(to: input)
        XCTAssertTrue(try Data(contentsOf: input).contains(0), "premise: the file holds a NUL byte")
        for command in ["embed", "predict"] {
            let o = try CommandRunner.run([command, "--checkpoint", checkpoint.path, "--input", input.path, "--output", output.path])
            XCTAssertEqual(o.status, 2, o.stdout + o.stderr)
            XCTAssertTrue(o.stderr.contains("bad.txt:2: \"Jo\\0hn\" contains a NUL byte"), o.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: output.path), "\(command) wrote its output")
        }
        let piped = try CommandRunner.execute("/bin/sh", ["-c", "exec \"$0\" predict --checkpoint \"$1\" < \"$2\"",
                                                          CommandRunner.hmtl, checkpoint.path, input.path], timeout: 120, environment: [:])
        XCTAssertEqual(piped.status, 2, piped.stdout + piped.stderr)
        XCTAssertTrue(piped.stderr.contains("standard input:2: "), piped.stderr)
    }

    /// `embed` on every format: one dataset per non-empty sentence, in order, each with a row per
    /// token, and the documents and sentences as the file holds them.
    func testEmbedReadsEveryInputFormatAsItsDocuments() throws {
        let checkpoint = try TrainedCheckpoint.fourTask()
        let dir = try makeTemporaryDirectory()
        for input in try inputs(in: dir) {
            let out = dir.appendingPathComponent("\(input.format).h5")
            try succeeded(CommandRunner.run(["embed", "--checkpoint", checkpoint.path, "--input", input.path.path,
                                             "--input-format", input.format, "--output", out.path, "--layers", "ge,ner"]))
            let sentences = input.expected.flatMap(\.sentences)
            let file = try HDF5File.openReadOnly(out)
            defer { try? file.close() }
            XCTAssertEqual(try file.readStrings(at: "/documents"), input.expected.map(\.id), input.format)
            XCTAssertEqual(try file.readStrings(at: "/sentences"), sentences.map { $0.tokens.joined(separator: " ") }, input.format)
            XCTAssertEqual(try file.read(Int64.self, at: "/sentence_document").values,
                           input.expected.enumerated().flatMap { d, document in document.sentences.map { _ in Int64(d) } }, input.format)
            for layer in ["ge", "ner"] {
                XCTAssertEqual(try file.children(of: "/\(layer)").count, sentences.count, "\(input.format) \(layer)")
                for (i, sentence) in sentences.enumerated() {
                    XCTAssertEqual(try file.shape(of: "/\(layer)/\(i)").first, sentence.tokens.count, "\(input.format) \(layer) sentence \(i)")
                }
            }
        }
    }
}
