import Corpus
import Foundation

/// A config error names where the config came from (`source`: the file as the user gave it,
/// `<checkpoint>: config`, or the `--set key=value` at fault), the key's path
/// (`tasks.ner.batch_size`) and what was expected:
/// `configs/x.json: tasks.ner.batch_size: expected an integer in 1...100000, got 0`.
public struct ConfigError: Error, CustomStringConvertible {
    /// Empty until `RunConfig` fills it in: the parsing code knows keys, not files.
    public var source = ""
    public var path: String
    public var message: String

    public init(source: String = "", path: String, message: String) {
        self.source = source
        self.path = path
        self.message = message
    }

    public var description: String {
        [source.isEmpty ? "config" : source, path, message].filter { !$0.isEmpty }.joined(separator: ": ")
    }
}

/// Typed, path-aware access to one JSON object of the config. Every key read is recorded, so
/// `finish()` can reject keys nobody asked for — a misspelt key is an error, not a silent default.
public struct ConfigObject {
    let path: String
    private let values: [String: Any]
    private var used: Set<String> = []

    public init(_ values: [String: Any], path: String) {
        self.values = values
        self.path = path
    }

    /// The JSON object of the file at `path`; errors start with `path` as given, a syntax
    /// error with its line.
    public static func read(path: String) throws -> [String: Any] {
        let text: String
        do {
            text = try TextFile.contents(of: path)
        } catch {
            throw ConfigError(source: path, path: "", message: error.message)
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        } catch {
            throw syntaxError(error, in: text, path: path)
        }
        guard let root = object as? [String: Any] else {
            throw ConfigError(source: path, path: "", message: "expected a JSON object at the top level")
        }
        return root
    }

    /// Foundation reports "Invalid value around character N." (a 0-based UTF-8 offset): the
    /// error names the line, `path:line: not valid JSON (… column C)`, when it can.
    private static func syntaxError(_ error: Error, in text: String, path: String) -> ConfigError {
        let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? error.localizedDescription
        let bytes = Array(text.utf8)
        guard let match = detail.firstMatch(of: /around character (\d+)/), let offset = Int(match.1), offset <= bytes.count else {
            return ConfigError(source: path, path: "", message: "not valid JSON (\(detail))")
        }
        let before = bytes[..<offset]
        let line = before.count(where: { $0 == UInt8(ascii: "\n") }) + 1
        let column = offset - (before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0) + 1
        var what = detail.replacing(match.0, with: "around column \(column)")
        if what.hasSuffix(".") { what.removeLast() }
        return ConfigError(source: "\(path):\(line)", path: "", message: "not valid JSON (\(what))")
    }


    public func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private func error(_ key: String, _ message: String) -> ConfigError {
        ConfigError(path: keyPath(key), message: message)
    }

    /// The raw value, or nil when absent or JSON null.
    private mutating func raw(_ key: String) -> Any? {
        used.insert(key)
        guard let v = values[key], !(v is NSNull) else { return nil }
        return v
    }

    mutating func has(_ key: String) -> Bool { raw(key) != nil }

    public mutating func int(_ key: String, default def: Int? = nil, range: ClosedRange<Int>) throws -> Int {
        guard let v = raw(key) else {
            guard let def else { throw error(key, "missing; expected an integer in \(range.lowerBound)...\(range.upperBound)") }
            return def
        }
        guard let n = v as? NSNumber, !isBool(n), n.doubleValue == n.doubleValue.rounded() else {
            throw error(key, "expected an integer, got \(describe(v))")
        }
        // The magnitude check comes first: `intValue` of 1e300 or 2^64 is not the number.
        guard abs(n.doubleValue) < 9e15, range.contains(n.intValue) else {
            throw error(key, "expected an integer in \(range.lowerBound)...\(range.upperBound), got \(describe(v))")
        }
        return n.intValue
    }

    mutating func optionalInt(_ key: String, range: ClosedRange<Int>) throws -> Int? {
        has(key) ? try int(key, range: range) : nil
    }

    mutating func double(_ key: String, default def: Double? = nil, range: ClosedRange<Double>, openLower: Bool = false) throws -> Double {
        let expectation = "a number in \(openLower ? "(" : "[")\(range.lowerBound), \(range.upperBound)]"
        guard let v = raw(key) else {
            guard let def else { throw error(key, "missing; expected \(expectation)") }
            return def
        }
        guard let n = v as? NSNumber, !isBool(n) else { throw error(key, "expected a number, got \(describe(v))") }
        let d = n.doubleValue
        guard d.isFinite, range.contains(d), !(openLower && d == range.lowerBound) else {
            throw error(key, "expected \(expectation), got \(d)")
        }
        return d
    }

    public mutating func string(_ key: String, default def: String? = nil, oneOf choices: [String]? = nil) throws -> String {
        guard let v = raw(key) else {
            guard let def else { throw error(key, "missing; expected a string" + (choices.map { " (one of \($0.joined(separator: ", ")))" } ?? "")) }
            return def
        }
        guard let s = v as? String else { throw error(key, "expected a string, got \(describe(v))") }
        if let choices, !choices.contains(s) {
            throw error(key, "expected one of \(choices.map { "\"\($0)\"" }.joined(separator: ", ")), got \"\(s)\"")
        }
        return s
    }

    public mutating func optionalString(_ key: String) throws -> String? {
        has(key) ? try string(key) : nil
    }

    public mutating func intArray(_ key: String, range: ClosedRange<Int>) throws -> [Int]? {
        guard let v = raw(key) else { return nil }
        guard let array = v as? [Any] else { throw error(key, "expected an array of integers, got \(describe(v))") }
        return try array.map { item in
            guard let n = item as? NSNumber, !isBool(n), n.doubleValue == n.doubleValue.rounded(), range.contains(Int(exactly: n.doubleValue) ?? Int.min) else {
                throw error(key, "expected integers in \(range.lowerBound)...\(range.upperBound), got \(describe(item))")
            }
            return n.intValue
        }
    }

    mutating func stringArray(_ key: String) throws -> [String]? {
        guard let v = raw(key) else { return nil }
        guard let array = v as? [Any], let strings = array as? [String] else { throw error(key, "expected an array of strings, got \(describe(v))") }
        return strings
    }

    mutating func bool(_ key: String, default def: Bool) throws -> Bool {
        guard let v = raw(key) else { return def }
        guard let n = v as? NSNumber, isBool(n) else { throw error(key, "expected true or false, got \(describe(v))") }
        return n.boolValue
    }

    public mutating func array(_ key: String) throws -> [Any]? {
        guard let v = raw(key) else { return nil }
        guard let array = v as? [Any] else { throw error(key, "expected an array, got \(describe(v))") }
        return array
    }

    /// Every key with its value, sorted by key: for an object whose keys are data (a map of
    /// overrides), not a schema.
    public var entries: [(key: String, value: Any)] { values.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }

    public mutating func object(_ key: String) throws -> ConfigObject? {
        guard let v = raw(key) else { return nil }
        guard let d = v as? [String: Any] else { throw error(key, "expected an object, got \(describe(v))") }
        return ConfigObject(d, path: keyPath(key))
    }

    public func finish() throws {
        if let unknown = values.keys.sorted().first(where: { !used.contains($0) }) {
            throw error(unknown, "unknown key")
        }
    }

    /// JSON booleans arrive as NSNumber of Objective-C type "c" (char), numbers as "i", "q" or "d".
    private func isBool(_ n: NSNumber) -> Bool { String(cString: n.objCType) == "c" }

    private func describe(_ v: Any) -> String {
        switch v {
        case let s as String: "the string \"\(s)\""
        case let n as NSNumber: isBool(n) ? (n.boolValue ? "true" : "false") : "\(n)"
        case is [Any]: "an array"
        case is [String: Any]: "an object"
        default: "\(v)"
        }
    }
}
