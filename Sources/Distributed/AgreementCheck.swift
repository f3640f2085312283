/// One value every rank must share at start-up, e.g. ("vocabulary hash", h).
public struct AgreementField: Sendable, Equatable {
    public var name: String
    public var value: Int64

    public init(_ name: String, _ value: Int64) {
        self.name = name
        self.value = value
    }
}

/// The start-up agreement (docs/design.md, Distributed semantics): ranks that built different
/// vocabularies or read different configs would silently train different models, so they compare
/// before training.
///
/// Each field is allgathered (not just min/max-reduced) so the error can name which ranks
/// differ; the message is built from the gathered values only, hence identical on every rank,
/// and every rank throws — none is left waiting in a collective.
public struct AgreementCheck: Sendable {
    public var fields: [AgreementField]
    /// When set, the world must have exactly this many ranks.
    public var expectedWorldSize: Int?

    public init(fields: [AgreementField], expectedWorldSize: Int? = nil) {
        self.fields = fields
        self.expectedWorldSize = expectedWorldSize
    }

    /// Collective; every rank must pass the same field names in the same order.
    public func verify(on communicator: Communicator) throws {
        if let expected = expectedWorldSize, expected != communicator.size {
            throw DistributedError(Self.worldSizeMessage(expected: expected, actual: communicator.size))
        }
        var mismatches: [String] = []
        for field in fields {
            let values = try communicator.allgather(field.value)
            if let mismatch = Self.mismatchMessage(field: field.name, values: values) {
                mismatches.append(mismatch)
            }
        }
        if !mismatches.isEmpty {
            throw DistributedError("ranks disagree at start-up:\n  " + mismatches.joined(separator: "\n  "))
        }
    }

    static func worldSizeMessage(expected: Int, actual: Int) -> String {
        var message = "expected a world of \(expected) ranks but this one has \(actual)"
        if actual == 1 {
            message += "; did the launcher start \(expected) separate single-rank processes? "
                + "(e.g. srun without PMI support, or an mpirun from a different MPI than the one hmtl links)"
        }
        return message
    }

    /// nil when all ranks agree. Otherwise the values with the ranks holding them, largest
    /// group first (the likely correct value), so the ranks that differ come after it.
    static func mismatchMessage(field: String, values: [Int64]) -> String? {
        var groups: [(value: Int64, ranks: [Int])] = []
        for (rank, value) in values.enumerated() {
            if let index = groups.firstIndex(where: { $0.value == value }) {
                groups[index].ranks.append(rank)
            } else {
                groups.append((value, [rank]))
            }
        }
        guard groups.count > 1 else { return nil }
        // Stable: equal-sized groups stay in order of their lowest rank.
        let ordered = groups.enumerated()
            .sorted { ($0.element.ranks.count, -$0.offset) > ($1.element.ranks.count, -$1.offset) }
            .map(\.element)
        let parts = ordered.map { group in
            "\(rankList(group.ranks)) \(group.ranks.count == 1 ? "has" : "have") \(group.value)"
        }
        return "\(field) differs: " + parts.joined(separator: "; ")
    }

    /// "rank 2", "ranks 0, 1", "ranks 0-31, 33-63": runs of three or more become ranges so
    /// the message stays short on large worlds.
    static func rankList(_ ranks: [Int]) -> String {
        var runs: [String] = []
        var start = 0
        while start < ranks.count {
            var end = start
            while end + 1 < ranks.count && ranks[end + 1] == ranks[end] + 1 { end += 1 }
            if end - start >= 2 {
                runs.append("\(ranks[start])-\(ranks[end])")
            } else {
                runs.append(contentsOf: ranks[start...end].map(String.init))
            }
            start = end + 1
        }
        return (ranks.count == 1 ? "rank " : "ranks ") + runs.joined(separator: ", ")
    }
}
