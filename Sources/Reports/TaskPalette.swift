import Model

/// One colour per task, the same in every chart of every report: the Okabe–Ito palette, which
/// stays distinguishable under the common colour-vision deficiencies. Known tasks keep their
/// slot by `Task` order; a task name this build does not know takes the first unused colour
/// after them, in the order the caller lists names.
public struct TaskPalette: Sendable {
    static let colours = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#8C6D31", "#444444"]
    /// For series that are not a task (throughput, ideal scaling).
    public static let neutral = "#333333"

    private let assigned: [String: String]

    public init(tasks: [String]) {
        var assigned: [String: String] = [:]
        for (index, task) in Task.paperTasks.enumerated() { assigned[task.rawValue] = Self.colours[index] }
        var next = Task.paperTasks.count
        for name in tasks where assigned[name] == nil {
            assigned[name] = Self.colours[next % Self.colours.count]
            next += 1
        }
        self.assigned = assigned
    }

    public func colour(_ task: String) -> String { assigned[task] ?? Self.neutral }

    /// Known tasks in `Task` order first, then the others alphabetically.
    public static func ordered(_ names: some Sequence<String>) -> [String] {
        let known = Task.paperTasks.map(\.rawValue)
        return Set(names).sorted { a, b in
            switch (known.firstIndex(of: a), known.firstIndex(of: b)) {
            case let (i?, j?): i < j
            case (.some, nil): true
            case (nil, .some): false
            case (nil, nil): a < b
            }
        }
    }
}
