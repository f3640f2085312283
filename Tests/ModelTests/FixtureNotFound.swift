/// A search for a fixture with the properties a test needs (separated scores, a kept span,
/// ...) came up empty. Thrown rather than trapped, so that the one test fails with this
/// message and the rest of the bundle still runs.
struct FixtureNotFound: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
