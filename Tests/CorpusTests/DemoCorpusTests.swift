import Corpus
import XCTest

final class DemoCorpusTests: XCTestCase {
    func testDeterministicPerSeed() {
        let a = DemoCorpus.generate(documents: 30, seed: 1)
        XCTAssertEqual(a, DemoCorpus.generate(documents: 30, seed: 1))
        XCTAssertNotEqual(a, DemoCorpus.generate(documents: 30, seed: 2))
        XCTAssertEqual(Array(DemoCorpus.generate(documents: 50, seed: 1).prefix(30)), a, "more documents extend the corpus")
    }

    /// Pinned: the demo corpus is a fixed data set (benchmarks and CI runs compare against it).
    func testFirstDocumentIsPinned() {
        let doc = DemoCorpus.generate(documents: 1, seed: 0)[0]
        XCTAssertEqual(doc.sentences.map { $0.tokens.joined(separator: " ") }, [
            "Officials at Greenfield Corporation in Lagos said Ahmed Miller would lead the project .",
            "Greenfield moved its main office from Lagos to another city in Nigeria .",
            "The director declined to comment on the decision .",
            "Greenfield reported higher profits this quarter .",
            "Mr. Miller lives in Lagos with his family .",
        ])
        XCTAssertEqual(doc.sentences[0].relations, [
            Relation(head: TokenSpan(start: 2, end: 3), tail: TokenSpan(start: 5, end: 5), label: "OrgBased_In"),
            Relation(head: TokenSpan(start: 7, end: 8), tail: TokenSpan(start: 2, end: 3), label: "Work_For"),
        ])
        XCTAssertEqual(doc.clusters.count, 4)
    }

    func testSplits() {
        let (train, dev, test) = DemoCorpus.splits(documents: 100, seed: 5)
        XCTAssertEqual([train.count, dev.count, test.count], [80, 10, 10])
        XCTAssertEqual(train + dev + test, DemoCorpus.generate(documents: 100, seed: 5))
        let small = DemoCorpus.splits(documents: 5, seed: 5)
        XCTAssertEqual([small.train.count, small.dev.count, small.test.count], [3, 1, 1])
    }

    func testAnnotationsAreConsistent() throws {
        let docs = DemoCorpus.generate(documents: 200, seed: 9)
        var relationLabels = Set<String>(), pronounMentions = 0, nominalMentions = 0, emptySentences = 0, multiTokenNames = 0
        for doc in docs {
            XCTAssertTrue(doc.hasEntities && doc.hasMentions && doc.hasRelations && doc.hasCoreference)
            XCTAssertGreaterThanOrEqual(doc.sentences.count, 3)
            XCTAssertFalse(doc.sentences.allSatisfy { $0.relations.isEmpty }, "\(doc.id) has relations")
            XCTAssertFalse(doc.clusters.isEmpty)
            for s in doc.sentences {
                XCTAssertTrue((6...DemoCorpus.maxSentenceLength).contains(s.tokens.count), "\(s.tokens)")
                for e in s.entities + s.mentions {
                    XCTAssertLessThan(e.span.end, s.tokens.count)
                    XCTAssertTrue(["PER", "ORG", "LOC"].contains(e.label))
                }
                // Non-overlapping spans, so BILOU can encode them.
                XCTAssertNoThrow(try BILOU.validate(BILOU.tags(for: s.mentions, count: s.tokens.count)))
                // Every entity is also a mention; mentions beyond entities are nominals ("the ...").
                XCTAssertTrue(Set(s.entities).isSubset(of: Set(s.mentions)))
                for m in Set(s.mentions).subtracting(s.entities) {
                    XCTAssertEqual(s.tokens[m.span.start].lowercased(), "the")
                    nominalMentions += 1
                }
                let entitySpans = Set(s.entities.map(\.span))
                for r in s.relations {
                    XCTAssertTrue(entitySpans.contains(r.head) && entitySpans.contains(r.tail), "\(r)")
                    relationLabels.insert(r.label)
                }
                if s.entities.isEmpty && s.mentions.isEmpty { emptySentences += 1 }
                multiTokenNames += s.entities.filter { $0.span.width > 1 }.count
            }
            var seen = Set<DocumentSpan>()
            for cluster in doc.clusters {
                XCTAssertFalse(cluster.isEmpty)
                XCTAssertEqual(cluster, cluster.sorted(), "cluster spans in document order")
                for m in cluster {
                    XCTAssertTrue(doc.sentences.indices.contains(m.sentence))
                    XCTAssertLessThan(m.span.end, doc.sentences[m.sentence].tokens.count)
                    XCTAssertTrue(seen.insert(m).inserted, "a span belongs to one cluster")
                    let s = doc.sentences[m.sentence]
                    if !s.mentions.contains(where: { $0.span == m.span }) {
                        XCTAssertEqual(m.span.width, 1)
                        XCTAssertTrue(["he", "she", "it", "they", "his", "her", "its", "their"]
                            .contains(s.tokens[m.span.start].lowercased()), s.tokens[m.span.start])
                        pronounMentions += 1
                    }
                }
                // A chain starts with a name (entities are introduced by name).
                let first = cluster[0]
                XCTAssertTrue(doc.sentences[first.sentence].entities.contains { $0.span == first.span })
            }
            // Every EMD mention is in some chain.
            for (i, s) in doc.sentences.enumerated() {
                for m in s.mentions { XCTAssertTrue(seen.contains(DocumentSpan(sentence: i, span: m.span))) }
            }
        }
        XCTAssertEqual(relationLabels, ["Work_For", "Live_In", "OrgBased_In", "Located_In"])
        XCTAssertGreaterThan(pronounMentions, 200)
        XCTAssertGreaterThan(nominalMentions, 200)
        XCTAssertGreaterThan(emptySentences, 20)
        XCTAssertGreaterThan(multiTokenNames, 200)
    }
}
