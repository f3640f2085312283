import Dispatch

/// Milliseconds since the previous lap, on the monotonic clock (wall-clock adjustments
/// cannot make a phase negative).
public struct Stopwatch {
    private var last = DispatchTime.now().uptimeNanoseconds
    public init() {}
    public mutating func lap() -> Double {
        let now = DispatchTime.now().uptimeNanoseconds
        defer { last = now }
        return Double(now - last) / 1e6
    }
}
