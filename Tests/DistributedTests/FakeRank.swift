import CommunicatorTesting
@testable import Distributed

/// A simulated world for collectives that only gather: `values[call][rank]` is what rank
/// `rank` contributes to its `call`-th allgather. Each `FakeRank` plays one rank and replays
/// the whole world's values, checking that its own contribution matches the script.
final class FakeRank: UnsimulatedWorld {
    private let values: [[Int64]]
    private var calls = 0

    init(rank: Int, values: [[Int64]], size: Int) {
        self.values = values
        super.init(rank: rank, size: size)
    }

    /// One rank per column of `fields` (fields[f][rank]), all in a world of `fields[0].count`.
    static func world(_ fields: [[Int64]]) -> [FakeRank] {
        let size = fields.first?.count ?? 1
        return (0..<size).map { FakeRank(rank: $0, values: fields, size: size) }
    }

    override func allgather(_ value: Int64) throws -> [Int64] {
        precondition(calls < values.count, "rank \(rank): allgather #\(calls) is not scripted")
        let gathered = values[calls]
        precondition(gathered[rank] == value, "rank \(rank) contributed \(value), script says \(gathered[rank])")
        calls += 1
        return gathered
    }

    var allgatherCalls: Int { calls }
}
