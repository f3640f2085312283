import XCTest
final class DistributedPlaceholderTests: XCTestCase { func testNothingYet() {} }
