import Checkpoint
import Corpus
import Foundation
import TestSupport
import XCTest

/// The argument spans `hmtl predict` gives predicted relations, and their strict-boundary
/// score. The relation head predicts only each argument's last token; the span is the NER
/// span ending there, else the EMD span ending there, else the token alone. To see every
/// branch, the shared checkpoint's relation scorer is overwritten so that it predicts every
/// token pair with one type (U = W = 0, b = 1, V = +1 for that type and −1 for the others:
/// every score is ±scorer_size), while the taggers predict what they learnt.
final class RelationSpanTests: XCTestCase {
    /// Unseen demo documents; their gold annotations are not read by `predict`.
    static let documents = DemoCorpus.generate(documents: 4, seed: 23)

    /// The shared checkpoint with the relation scorer forced to predict `type` everywhere.
    private func forcedCheckpoint(in dir: URL) throws -> (url: URL, type: String, otherType: String) {
        var contents = try CheckpointStore.read(try TrainedCheckpoint.fourTask())
        let types = try XCTUnwrap(contents.vocabularies["relation_types"])
        XCTAssertGreaterThanOrEqual(types.count, 2, "need a second type for a wrong-type gold relation")
        let forced = 0
        var overwritten: Set<String> = []
        for i in contents.parameters.indices where contents.parameters[i].name.hasPrefix("relation/scorer/") {
            let p = contents.parameters[i], name = String(p.name.dropFirst("relation/scorer/".count))
            switch name {
            case "U", "W": contents.parameters[i].values = p.values.map { _ in 0 }
            case "b": contents.parameters[i].values = p.values.map { _ in 1 }
            case "V":  // [types, scorer size]
                let width = p.shape[1]
                contents.parameters[i].values = p.values.indices.map { $0 / width == forced ? 1 : -1 }
            default: XCTFail("unexpected relation scorer parameter \(p.name)")
            }
            overwritten.insert(name)
        }
        XCTAssertEqual(overwritten, ["U", "W", "b", "V"])
        let url = try CheckpointStore.write(contents, named: "forced.h5", in: dir)
        return (url, types[forced], types[forced + 1])
    }

    /// Spans of IOB2 tags (as `predict` writes them), inclusive ends.
    private func spans(_ tags: [String]) -> [TokenSpan] {
        var out: [TokenSpan] = []
        for (i, tag) in tags.enumerated() {
            if tag.hasPrefix("B-") || (tag.hasPrefix("I-") && (i == 0 || tags[i - 1] == "O")) {
                out.append(TokenSpan(start: i, end: i))
            } else if tag.hasPrefix("I-") {
                out[out.count - 1].end = i
            }
        }
        return out
    }

    /// A `predict --format conll` tagging file: per document, per sentence, the tagged spans.
    private func taggedSpans(_ url: URL) throws -> [[[TokenSpan]]] {
        let documents = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "-DOCSTART- O\n\n").dropFirst()
        return documents.map { document in
            document.components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { sentence in
                spans(sentence.split(separator: "\n").map { String($0.split(separator: " ")[1]) })
            }
        }
    }

    /// `relation.jsonl`: per document, per sentence, `[s1, e1, s2, e2, label]` made sentence-relative.
    private func predictedRelations(_ url: URL) throws -> [[[Relation]]] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { line in
            let object = try jsonObject(String(line))
            let sentences = try XCTUnwrap(object["sentences"] as? [[String]])
            let relations = try XCTUnwrap(object["relations"] as? [[[Any]]])
            var offset = 0
            return zip(sentences, relations).map { tokens, list in
                defer { offset += tokens.count }
                return list.map { r in
                    Relation(head: TokenSpan(start: r[0] as! Int - offset, end: r[1] as! Int - offset),
                             tail: TokenSpan(start: r[2] as! Int - offset, end: r[3] as! Int - offset), label: r[4] as! String)
                }
            }
        }
    }

    func testPredictedArgumentsTakeTheTaggedSpansAndScoreStrictly() throws {
        let dir = try makeTemporaryDirectory()
        let (checkpoint, type, otherType) = try forcedCheckpoint(in: dir)
        let input = try writeFile(TrainedCheckpoint.dygie(Self.documents), "input.json", in: dir)
        let pred = dir.appendingPathComponent("pred")
        try succeeded(CommandRunner.run(["predict", "--checkpoint", checkpoint.path, "--input", input.path, "--input-format", "dygie",
                                         "--format", "conll", "--output", pred.path]))
        let ner = try taggedSpans(pred.appendingPathComponent("ner.conll"))
        let emd = try taggedSpans(pred.appendingPathComponent("emd.conll"))
        let relations = try predictedRelations(pred.appendingPathComponent("relation.jsonl"))
        XCTAssertEqual(ner.map(\.count), Self.documents.map(\.sentences.count))
        XCTAssertEqual(relations.map(\.count), Self.documents.map(\.sentences.count))

        // Every pair (i, j), in (i, j) order, with the derived spans; count the branches taken.
        var fromNER = 0, fromEMD = 0, alone = 0
        for (d, document) in Self.documents.enumerated() {
            for (s, sentence) in document.sentences.enumerated() {
                func argument(_ t: Int) -> TokenSpan {
                    if let span = ner[d][s].first(where: { $0.end == t }) { fromNER += 1; return span }
                    if let span = emd[d][s].first(where: { $0.end == t }) { fromEMD += 1; return span }
                    alone += 1
                    return TokenSpan(start: t, end: t)
                }
                let arguments = sentence.tokens.indices.map(argument)
                let expected = arguments.flatMap { head in arguments.map { Relation(head: head, tail: $0, label: type) } }
                XCTAssertEqual(relations[d][s], expected, "document \(d) sentence \(s)")
            }
        }
        // The premise: each rule was exercised, and some NER span is longer than its last token.
        XCTAssertGreaterThan(fromNER, 0)
        XCTAssertGreaterThan(fromEMD, 0, "no token ends an EMD span without ending a NER span")
        XCTAssertGreaterThan(alone, 0)
        let (d, s, a) = try XCTUnwrap(ner.enumerated().lazy.flatMap { d, sentences in
            sentences.enumerated().compactMap { s, spans in spans.first { $0.start < $0.end }.map { (d, s, $0) } }
        }.first { d, s, a in ner[d][s].contains { $0 != a } }, "no sentence with a multi-token NER span and another span")
        let b = try XCTUnwrap(ner[d][s].first { $0 != a })

        // Gold: [A, B] of the forced type (right under both criteria), [B, A cut to its last
        // token] (right by heads, wrong by boundaries), [A, B] of another type (wrong).
        let gold = Self.documents.enumerated().map { n, document in
            Document(id: document.id, sentences: document.sentences.enumerated().map { k, sentence in
                Sentence(tokens: sentence.tokens, relations: n == d && k == s
                    ? [Relation(head: a, tail: b, label: type), Relation(head: b, tail: TokenSpan(start: a.end, end: a.end), label: type),
                       Relation(head: a, tail: b, label: otherType)]
                    : [])
            }, hasEntities: true, hasRelations: true)
        }
        let goldFile = try writeFile(TrainedCheckpoint.dygie(gold), "gold.json", in: dir)
        let score = try jsonObject(try succeeded(CommandRunner.run(["score", "--task", "relation", "--gold", goldFile.path,
                                                                    "--pred", pred.appendingPathComponent("relation.jsonl").path, "--json"])).stdout)
        let predicted = Double(Self.documents.flatMap(\.sentences).reduce(0) { $0 + $1.tokens.count * $1.tokens.count })
        for (match, correct) in [("strict", 1.0), ("head", 2.0)] {
            let overall = try XCTUnwrap((score[match] as? [String: Any])?["overall"] as? [String: Double], "\(score)")
            XCTAssertEqual(try XCTUnwrap(overall["precision"]), correct / predicted, accuracy: 1e-12, match)
            XCTAssertEqual(try XCTUnwrap(overall["recall"]), correct / 3, accuracy: 1e-12, match)
        }
    }
}
