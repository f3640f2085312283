/// What a backward pass reports as it goes down the arena: after `finished(offset)` the pass
/// writes no gradient at or above `offset` again. A pass runs the hierarchy top-down and the
/// layout is bottom-up (`ParameterLayout`), so the offsets it reports only decrease; each layer
/// reports the first parameter of a block it has finished. The update step uses the reports to
/// sum the finished gradients over the ranks while the pass continues below them
/// (`GradientReduction` in the Training target); the default reports to nobody. Not a throwing
/// function: numeric code does not throw, and the listener keeps its errors for later.
public typealias GradientsFinished = (_ offset: Int) -> Void
