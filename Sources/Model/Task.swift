/// The four tasks of the hierarchy. The raw value is the task's name in configs, parameter
/// paths and checkpoints.
public enum Task: String, CaseIterable, Sendable, Codable, Comparable {
    case ner, emd, coref, relation

    /// Stable small integer for seeding per-task random streams.
    public var seedID: UInt64 {
        switch self {
        case .ner: 1
        case .emd: 2
        case .coref: 3
        case .relation: 4
        }
    }

    public static func < (a: Task, b: Task) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
