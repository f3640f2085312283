import Corpus

/// The argument spans of predicted relations. The relation head predicts cells — the last
/// token of each argument and a type — so an argument's span comes from the tagging levels
/// below it, bottom-up (NER, then EMD): the first of their predicted spans ending at that
/// token, else the token alone (setup D has no tagger: every argument is one token). `hmtl
/// predict` writes these relations and validation scores them with full boundaries, so a
/// relation's head-match score is the relation level's own and its strict-boundary score also
/// depends on the taggers.
public enum RelationArguments {
    /// Typed relations of one sentence; `argumentSpans` are the sentence's predicted spans of
    /// the argument levels the model has, in order.
    public static func relations(_ cells: [RelationPair], types: [String], argumentSpans: [[LabeledSpan]]) -> [Relation] {
        func argument(endingAt token: Int) -> TokenSpan {
            for spans in argumentSpans {
                if let span = spans.first(where: { $0.span.end == token }) { return span.span }
            }
            return TokenSpan(start: token, end: token)
        }
        return cells.map { Relation(head: argument(endingAt: $0.i), tail: argument(endingAt: $0.j), label: types[$0.r]) }
    }
}
