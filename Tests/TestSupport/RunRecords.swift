import Foundation
import XCTest

/// The records of a run folder's `metrics.jsonl`, read back so that a test checks what the
/// trainer did (which tasks it sampled, what its validations scored, when it stopped) from
/// what it recorded, not from console lines that every run prints anyway.
public struct RunRecords {
    public let records: [[String: Any]]

    public init(run: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        let url = run.appendingPathComponent("metrics.jsonl")
        let text = try String(contentsOf: url, encoding: .utf8)
        records = try text.split(separator: "\n").map { row in
            try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(row.utf8)) as? [String: Any],
                          "\(url.path): not a JSON object: \(row)", file: file, line: line)
        }
    }

    public func of(kind: String) -> [[String: Any]] { records.filter { $0["kind"] as? String == kind } }

    /// Updates per task summed over the `train` records (one per log window) after `step`.
    public func sampledSteps(after step: Int = 0) throws -> [String: Int] {
        var total: [String: Int] = [:]
        for record in of(kind: "train") where try XCTUnwrap(record["step"] as? Int) > step {
            let window = try XCTUnwrap(record["steps_per_task"] as? [String: Int], "train record without steps_per_task: \(record)")
            total.merge(window, uniquingKeysWith: +)
        }
        return total
    }

    /// With `log_every` 1, the task each step after `step` drew, in step order.
    public func drawnTasks(after step: Int = 0) throws -> [String] {
        try of(kind: "train").compactMap { record -> (Int, String)? in
            let at = try XCTUnwrap(record["step"] as? Int)
            guard at > step else { return nil }
            let window = try XCTUnwrap(record["steps_per_task"] as? [String: Int])
            XCTAssertEqual(Array(window.values), [1], "step \(at): a train record of more than one step (log_every is not 1)")
            return (at, try XCTUnwrap(window.keys.first))
        }.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// The `validation` records of `task`, in step order.
    public func validations(of task: String) -> [[String: Any]] {
        of(kind: "validation").filter { $0["task"] as? String == task }.sorted { ($0["step"] as? Int ?? 0) < ($1["step"] as? Int ?? 0) }
    }
}
