import Corpus
import Tensor

/// A task's name: its one spelling in configs, parameter paths, checkpoints and the command
/// line. Open, so that a new level brings its own name; the four of the paper are static members.
public struct Task: RawRepresentable, Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public static let ner = Task(rawValue: "ner")
    public static let emd = Task(rawValue: "emd")
    public static let coref = Task(rawValue: "coref")
    public static let relation = Task(rawValue: "relation")

    /// The paper's four, in the order the hierarchy lays them out and sorts them.
    public static let paperTasks: [Task] = [.ner, .emd, .coref, .relation]

    /// Stable small integer for seeding per-task random streams: 1–4 for the paper's four (so
    /// their seeds never move), FNV-1a of the name for any other.
    public var seedID: UInt64 {
        Self.paperTasks.firstIndex(of: self).map { UInt64($0 + 1) } ?? FNV1a.hash(rawValue)
    }

    /// Names earlier versions spelled otherwise on the command line ("re", "cr"): the CLI
    /// rejects them with a message naming the spelling now.
    public static let earlierSpellings: [String: Task] = ["re": .relation, "cr": .coref]

    /// The one-line message for a renamed spelling, nil for any other name.
    public static func renamedMessage(_ option: String, _ name: String) -> String? {
        earlierSpellings[name].map { "\(option): '\(name)' is now spelled '\($0)' (the task's name)" }
    }

    public var description: String { rawValue }

    /// The paper's abbreviations, in the column order of its Table 3.
    private static let paperAbbreviations: KeyValuePairs<Task, String> = [.ner: "NER", .emd: "EMD", .relation: "RE", .coref: "CR"]

    /// The name a table or a hierarchy shows ("RE"; any other task upper-cased).
    public var displayName: String {
        Self.paperAbbreviations.first { $0.key == self }?.value ?? rawValue.uppercased()
    }

    /// `tasks` in the order tables show them: the paper's Table 3 order (NER, EMD, RE, CR), then
    /// any other task by name.
    public static func displayOrder(_ tasks: some Sequence<Task>) -> [Task] {
        let rank = { (t: Task) in paperAbbreviations.firstIndex { $0.key == t } ?? paperAbbreviations.count }
        return tasks.sorted { (rank($0), $0.rawValue) < (rank($1), $1.rawValue) }
    }

    /// The layer of `Sentence.spans` a tagging level of this task learns: the one of its name.
    public var spanLayer: SpanLayer { SpanLayer(rawValue: rawValue) }

    /// The paper's four first in their order, then any other task by name.
    public static func < (a: Task, b: Task) -> Bool {
        let rank = { (t: Task) in paperTasks.firstIndex(of: t) ?? paperTasks.count }
        return (rank(a), a.rawValue) < (rank(b), b.rawValue)
    }
}
