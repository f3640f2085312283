import Foundation
import Training

/// The records of a run's `metrics.jsonl` (written by `RunLog`), typed and ordered by step.
///
/// A resumed run appends to the same file, so a step can appear twice (the part of the old run
/// after its last checkpoint, replayed): the later record wins. Kinds this reader does not
/// know are passed over, so older reports still read newer files; a line that is not a JSON
/// object, or a known kind that lacks a field or has the wrong type there, is an error naming
/// the file and line. Metric values may be null (JSON has no NaN): they read as NaN and the
/// charts skip them.
public struct RunMetrics: Sendable {
    /// One logging window (`training.log_every` steps) ending at `step`.
    public struct Train: Sendable {
        public var step: Int
        /// Mean loss per example over the window, per task sampled in it.
        public var loss: [String: Double]
        public var stepsPerTask: [String: Int]
        /// All ranks together.
        public var tokensPerSecond: Double
        public var seconds: Double
        /// Per task, at the end of the window; empty in files from before the field existed.
        public var learningRate: [String: Double]
        /// Mean wall time of a step of each task in the window; empty in older files.
        public var millisecondsPerStep: [String: Double]
        /// Tokens of each task's updates in the window (all ranks); empty in older files.
        public var tokensPerTask: [String: Double]
    }

    /// One task's share of a run's training time, summed over the logged windows.
    public struct TaskTime: Sendable {
        public var updates = 0
        public var seconds = 0.0
        public var tokens = 0.0
        public var millisecondsPerUpdate: Double { updates > 0 ? 1000 * seconds / Double(updates) : 0 }
        public var tokensPerSecond: Double { seconds > 0 ? tokens / seconds : 0 }
    }

    /// Where the training time went, per task (windows without `ms_per_step` count for nothing).
    public var timeByTask: [String: TaskTime] {
        var times: [String: TaskTime] = [:]
        for window in train {
            for (task, ms) in window.millisecondsPerStep {
                let n = window.stepsPerTask[task] ?? 0
                times[task, default: TaskTime()].updates += n
                times[task, default: TaskTime()].seconds += ms * Double(n) / 1000
                times[task, default: TaskTime()].tokens += window.tokensPerTask[task] ?? 0
            }
        }
        return times
    }

    /// Seconds spent validating (records without `seconds` count for nothing).
    public var validationSeconds: Double { validation.compactMap(\.seconds).reduce(0, +) }

    /// Training time: the windows tile the run from its start to the last log (validation
    /// and checkpoint time included), so their sum is the wall time up to there; steps a
    /// resume replayed count once.
    public var trainingSeconds: Double {
        train.reduce(0) { $0 + ($1.seconds.isFinite ? $1.seconds : 0) }
    }

    /// A dev (`validation`) or test evaluation; `score` is the metric model selection uses.
    public struct Evaluation: Sendable {
        public var step: Int
        public var task: String
        public var score: Double
        /// Validation: the task's rate after the plateau schedule saw this score.
        public var learningRate: Double?
        /// Test: the step whose parameters were scored.
        public var bestStep: Int?
        /// Validation: how long it took (absent in older files).
        public var seconds: Double?
        /// Every number of the record: the metric's fields (`f1`, `precision`, `recall`; RE's
        /// `strict_f1`, …; coreference's `muc_f1`, `b3_f1`, `ceafe_f1`) and the bookkeeping ones.
        public var numbers: [String: Double] = [:]

        /// RE: the F1 with full argument boundaries (absent in files from before it was logged).
        public var strictScore: Double? { numbers["strict_f1"] }
    }

    /// A training process's start (`start`): the machine it ran on. A resumed run has several.
    public struct Start: Sendable {
        public var step: Int
        public var worldSize: Int
        public var stepsPerEpoch: Int
        /// `cpu_model`, `blas_kernel`, `threads`, `build`, … as `hmtl bench` lines carry them.
        public var machine: [String: String]
    }

    /// The completion record (`end`): written after the final test scores of a run that a
    /// stopping rule or a cap ended.
    public struct End: Sendable {
        public var step: Int
        /// `patience`, `min_lr`, `max_epochs` or `max_steps` (`Trainer.StopReason`).
        public var reason: String
        public var epochs: Double
        public var stepsPerEpoch: Int
        /// Per task, the step of its best dev score (of `best-<task>.h5`); -1 when it was never validated.
        public var bestSteps: [String: Int]
    }

    /// `checkpoint`, `best` (a task's best-so-far parameters saved) or `skipped` (a non-finite step).
    public struct Event: Sendable {
        public var step: Int
        public var task: String?
        public var file: String?
    }

    public internal(set) var train: [Train] = []
    public internal(set) var validation: [Evaluation] = []
    public internal(set) var test: [Evaluation] = []
    public internal(set) var checkpoints: [Event] = []
    public internal(set) var best: [Event] = []
    public internal(set) var skipped: [Event] = []
    /// How often the training step went backwards: each is a `--resume`.
    public internal(set) var resumes = 0
    public internal(set) var starts: [Start] = []
    /// The run's completion record; nil when there is none, or training went on after it (a
    /// later start or step: a finished run resumed with a higher cap).
    public internal(set) var end: End?

    public static func read(_ url: URL) throws -> RunMetrics {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw TrainingError("\(url.path): no such file (a run folder holds metrics.jsonl once training has logged)")
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw TrainingError("\(url.path): cannot read: \(error.localizedDescription)") }
        guard let text = String(data: data, encoding: .utf8) else { throw TrainingError("\(url.path): not UTF-8 text") }
        return try RunMetrics(text: text, file: url.path)
    }

    public init(text: String, file: String) throws {
        var lastTrainStep = Int.min
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { continue }
            let fields = try Fields(line: Substring(trimmed), file: file, number: index + 1)
            switch try fields.string("kind") {
            case "train":
                let step = try fields.int("step")
                if step <= lastTrainStep { resumes += 1 }
                lastTrainStep = step
                end = nil
                train.append(Train(step: step, loss: try fields.numbers("loss"),
                                   stepsPerTask: try fields.numbers("steps_per_task").mapValues { $0.isFinite ? Int($0) : 0 },
                                   tokensPerSecond: try fields.number("tokens_per_second"), seconds: try fields.number("seconds"),
                                   learningRate: fields.has("lr") ? try fields.numbers("lr") : [:],
                                   millisecondsPerStep: fields.has("ms_per_step") ? try fields.numbers("ms_per_step") : [:],
                                   tokensPerTask: fields.has("tokens_per_task") ? try fields.numbers("tokens_per_task") : [:]))
            case "validation":
                validation.append(Evaluation(step: try fields.int("step"), task: try fields.string("task"), score: try fields.number("f1"),
                                             learningRate: fields.has("learning_rate") ? try fields.number("learning_rate") : nil,
                                             seconds: fields.has("seconds") ? try fields.number("seconds") : nil, numbers: fields.allNumbers))
            case "test":
                test.append(Evaluation(step: try fields.int("step"), task: try fields.string("task"), score: try fields.number("f1"),
                                       bestStep: fields.has("best_step") ? try fields.int("best_step") : nil, numbers: fields.allNumbers))
            case "start":
                starts.append(Start(step: try fields.int("step"), worldSize: try fields.int("world_size"),
                                    stepsPerEpoch: try fields.int("steps_per_epoch"), machine: fields.allStrings))
                end = nil
            case "end":
                end = End(step: try fields.int("step"), reason: try fields.string("reason"), epochs: try fields.number("epochs"),
                          stepsPerEpoch: try fields.int("steps_per_epoch"), bestSteps: try fields.steps("best"))
            case "checkpoint":
                checkpoints.append(Event(step: try fields.int("step"), file: try fields.string("file")))
            case "best":
                best.append(Event(step: try fields.int("step"), task: try fields.string("task"), file: try fields.string("file")))
            case "skipped":
                skipped.append(Event(step: try fields.int("step"), task: try fields.string("task")))
            default:
                continue
            }
        }
        train = Self.lastPerKey(train) { "\($0.step)" }
        validation = Self.lastPerKey(validation) { "\($0.task) \($0.step)" }
        test = Self.lastPerKey(test) { $0.task }
        checkpoints = Self.lastPerKey(checkpoints) { "\($0.step)" }
        best = Self.lastPerKey(best) { "\($0.task ?? "") \($0.step)" }
        skipped = Self.lastPerKey(skipped) { "\($0.step)" }
    }

    /// Every task any record names, known tasks first in hierarchy order.
    public var tasks: [String] {
        TaskPalette.ordered(train.flatMap { Array($0.loss.keys) + Array($0.stepsPerTask.keys) + Array($0.learningRate.keys) }
            + validation.map(\.task) + test.map(\.task) + best.compactMap(\.task) + skipped.compactMap(\.task))
    }

    /// The records, one per key (the last one written), in step order.
    private static func lastPerKey<R: StepRecord>(_ records: [R], key: (R) -> String) -> [R] {
        var latest: [String: Int] = [:]
        for (index, record) in records.enumerated() { latest[key(record)] = index }
        return latest.values.sorted().map { records[$0] }.sorted { $0.step < $1.step }
    }
}

/// A record that happened at a training step.
protocol StepRecord { var step: Int { get } }
extension RunMetrics.Train: StepRecord {}
extension RunMetrics.Evaluation: StepRecord {}
extension RunMetrics.Event: StepRecord {}

/// One metrics line's JSON object, with field access that names the file, line and field
/// when something is missing or of the wrong type.
private struct Fields {
    let object: [String: Any]
    let place: String

    init(line: Substring, file: String, number: Int) throws {
        place = "\(file):\(number)"
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(line.utf8)), let object = parsed as? [String: Any] else {
            throw TrainingError("\(place): expected one JSON object per line, got: \(line.prefix(80))")
        }
        self.object = object
    }

    func has(_ key: String) -> Bool { object[key] != nil }

    /// An object of per-task objects, each with an integer "step".
    func steps(_ key: String) throws -> [String: Int] {
        guard let dictionary = object[key] as? [String: Any] else { throw error(key, "an object of {\"step\": …} per task") }
        return try dictionary.mapValues { value in
            guard let step = ((value as? [String: Any])?["step"] as? NSNumber).flatMap({ Int(exactly: $0.doubleValue) }) else {
                throw error(key, "an object of {\"step\": …} per task")
            }
            return step
        }
    }

    /// The top-level numbers (booleans left out).
    var allNumbers: [String: Double] {
        object.compactMapValues { value in
            guard let number = value as? NSNumber, String(cString: number.objCType) != "c" else { return nil }
            return number.doubleValue
        }
    }

    /// The top-level values as text: strings as they are, numbers written out.
    var allStrings: [String: String] {
        object.compactMapValues { value in
            switch value {
            case let string as String: string
            case let number as NSNumber: number.stringValue
            default: nil
            }
        }
    }

    func string(_ key: String) throws -> String {
        guard let value = object[key] as? String else { throw error(key, "a string") }
        return value
    }

    func int(_ key: String) throws -> Int {
        guard let value = object[key] as? NSNumber, let int = Int(exactly: value.doubleValue) else {
            throw error(key, "an integer")
        }
        return int
    }

    /// A number, or null (read as NaN: JSON cannot carry a non-finite value).
    func number(_ key: String) throws -> Double {
        if object[key] is NSNull { return .nan }
        guard let value = object[key] as? NSNumber else { throw error(key, "a number") }
        return value.doubleValue
    }

    /// An object of numbers (or nulls) keyed by task.
    func numbers(_ key: String) throws -> [String: Double] {
        guard let dictionary = object[key] as? [String: Any] else { throw error(key, "an object of numbers per task") }
        return try dictionary.mapValues { value in
            if value is NSNull { return .nan }
            guard let number = value as? NSNumber else { throw error(key, "an object of numbers per task") }
            return number.doubleValue
        }
    }

    private func error(_ key: String, _ expected: String) -> TrainingError {
        let kind = (object["kind"] as? String).map { "\($0) record: " } ?? ""
        return TrainingError(object[key] == nil ? "\(place): \(kind)missing field \"\(key)\" (expected \(expected))"
                                                : "\(place): \(kind)field \"\(key)\": expected \(expected)")
    }

}
