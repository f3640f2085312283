import Corpus
import Distributed
import Model
import Scoring
import Tensor

/// What the code above Model needs of one kind of level (docs/design.md §Levels): its config
/// keys, the data formats it reads, how its examples are built from `Document`s and how a split
/// of them is scored. The trainer, the
/// evaluator and the data loader ask the task's kind (`LevelKinds.kind(of:)`) and never name a
/// task.
public protocol LevelKind: Sendable {
    /// The kind's name, as a config may state it (`tasks.<task>.kind`).
    var name: String { get }
    /// What its prediction file holds, for `hmtl score`.
    var scoredFile: FileScore.Kind { get }
    /// Whether the levels above read this level's output: the tagging levels, stacked in the
    /// config's `order`; the others sit side by side on the top one.
    var isStacked: Bool { get }
    /// The data formats whose files carry `task`'s annotation (`tasks.<task>.data.format`).
    func formats(for task: Task) -> [DataSource.Format]
    /// Reads the level's keys of `tasks.<task>` (encoder, head, batch size) into `config`.
    func readSettings(_ o: inout ConfigObject, into config: inout TaskConfig) throws
    /// What the level's headline score is, as the run report names it ("span F1").
    var scoreDescription: String { get }
    /// The scores a results table shows, in column order: the key of `Evaluator.Result.record`
    /// and the column's label after the task's name ("F1 heads").
    var tableScores: [(key: String, label: String)] { get }
    /// What one example is, as a "no training examples" message names it ("sentences").
    var exampleDescription: String { get }
    /// Whether an example is a whole document, taken one per pass (the reference's batch of
    /// 1); else a sentence, and a local batch is one pass.
    var examplesAreDocuments: Bool { get }
    /// The model's settings of `task`'s level, from the task's config.
    func levelSettings(of task: Task, _ config: TaskConfig) -> any LevelSettings
    /// Adds the labels `task` learns, read off its training documents, to the tag vocabularies
    /// (`tags[task]`) or the relation types.
    func addLabels(of task: Task, training: [Document], tags: inout [Task: Vocabulary], relations: inout Vocabulary?)
    /// The checkpoint namespace of the labels `task` learns (`Vocabularies.namespaces`), nil
    /// when it learns none: a level loaded by `--init-from` must find the same labels there.
    func labelNamespace(of task: Task) -> String?
    /// The level's loss normalisation after the gradient reduction: nil keeps the loss a sum
    /// over examples; else scales `ranges` of the reduced gradient in place, given the global
    /// batch's loss count (`StepLoss.count`), and returns the factor the loss takes too.
    func scaleReduced(_ arena: ParameterArena, ranges: [Range<Int>], globalCount: Double) -> Float?
    /// Appends the examples of `task` that `documents` hold, with the gold the level needs.
    func appendExamples(of task: Task, from documents: [Document], vocabularies: Vocabularies, to examples: inout TaskExamples)
    /// This rank's share of a split scored in `batches` (`progress` after each), its metric
    /// counts summed over the ranks.
    func evaluate(_ task: Task, examples: TaskExamples, batches: [[Int]], evaluator: Evaluator, communicator: Communicator,
                  progress: () -> Void) throws -> Evaluator.Result
}

/// The registry of level kinds: a new kind is one new file and one line here.
public enum LevelKinds {
    static let byTask: [Task: any LevelKind] = [
        .ner: TaggingKind(), .emd: TaggingKind(), .relation: RelationKind(), .coref: CoreferenceKind(),
    ]

    /// The kind of `task`'s level: the registry's, else tagging, the one kind a config can give
    /// a task the registry does not name (`"kind": "tagging"`, or listed in `order`).
    public static func kind(of task: Task) -> any LevelKind { byTask[task] ?? TaggingKind() }
}
