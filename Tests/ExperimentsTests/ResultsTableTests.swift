import Foundation
import Training
import XCTest
@testable import Experiments

/// The results table and the setups' hierarchy strings come from the configured levels and
/// their kinds: the paper's four give Table 3's columns, and a level a config adds gets its own.
final class ResultsTableTests: XCTestCase {
    private func config(_ tasks: String, order: String? = nil) throws -> RunConfig {
        let text = #"{"tasks": {\#(tasks)}\#(order.map { #", "order": \#($0)"# } ?? "")}"#
        return try RunConfig(json: JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any], baseDirectory: URL(fileURLWithPath: "/base"))
    }

    private let demo = #"{"data": {"format": "demo"}}"#
    private let outer = #"{"kind": "tagging", "data": {"format": "columns", "train": "t.txt", "dev": "d.txt", "columns": {"word": 0, "outer": 1}}}"#

    func testHierarchyNamesTheTaggersBottomUpThenTheLevelsOnTop() throws {
        XCTAssertEqual(ExperimentPlan.hierarchy(try config(#""ner": \#(demo), "emd": \#(demo), "relation": \#(demo), "coref": \#(demo)"#)),
                       "NER → EMD → {RE, CR}")
        XCTAssertEqual(ExperimentPlan.hierarchy(try config(#""ner": \#(demo), "emd": \#(demo), "coref": \#(demo)"#, order: #"["emd", "ner"]"#)),
                       "EMD → NER → CR")
        XCTAssertEqual(ExperimentPlan.hierarchy(try config(#""ner": \#(demo), "emd": \#(demo), "outer": \#(outer)"#, order: #"["ner", "emd", "outer"]"#)),
                       "NER → EMD → OUTER")
    }

    private func summary(tasks: [String]) throws -> ExperimentSummary {
        let statistic: [String: Any] = ["mean": 50.0, "n": 1, "values": [50.0]]
        let metrics = ["f1", "strict_f1", "muc_f1", "b3_f1", "ceafe_f1"]
        let scores = Dictionary(uniqueKeysWithValues: tasks.map { task in
            (task, ["test": Dictionary(uniqueKeysWithValues: metrics.map { ($0, statistic) })])
        })
        let setup: [String: Any] = ["setup": "X", "hierarchy": "", "config": "x.json", "seeds": [1], "finished_seeds": [1], "scores": scores,
                                    "capped_before_levelling_off": [Int](), "stop_reasons": ["patience": 1]]
        let json: [String: Any] = ["experiment": "x.json", "protocol": [String](), "setups": [setup], "runs": [Any]()]
        return try JSONDecoder().decode(ExperimentSummary.self, from: JSONSerialization.data(withJSONObject: json))
    }

    func testColumnsFollowTheTasksTheSetupsReport() throws {
        let table3 = ResultsTable(summary: try summary(tasks: ["coref", "relation", "emd", "ner"]), split: "test")
        XCTAssertEqual(table3.columns.map(\.header),
                       ["NER F1", "EMD F1", "RE F1 heads", "RE F1 strict", "CR MUC", "CR B³", "CR CEAF-e", "CR avg"])
        XCTAssertEqual(table3.columns.map(\.metric), ["f1", "f1", "f1", "strict_f1", "muc_f1", "b3_f1", "ceafe_f1", "f1"])
        let added = ResultsTable(summary: try summary(tasks: ["outer", "ner", "emd"]), split: "test")
        XCTAssertEqual(added.columns.map(\.header), ["NER F1", "EMD F1", "OUTER F1"])
        XCTAssertEqual(added.rows.first?.count, added.headers.count)
        XCTAssertEqual(added.rows.first?[2...4].map { $0 }, ["50.00", "50.00", "50.00"])
    }
}
