/// The one rule for every string a run stores — tokens (the word and character vocabularies),
/// tags, entity and relation types, document ids and the config — checked when it is read, so
/// an input error stops the run before training instead of at its first checkpoint.
///
/// Rejected:
/// - NUL (U+0000). Checkpoints (and `hmtl embed` files) hold strings as HDF5 variable-length
///   strings, which are NUL-terminated: a NUL would cut the string short, so `HDF5File` refuses
///   to write one.
/// - Bytes that are not UTF-8. The string datasets are declared UTF-8, and a Swift `String`
///   cannot hold such bytes at all: decoding would replace them with U+FFFD and silently change
///   the token. `TextFile` finds them and names their line.
/// - The other ASCII control characters, U+0001–U+001F and U+007F. HDF5 could hold them, but a
///   stored string is one token, tag, type or id, and the files made from a checkpoint's output
///   (`predict --format conll`, read back by `hmtl score`) put those on lines of tab- or
///   space-separated columns, where a tab, line feed or carriage return splits them and the
///   others are invisible in every message. Text has no use for them: they mean binary data or
///   a wrong encoding.
///
/// Everything else is kept as written, C1 controls included: it stores and reads back byte for
/// byte. Readers of lines check each line they parse (`TextFile.checkLine`) — a superset of the
/// cells they keep, with the tab allowed as a column separator; readers of JSON check every
/// string value they keep, after unescaping.
public enum StoredText {
    /// nil when `text` may be stored; else what is wrong with it, e.g.
    /// `"Jo\0hn" contains a NUL byte (U+0000) at character 3, which checkpoint strings cannot hold`.
    public static func problem(in text: some StringProtocol, tabAllowed: Bool = false) -> String? {
        // UTF-8 encodes every other scalar with bytes ≥ 0x80, so a byte scan finds the candidates.
        func rejected(_ value: UInt32) -> Bool { (value < 0x20 && !(tabAllowed && value == 0x09)) || value == 0x7F }
        guard text.utf8.contains(where: { rejected(UInt32($0)) }) else { return nil }
        let scalars = Array(text.unicodeScalars)
        guard let position = scalars.firstIndex(where: { rejected($0.value) }) else { return nil }
        let value = scalars[position].value
        let what = value == 0
            ? "a NUL byte (U+0000) at character \(position + 1), which checkpoint strings cannot hold"
            : "the control character U+\(hex(value)) at character \(position + 1) (stored strings are text: no control characters)"
        return "\(excerpt(scalars, around: position).debugDescription) contains \(what)"
    }

    /// The run of non-blank characters around `position`, at most 20 on either side: the token
    /// or cell that holds the character, without quoting a whole long line.
    private static func excerpt(_ scalars: [Unicode.Scalar], around position: Int) -> String {
        var start = position, end = position + 1
        while start > 0, position - start < 20, !scalars[start - 1].properties.isWhitespace { start -= 1 }
        while end < scalars.count, end - position < 20, !scalars[end].properties.isWhitespace { end += 1 }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[start..<end])
        return String(view)
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

extension TextFile {
    /// Throws, at the line, unless the line at 0-based `index` is valid UTF-8 without control
    /// characters other than tabs (`StoredText`). Readers call it on every line they parse.
    public func checkLine(atIndex index: Int) throws(CorpusError) {
        if let problem = invalidUTF8[index] { throw error(atIndex: index, problem) }
        if let problem = StoredText.problem(in: lines[index], tabAllowed: true) { throw error(atIndex: index, problem) }
    }
}
