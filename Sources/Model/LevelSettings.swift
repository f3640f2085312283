import Tensor

/// One entry of `HierarchicalModel.Settings.levels` (docs/design.md §Levels): the task, whether
/// the levels after it read its output, and the level it builds.
public protocol LevelSettings: Sendable {
    var task: Task { get }
    /// Whether the levels after it read its output (the taggers, chained in the config's
    /// `order`); every level reads the last such level before it, the first one g_e.
    var isStacked: Bool { get }
    /// The level on an input of `inputSize` features, its parameters declared on `layout`.
    func makeLevel(inputSize: Int, vocabularies: Vocabularies, layout: inout ParameterLayout) -> any Level
}
